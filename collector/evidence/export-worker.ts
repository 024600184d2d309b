// The child process that runs one API export job (forked by ExportJobs). It has its own database connection
// and event loop: a 10,000-machine export neither blocks the collector's ingest nor holds its connection busy
// (better-sqlite3 refuses writes on a connection while a read iterates), and its memory is returned to the
// system when it exits. Talks to the parent over the IPC channel only; exits when the parent goes away.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { exportBundle, type ExportProgress } from './export.js';
import { loadOrCreateCollectorKey } from './keys.js';
import { openEvidenceSource } from './open-source.js';
import { verifyBundle } from './verify.js';
import { VERSION } from '../version.js';
import type { WorkerRequest, WorkerMessage } from './export-jobs.js';

const send = (m: WorkerMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function main(req: WorkerRequest): Promise<void> {
  const source = await openEvidenceSource(req.dataDir, {
    ...(req.policy.dir ? { policyDir: req.policy.dir } : {}),
    packs: req.policy.packs,
    overrides: req.policy.overrides,
    expectDigest: req.policy.digest,
  });
  try {
    const key = await loadOrCreateCollectorKey(req.dataDir);
    let last = 0;
    const result = await exportBundle(
      source,
      {
        level: req.scope.level,
        ...(req.scope.unit ? { unit: req.scope.unit } : {}),
        ...(req.scope.system ? { system: req.scope.system } : {}),
        ...(req.scope.from ? { from: new Date(req.scope.from) } : {}),
        to: new Date(req.scope.to),
      },
      {
        outPath: req.outPath,
        tmpDir: req.tmpDir,
        signingKey: key.privateKey,
        generatorVersion: VERSION,
        onProgress: (p: ExportProgress) => {
          // At most a few messages a second: progress is for people watching, not a log.
          const now = Date.now();
          if (p.phase === 'done' || p.done === p.total || now - last >= 200) {
            last = now;
            void send({ type: 'progress', progress: p });
          }
        },
      },
    );
    const report = await verifyBundle(req.outPath);
    const { size } = await stat(req.outPath);
    await send({
      type: 'done',
      result: {
        bundleId: result.bundleId,
        fingerprint: result.fingerprint,
        machines: result.machines,
        verdicts: result.verdicts,
        bytes: size,
        sha256: await sha256File(req.outPath),
      },
      verification: { ok: report.ok, verified: report.verified.length, problems: report.problems },
    });
  } finally {
    source.close();
  }
}

process.on('disconnect', () => process.exit(1));
const raw = process.argv[2];
if (!raw) {
  process.stderr.write('export-worker: missing job description\n');
  process.exit(2);
}
main(JSON.parse(raw) as WorkerRequest).then(
  () => process.exit(0),
  async (err: unknown) => {
    await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
