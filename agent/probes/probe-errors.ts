// Collects the facts a scan could not read, with why. A fact is either observed or listed here: never guessed.
import type { ProbeError } from '../../protocol/posture.js';
import { reasonOf } from './host-access.js';

const MAX_ENTRIES = 256; // the protocol's bound on agent.probeErrors

export class ProbeErrors {
  readonly list: ProbeError[] = [];
  private omitted = 0;
  add(probe: string, error: unknown): void {
    // Past the bound, the last entry counts what was left out, so a flood of errors is still visible.
    if (this.list.length >= MAX_ENTRIES - 1) {
      this.omitted++;
      const summary = { probe: 'agent.probeErrors', error: `${this.omitted} more probe errors omitted (list bounded to ${MAX_ENTRIES})` };
      if (this.list.length === MAX_ENTRIES) this.list[MAX_ENTRIES - 1] = summary;
      else this.list.push(summary);
      return;
    }
    this.list.push({ probe: probe.slice(0, 100), error: reasonOf(error).slice(0, 1000) });
  }
}
