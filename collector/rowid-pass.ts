// A background pass over the agents table a range of rowids per turn of the event loop, so neither a large
// fleet nor a large outage holds reports and API calls behind one long read (a whole-table read took 85-345 ms
// at 100,000 agents). Used by the liveness timers (service.ts) and the per-level offline timers (alerts/start.ts).

/** Rows of the agents table a pass reads per turn: about 4 ms at 100,000 agents (the whole table took 85-345 ms). */
export const ROWS_PER_TURN = 4096;

/**
 * Calls `step(from, to)` over rowids [0, end], `scanRows` at a time, one call per turn of the event loop; a step
 * returns the rowid to continue from (its `to`, or less when it stopped early at a batch limit). Rows added
 * during the pass are left for the next one. Stops early, without error, when `stopped()` turns true.
 */
export function rowidPass(end: number, scanRows: number, step: (from: number, to: number) => number, stopped: () => boolean): Promise<void> {
  let from = 0;
  return new Promise((resolve, reject) => {
    const turn = () => {
      if (stopped()) return resolve();
      try {
        from = step(from, Math.min(from + scanRows, end + 1));
      } catch (err) {
        return reject(err);
      }
      if (from <= end) setImmediate(turn);
      else resolve();
    };
    turn();
  });
}

/** Where a step continues: after the last row it read when it read a full batch, else at the range's end. */
export function nextRowid(rows: { rowid: number }[], limit: number, to: number): number {
  return rows.length > 0 && rows.length === limit ? rows[rows.length - 1]!.rowid + 1 : to;
}
