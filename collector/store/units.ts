// Units: the organisation tree (province > department > unit). A new data dir has one unit, "default".
import type { Db } from './database.js';
import type { Unit } from '../fleet/types.js';

interface UnitRow {
  id: string;
  name: string;
  parent_id: string | null;
  default_level: number;
}
const toUnit = (r: UnitRow): Unit => ({ id: r.id, name: r.name, parentId: r.parent_id, defaultLevel: r.default_level });

export class UnitRepository {
  constructor(private readonly db: Db) {}

  ensureDefault(): void {
    this.db
      .prepare(`INSERT OR IGNORE INTO units (id, name, parent_id, default_level, created_at) VALUES ('default', 'Default unit', NULL, 1, ?)`)
      .run(new Date().toISOString());
  }

  get(id: string): Unit | undefined {
    const row = this.db.prepare('SELECT * FROM units WHERE id = ?').get(id) as UnitRow | undefined;
    return row && toUnit(row);
  }

  list(): Unit[] {
    return (this.db.prepare('SELECT * FROM units ORDER BY id').all() as UnitRow[]).map(toUnit);
  }

  create(u: Unit): void {
    this.db
      .prepare('INSERT INTO units (id, name, parent_id, default_level, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(u.id, u.name, u.parentId, u.defaultLevel, new Date().toISOString());
  }
}
