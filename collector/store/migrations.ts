// Versioned schema migrations. Append only: a released migration is never edited, a change is a new entry.
// Each runs in its own transaction together with the row that records it, so a crash leaves no half schema.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'units, tokens, agents, postures, events',
    sql: `
      CREATE TABLE units (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        parent_id TEXT REFERENCES units(id),
        default_level INTEGER NOT NULL DEFAULT 1 CHECK (default_level BETWEEN 1 AND 5),
        created_at TEXT NOT NULL
      );
      CREATE TABLE enrollment_tokens (
        id TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL REFERENCES units(id),
        token_sha256 TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        max_uses INTEGER NOT NULL,
        uses INTEGER NOT NULL DEFAULT 0,
        revoked INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL
      );
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL REFERENCES units(id),
        public_key TEXT NOT NULL UNIQUE,
        hostname TEXT NOT NULL,
        hardware_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        agent_version TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        enrolled_token_id TEXT REFERENCES enrollment_tokens(id),
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_body_sha256 TEXT,
        last_seen_at TEXT,
        last_report_kind TEXT,
        state TEXT NOT NULL DEFAULT 'online',
        state_since TEXT NOT NULL,
        state_reason TEXT NOT NULL DEFAULT 'enrolled',
        posture_hash TEXT,
        posture_json TEXT,
        posture_at TEXT,
        clock_skew_ms INTEGER NOT NULL DEFAULT 0,
        seq_gaps INTEGER NOT NULL DEFAULT 0,
        retired_at TEXT
      );
      CREATE INDEX agents_unit ON agents(unit_id);
      CREATE INDEX agents_state ON agents(state);
      CREATE INDEX agents_hardware ON agents(hardware_id);
      CREATE TABLE posture_history (
        agent_id TEXT NOT NULL REFERENCES agents(id),
        seq INTEGER NOT NULL,
        posture_hash TEXT NOT NULL,
        posture_json TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, seq)
      );
      CREATE TABLE agent_events (
        agent_id TEXT NOT NULL REFERENCES agents(id),
        event_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        data_json TEXT NOT NULL,
        PRIMARY KEY (agent_id, event_id)
      );
      CREATE INDEX agent_events_received ON agent_events(received_at);
      CREATE TABLE agent_state_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        agent_id TEXT NOT NULL REFERENCES agents(id),
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX agent_state_history_agent ON agent_state_history(agent_id, at);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];

migrations.push({
  version: 2,
  name: 'users, sessions, api tokens',
  sql: `
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL,
      unit_ids TEXT NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
      id_sha256 TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      csrf_token TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );
    CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,
      token_sha256 TEXT NOT NULL UNIQUE,
      user_id TEXT NOT NULL REFERENCES users(id),
      name TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );
  `,
});
