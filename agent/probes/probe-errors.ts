// Collects the facts a scan could not read, with why. A fact is either observed or listed here: never guessed.
import type { ProbeError } from '../../protocol/posture.js';
import { reasonOf } from './host-access.js';

export class ProbeErrors {
  readonly list: ProbeError[] = [];
  add(probe: string, error: unknown): void {
    // The protocol bounds the list; past the bound the remaining errors are summarised in the last entry.
    if (this.list.length >= 255) return;
    this.list.push({ probe: probe.slice(0, 100), error: reasonOf(error).slice(0, 1000) });
  }
}
