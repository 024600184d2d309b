// Per-destination filters: an event is forwarded when it passes every filter the destination sets.
import type { DestinationConfig } from './config.js';
import { SEVERITY_RANK, type ForwardEvent } from './types.js';

export function passesFilters(event: ForwardEvent, d: Pick<DestinationConfig, 'minSeverity' | 'kinds' | 'levels' | 'units'>): boolean {
  if (d.minSeverity && SEVERITY_RANK[event.severity] < SEVERITY_RANK[d.minSeverity]) return false;
  if (d.kinds && !d.kinds.includes(event.kind)) return false;
  if (d.levels && !d.levels.includes(event.level)) return false;
  if (d.units && !d.units.includes(event.unit)) return false;
  return true;
}
