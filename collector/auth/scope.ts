// Unit scoping: a user scoped to a unit sees that unit and every unit below it.
import type { Unit } from '../fleet/types.js';
import type { User } from './types.js';

export function unitsInScope(user: User, units: Unit[]): string[] {
  return unitSubtrees(user.unitIds, units);
}

/** The given units and every unit below them. */
export function unitSubtrees(rootIds: string[], units: Unit[]): string[] {
  const children = new Map<string, string[]>();
  for (const u of units) if (u.parentId) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
  const out = new Set<string>();
  const stack = [...rootIds];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return [...out];
}

/** True when every one of unitIds lies inside scope (a list from unitsInScope). */
export function allWithin(unitIds: string[], scope: string[]): boolean {
  const set = new Set(scope);
  return unitIds.every((u) => set.has(u));
}
