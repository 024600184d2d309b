// Runs one probe under a time budget and measures what it cost. A probe that overruns is abandoned (its
// children have their own exec timeouts) and reported in agent.probeErrors rather than holding up the scan.
import { ProbeErrors } from './probe-errors.js';

const OVERRUN: unique symbol = Symbol('overrun');

export interface ProbeCost {
  probe: string;
  ms: number;
  ok: boolean;
}

export async function runWithBudget<T>(
  probe: string,
  budgetMs: number,
  errors: ProbeErrors,
  costs: ProbeCost[],
  fn: () => Promise<T>,
): Promise<T | undefined> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<typeof OVERRUN>((resolve) => {
    timer = setTimeout(() => resolve(OVERRUN), budgetMs);
  });
  try {
    const result = await Promise.race([fn(), overrun]);
    if (result === OVERRUN) {
      errors.add(probe, `probe exceeded its budget of ${budgetMs} ms and was abandoned`);
      costs.push({ probe, ms: performance.now() - started, ok: false });
      return undefined;
    }
    costs.push({ probe, ms: performance.now() - started, ok: true });
    return result;
  } catch (err) {
    errors.add(probe, err);
    costs.push({ probe, ms: performance.now() - started, ok: false });
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
