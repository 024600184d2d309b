// A stable, non-reversible machine identifier. The raw machine id / serial never leaves the host: it is
// hashed with a fixed, product-specific prefix so the value cannot be joined with other tools' databases.
import { createHash } from 'node:crypto';

export function hardwareIdFrom(machineId: string): string {
  const id = machineId.trim().toLowerCase();
  if (!/^[0-9a-f-]{16,64}$/.test(id) || /^[0-]+$/.test(id)) throw new Error('machine id is missing or not a hex identifier');
  return createHash('sha256').update(`soclite-hardware-id:v1:${id}`).digest('hex');
}
