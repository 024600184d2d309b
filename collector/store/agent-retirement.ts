// Retiring an agent: it keeps its history but may never report again (request-auth refuses a retired agent)
// and leaves the liveness timers. One statement group, one transaction, with the state history row.
import type { Db } from './database.js';

export function retireAgent(db: Db, agentId: string, reason: string, at: string): boolean {
  return db.transaction(() => {
    const changed = db
      .prepare(`UPDATE agents SET retired_at = ?, state = 'retired', state_since = ?, state_reason = ? WHERE id = ? AND retired_at IS NULL`)
      .run(at, at, reason, agentId).changes;
    if (changed !== 1) return false;
    db.prepare('INSERT INTO agent_state_history (agent_id, state, reason, at) VALUES (?, ?, ?, ?)').run(agentId, 'retired', reason, at);
    return true;
  })();
}
