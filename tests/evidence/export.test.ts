import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, unlink, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFY_SIGNATURE_COMMAND, VERIFY_SUMS_COMMAND } from '../../collector/evidence/bundle-readme.js';
import { exportBundle } from '../../collector/evidence/export.js';
import type { EvidenceScope } from '../../collector/evidence/source.js';
import { verifyBundle } from '../../collector/evidence/verify.js';
import { parseCsv } from './csv-parse.js';
import { BREAK_AT, HOSTILE, NOW, fixtureSource } from './fleet-fixture.js';
import { extractFlatZip } from './unzip.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const sharedDir = path.resolve(repoRoot, '../shared');
const oscalSchemaPath = path.join(sharedDir, 'oscal/v1.1.2/oscal_assessment-results_schema.json');

const EXPECTED_FILES = [
  'assessment-results.json', 'controls.csv', 'findings.csv', 'machines.csv', 'history.csv', 'attestations.csv', 'report.html',
  'report.pdf', 'public-key.pem', 'README.txt', 'manifest.json', 'SHA256SUMS', 'SHA256SUMS.sig',
];

const { privateKey } = generateKeyPairSync('ed25519');
let tmp: string;

async function exportTo(name: string, scope: EvidenceScope): Promise<{ zip: string; dir: string }> {
  const zip = path.join(tmp, `${name}.zip`);
  await exportBundle(fixtureSource(), scope, { outPath: zip, signingKey: privateKey, generatorVersion: '9.9.9-test', now: NOW });
  const dir = path.join(tmp, name);
  await extractFlatZip(zip, dir);
  return { zip, dir };
}

const readCsv = async (file: string): Promise<string[][]> => {
  const text = await readFile(file, 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  return parseCsv(text.slice(1));
};

/** Rows of a CSV as objects keyed by the header. */
const records = (rows: string[][]): Record<string, string>[] => rows.slice(1).map((r) => Object.fromEntries(rows[0]!.map((h, i) => [h, r[i]!])));

describe('evidence bundle export', () => {
  let bundle: { zip: string; dir: string };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'soclite-evidence-test-'));
    bundle = await exportTo('period', { level: 3, from: new Date('2025-03-01T00:00:00Z'), to: NOW });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('contains exactly the bundle files', async () => {
    expect((await readdir(bundle.dir)).sort()).toEqual([...EXPECTED_FILES].sort());
  });

  it('writes an OSCAL assessment-results document valid against the official schema', async () => {
    const doc = JSON.parse(await readFile(path.join(bundle.dir, 'assessment-results.json'), 'utf8'));
    if (!existsSync(oscalSchemaPath)) {
      console.warn(`shared fixtures absent (${oscalSchemaPath}): OSCAL schema check did not run`);
    } else {
      const schema = JSON.parse(await readFile(oscalSchemaPath, 'utf8'));
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      const ajv = new Ajv.default({ allErrors: true, strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(schema);
      const valid = validate(doc);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    }
    const result = doc['assessment-results'].results[0];
    // Subjects are machines: every observation points at an inventory item of the result.
    const items = new Set(result['local-definitions']['inventory-items'].map((i: { uuid: string }) => i.uuid));
    expect(items.size).toBe(3);
    expect(result.observations).toHaveLength(9); // 3 machines x 3 machine-assessed controls
    for (const o of result.observations) expect(items.has(o.subjects[0]['subject-uuid'])).toBe(true);
    const byControl = new Map<string, { target: { 'target-id': string; status: { state: string } }; 'related-observations'?: unknown[] }>(
      result.findings.map((f: { props: { name: string; value: string }[] }) => [f.props.find((p) => p.name === 'control-id')!.value, f]),
    );
    expect(byControl.get('vn.l3.av-realtime')!.target.status.state).toBe('not-satisfied');
    expect(byControl.get('vn.l3.av-realtime')!['related-observations']).toHaveLength(3);
    expect(byControl.get('8.2')!.target.status.state).toBe('satisfied');
    expect(byControl.get('8.2')!.target['target-id']).toBe('c-8.2');
    expect(byControl.get('vn.l3.policy-doc')!.target.status.state).toBe('satisfied');
    expect(byControl.get('vn.l3.policy-doc')!['related-observations']).toBeUndefined();
    const hostileObs = result.observations.find((o: { description: string }) => o.description.includes('HYPERLINK'));
    expect(hostileObs.description).toContain('<script>'); // kept as data, JSON-escaped; never interpreted
    expect(doc['assessment-results']['back-matter'].resources.some((r: { rlinks?: { hashes: { value: string }[] }[] }) => r.rlinks?.[0]?.hashes[0]?.value === 'a'.repeat(64))).toBe(true);
  });

  it('passes the README\'s exact sha256sum and openssl commands', async () => {
    const readme = await readFile(path.join(bundle.dir, 'README.txt'), 'utf8');
    expect(readme).toContain(VERIFY_SUMS_COMMAND);
    expect(readme).toContain(VERIFY_SIGNATURE_COMMAND);
    const sums = await run('sh', ['-c', VERIFY_SUMS_COMMAND], { cwd: bundle.dir });
    expect(sums.stdout.trim().split('\n')).toHaveLength(11);
    expect(sums.stdout).not.toMatch(/FAILED/);
    const sig = await run('sh', ['-c', VERIFY_SIGNATURE_COMMAND], { cwd: bundle.dir });
    expect(sig.stdout).toContain('Signature Verified Successfully');
  });

  it('verifies both the zip and the extracted folder', async () => {
    for (const target of [bundle.zip, bundle.dir]) {
      const report = await verifyBundle(target);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.verified).toHaveLength(11);
    }
  });

  it('fails verification naming each file whose byte was changed', async () => {
    for (const name of EXPECTED_FILES) {
      const dir = path.join(tmp, `tamper-${name}`);
      await extractFlatZip(bundle.zip, dir);
      const file = path.join(dir, name);
      const bytes = await readFile(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      await writeFile(file, bytes);
      const report = await verifyBundle(dir);
      expect(report.ok, name).toBe(false);
      if (name === 'SHA256SUMS' || name === 'SHA256SUMS.sig') {
        const sig = report.problems.find((p) => p.kind === 'signature' || p.file === name);
        expect(sig, name).toBeDefined();
        expect(`${sig!.file} ${sig!.detail}`).toContain(name);
      } else {
        expect(report.problems.map((p) => p.file), name).toContain(name);
      }
      // And the stock tools agree.
      const tool = name === 'SHA256SUMS.sig' || name === 'SHA256SUMS' ? VERIFY_SIGNATURE_COMMAND : VERIFY_SUMS_COMMAND;
      await expect(run('sh', ['-c', tool], { cwd: dir })).rejects.toThrow();
    }
  });

  it('names missing and unexpected files', async () => {
    const dir = path.join(tmp, 'missing-extra');
    await extractFlatZip(bundle.zip, dir);
    await unlink(path.join(dir, 'history.csv'));
    await writeFile(path.join(dir, 'notes.txt'), 'added later');
    const report = await verifyBundle(dir);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'history.csv', kind: 'missing' }),
        expect.objectContaining({ file: 'notes.txt', kind: 'extra' }),
      ]),
    );
  });

  it('names the entry whose compressed bytes were corrupted inside the zip', async () => {
    const copy = path.join(tmp, 'corrupt.zip');
    await writeFile(copy, await readFile(bundle.zip));
    const offset = await entryDataOffset(copy, 'findings.csv');
    const fh = await open(copy, 'r+');
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, offset + 20);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, offset + 20);
    await fh.close();
    const report = await verifyBundle(copy);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.file)).toContain('findings.csv');
  });

  it('writes findings.csv with every machine x control, unknown for missing results, hostile values neutralised', async () => {
    const rows = records(await readCsv(path.join(bundle.dir, 'findings.csv')));
    expect(rows).toHaveLength(9);
    const missing = rows.find((r) => r.agent_id === 'agent-03' && r.control_id === 'vn.l3.patches')!;
    expect(missing.status).toBe('unknown');
    expect(missing.reason).toMatch(/no result recorded/);
    const hostile = rows.find((r) => r.agent_id === 'agent-02' && r.control_id === 'vn.l3.av-realtime')!;
    expect(hostile.observed).toBe(`'${HOSTILE}`);
    expect(hostile.hostname).toBe(`'@srv-"web"-02`);
    const broke = rows.find((r) => r.agent_id === 'agent-01' && r.control_id === 'vn.l3.av-realtime')!;
    expect(broke.status).toBe('fail');
    expect(broke.since).toBe('2025-04-10T09:30:00Z');
  });

  it('writes controls.csv with the annual report verdicts in Vietnamese and English', async () => {
    const rows = records(await readCsv(path.join(bundle.dir, 'controls.csv')));
    const v = Object.fromEntries(rows.map((r) => [r.control_id, r]));
    expect(v['vn.l3.av-realtime']!.verdict_vi).toBe('Đáp ứng một phần');
    expect(v['vn.l3.av-realtime']!.verdict_en).toBe('Met partly');
    expect([v['vn.l3.av-realtime']!.machines_pass, v['vn.l3.av-realtime']!.machines_fail, v['vn.l3.av-realtime']!.machines_unknown]).toEqual(['1', '1', '1']);
    expect(v['8.2']!.verdict_vi).toBe('Đáp ứng đầy đủ');
    expect(v['vn.l3.policy-doc']!.verdict_vi).toBe('Đáp ứng đầy đủ');
    expect(v['vn.l3.policy-doc']!.attestations_valid).toBe('1');
    expect(rows).toHaveLength(4);
  });

  it('writes history.csv with every transition in the period, in time order', async () => {
    const rows = records(await readCsv(path.join(bundle.dir, 'history.csv')));
    expect(rows).toHaveLength(9); // 8 first evaluations + the break; the repeated pass on 2025-04-01 is not a transition
    expect(rows.at(-1)).toMatchObject({ at: '2025-04-10T09:30:00Z', agent_id: 'agent-01', from: 'pass', to: 'fail' });
    const attest = records(await readCsv(path.join(bundle.dir, 'attestations.csv')));
    expect(attest[0]).toMatchObject({ document_sha256: 'a'.repeat(64), valid_at_period_end: 'true', attested_by: 'Nguyễn Văn An, Giám đốc' });
  });

  it('shows a control passing as of a date before it broke and failing as of a date after', async () => {
    const before = await exportTo('before', { level: 3, unit: 'van-phong', to: new Date(BREAK_AT.getTime() - 60_000) });
    const after = await exportTo('after', { level: 3, unit: 'van-phong', to: new Date(BREAK_AT.getTime() + 60_000) });
    const statusOf = async (dir: string) =>
      records(await readCsv(path.join(dir, 'findings.csv'))).find((r) => r.control_id === 'vn.l3.av-realtime')!;
    expect(await statusOf(before.dir)).toMatchObject({ agent_id: 'agent-01', status: 'pass', since: '2025-03-01T08:00:00Z' });
    expect(await statusOf(after.dir)).toMatchObject({ agent_id: 'agent-01', status: 'fail', since: '2025-04-10T09:30:00Z' });
    const verdict = async (dir: string) =>
      records(await readCsv(path.join(dir, 'controls.csv'))).find((r) => r.control_id === 'vn.l3.av-realtime')!.verdict;
    expect(await verdict(before.dir)).toBe('met_fully');
    expect(await verdict(after.dir)).toBe('not_met');
    const state = async (dir: string) => {
      const doc = JSON.parse(await readFile(path.join(dir, 'assessment-results.json'), 'utf8'));
      const f = doc['assessment-results'].results[0].findings.find((x: { target: { 'target-id': string } }) => x.target['target-id'] === 'vn.l3.av-realtime');
      return f.target.status.state;
    };
    expect(await state(before.dir)).toBe('satisfied');
    expect(await state(after.dir)).toBe('not-satisfied');
    const machines = records(await readCsv(path.join(before.dir, 'machines.csv')));
    expect(machines.map((m) => m.agent_id)).toEqual(['agent-01']);
    expect((await verifyBundle(after.zip)).ok).toBe(true);
  });

  it('renders report.pdf with pdftoppm and keeps the Vietnamese text', async () => {
    const pdf = path.join(bundle.dir, 'report.pdf');
    const prefix = path.join(tmp, 'page');
    await run('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', pdf, prefix]);
    const png = (await readdir(tmp)).find((f) => f.startsWith('page') && f.endsWith('.png'));
    expect(png).toBeDefined();
    const head = (await readFile(path.join(tmp, png!))).subarray(0, 8);
    expect(head.toString('hex')).toBe('89504e470d0a1a0a');
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', pdf, '-']);
    for (const s of ['Báo cáo bằng chứng tuân thủ', 'Đáp ứng một phần', 'Sở Thông tin và Truyền thông tỉnh Quảng Nam', 'soclite 9.9.9-test', 'pc-ketoan-01']) {
      expect(stdout.replace(/\s+/g, ' ')).toContain(s);
    }
  });

  it('writes report.html escaped, bilingual, with scope and generator', async () => {
    const html = await readFile(path.join(bundle.dir, 'report.html'), 'utf8');
    expect(html).toContain('Đáp ứng một phần');
    expect(html).toContain('Met partly');
    expect(html).toContain('@srv-&quot;web&quot;-02');
    expect(html).not.toContain('@srv-"web"-02');
    expect(html).toContain('soclite 9.9.9-test');
    expect(html).toContain('Quyết định số 123/QĐ-STTTT ngày 15/01/2025');
    expect(html).toContain('2025-03-01 00:00Z → 2025-05-01 00:00Z');
  });

  it('refuses findings that are out of machine order instead of mis-attributing them', async () => {
    const source = fixtureSource();
    const shuffled = Object.assign(Object.create(Object.getPrototypeOf(source)), source, {
      async *findings(scope: EvidenceScope) {
        const all = [];
        for await (const f of source.findings(scope)) all.push(f);
        yield* all.reverse();
      },
    });
    const out = path.join(tmp, 'bad-order.zip');
    await expect(
      exportBundle(shuffled, { level: 3, to: NOW }, { outPath: out, signingKey: privateKey, generatorVersion: 't', now: NOW }),
    ).rejects.toThrow(/not grouped by machine|not a machine in scope/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('evidence export failures', () => {
  it('fails cleanly when the zip cannot be written once packaging started: no partial file, no staging left', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'soclite-evidence-fail-'));
    try {
      const stageDir = path.join(work, 'stage');
      await mkdir(stageDir);
      const out = path.join(work, 'missing-folder', 'bundle.zip');
      await expect(
        exportBundle(fixtureSource(), { level: 3, to: NOW }, { outPath: out, signingKey: privateKey, generatorVersion: 't', now: NOW, tmpDir: stageDir }),
      ).rejects.toThrow(/ENOENT/);
      expect(await readdir(stageDir)).toEqual([]);
      expect(existsSync(path.dirname(out))).toBe(false);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

/** Offset of an entry's compressed data in a zip (after its local header). */
async function entryDataOffset(zipPath: string, name: string): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const entry = await new Promise<yauzl.Entry>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => (e.fileName === name ? resolve(e) : zip.readEntry()));
    zip.on('end', () => reject(new Error(`${name} not in zip`)));
    zip.readEntry();
  });
  const fh = await open(zipPath, 'r');
  const header = Buffer.alloc(30);
  await fh.read(header, 0, 30, entry.relativeOffsetOfLocalHeader);
  await fh.close();
  zip.close();
  return entry.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}
