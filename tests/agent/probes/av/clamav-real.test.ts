// The real ClamAV check: build a signature database that detects the EICAR test string (made here, no
// internet), scan with clamscan --log, and read the log and the database header with our parsers. The header
// comes from `sigtool --build --unsigned`, i.e. ClamAV's own writer of the 512-byte CVD header.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsers } from '../../../../agent/parsers.js';
import { readClamavDb } from '../../../../agent/probes/av/linux.js';
import { realHost } from '../../../../agent/probes/host-access.js';

const run = promisify(execFile);
// The EICAR anti-virus test file (eicar.org): harmless, and detected by every AV engine by design.
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

describe('ClamAV end to end with a locally built EICAR signature', () => {
  let dir: string;
  let buildStarted: number;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-clamav-'));
    writeFileSync(path.join(dir, 'eicar.com'), EICAR);
    writeFileSync(path.join(dir, 'clean.txt'), 'nothing to see here\n');
    // .ndb: Name:TargetType:Offset:HexSignature (ClamAV signature format docs); target 0 = any file.
    writeFileSync(path.join(dir, 'soclite-test.ndb'), `Soclite.Test.EICAR-1:0:*:${Buffer.from(EICAR).toString('hex')}\n`);
    // sigtool --build refuses to build without a COPYING file beside the signatures.
    writeFileSync(path.join(dir, 'COPYING'), 'Test signatures made by the soclite test suite.\n');
    buildStarted = Math.floor(Date.now() / 1000);
    const child = execFile('sigtool', ['--build=soclite-test.cvd', '--unsigned', '--cvd-version=42', `--datadir=${dir}`], { cwd: dir });
    child.stdin!.end('soclite-ci\n'); // sigtool asks for the builder name
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    child.stdout!.on('data', (d) => (stderr += String(d)));
    await new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sigtool --build exited ${code}: ${stderr}`)))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('clamscan --log writes a detection the linux.clamav-log parser reads', async () => {
    const log = path.join(dir, 'scan.log');
    // clamscan exits 1 when something was found.
    const r = await run('clamscan', ['--no-summary', '-d', path.join(dir, 'soclite-test.ndb'), `--log=${log}`, path.join(dir, 'eicar.com'), path.join(dir, 'clean.txt')]).catch((e: { code: number; stdout: string }) => e);
    expect((r as { code?: number }).code).toBe(1);
    const parsed = parsers['linux.clamav-log']!.parse(readFileSync(log, 'utf8')) as { detections: { path: string; signature: string }[] };
    expect(parsed.detections).toEqual([{ path: path.join(dir, 'eicar.com'), signature: 'Soclite.Test.EICAR-1.UNOFFICIAL' }]);
  });

  it('the linux.clamav-db parser reads the build time sigtool wrote, as sigtool --info does', async () => {
    const cvd = readdirSync(dir).find((f) => f.endsWith('.cvd') || f.endsWith('.cud'))!;
    expect(cvd).toBeDefined();
    const header = parsers['linux.clamav-db']!.parse(readFileSync(path.join(dir, cvd)).subarray(0, 512).toString('latin1')) as { builtAtEpoch: number; version: number; signatures: number; builder: string; buildTime: string };
    expect(header.version).toBe(42);
    expect(header.signatures).toBe(1);
    expect(header.builder).toBe('soclite-ci');
    expect(header.builtAtEpoch).toBeGreaterThanOrEqual(buildStarted - 1);
    expect(header.builtAtEpoch).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    // sigtool --info prints the header fields, then exits non-zero because an unsigned database fails the
    // signature check; the fields are what we compare.
    const info = await run('sigtool', [`--info=${path.join(dir, cvd)}`]).then(
      (r) => r.stdout,
      (e: { stdout?: string }) => e.stdout ?? '',
    );
    expect(info).toContain('Version: 42');
    // sigtool prints the human build time with ':' where the header has '-' (the header's field separator is ':').
    expect(info).toContain(`Build time: ${header.buildTime.replace(/(\d\d)-(\d\d) /, '$1:$2 ')}`);
    expect(info).toContain('Version: 42');
  });

  it('the agent finds that database as daily.cvd and ages it from the header', async () => {
    const cvd = readdirSync(dir).find((f) => f.endsWith('.cvd') || f.endsWith('.cud'))!;
    const dbDir = path.join(dir, 'db');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(dbDir);
    copyFileSync(path.join(dir, cvd), path.join(dbDir, 'daily.cvd'));
    const db = await readClamavDb(realHost(), dbDir);
    expect(db?.file).toBe(path.join(dbDir, 'daily.cvd'));
    expect(db?.header.version).toBe(42);
  });
});
