// `soclite evidence export|verify`: signed compliance evidence bundles for auditors.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportBundle } from '../../collector/evidence/export.js';
import { EvidenceSourceError } from '../../collector/evidence/fleet-pass.js';
import { loadOrCreateCollectorKey } from '../../collector/evidence/keys.js';
import { openEvidenceSource } from '../../collector/evidence/open-source.js';
import { ProgressBar } from '../../collector/evidence/progress-bar.js';
import { ScopeError, parseEvidenceScope } from '../../collector/evidence/scope.js';
import { verifyBundle } from '../../collector/evidence/verify.js';
import { parseCli } from '../args.js';
import { configFromFlags } from '../options.js';
import { CliError } from '../errors.js';

const EXPORT_USAGE =
  'soclite evidence export --level N [--unit U] [--system S] [--from D --to D | --as-of D] [--config F] [--data-dir D] --out PATH';
const VERIFY_USAGE = 'soclite evidence verify PATH [--key PUBLIC_KEY.pem]';

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'export') return exportCommand(rest);
  if (sub === 'verify') return verifyCommand(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(`usage: ${EXPORT_USAGE}\n       ${VERIFY_USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  throw new CliError(`unknown subcommand "${sub}"\nusage: ${EXPORT_USAGE}\n       ${VERIFY_USAGE}`, 2);
}

/** The version in the package.json above this file (source tree or dist/), for the report's "generator". */
function soclitVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'soclite' && pkg.version) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(
    args,
    {
      level: { type: 'string' },
      unit: { type: 'string' },
      system: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'as-of': { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      out: { type: 'string' },
    },
    EXPORT_USAGE,
  );
  if (values.help) {
    process.stdout.write(`usage: ${EXPORT_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\nusage: ${EXPORT_USAGE}`, 2);
  if (!values.out) throw new CliError(`--out PATH is required\nusage: ${EXPORT_USAGE}`, 2);
  let scope;
  try {
    scope = parseEvidenceScope({
      level: values.level, unit: values.unit, system: values.system, from: values.from, to: values.to, asOf: values['as-of'],
    });
  } catch (err) {
    if (err instanceof ScopeError) throw new CliError(`${err.message}\nusage: ${EXPORT_USAGE}`, 2);
    throw err;
  }
  const outPath = path.resolve(values.out);
  // Evidence handed to an auditor is never silently replaced.
  if (existsSync(outPath)) throw new CliError(`${outPath} already exists; choose another --out`);
  if (!existsSync(path.dirname(outPath))) throw new CliError(`folder ${path.dirname(outPath)} does not exist`);

  // The collector's configuration (file < environment < flags): the same data dir and the same policy packs,
  // folder and overrides, so the CLI's evidence judges machines by the controls the collector enforces.
  const config = configFromFlags({ config: values.config, 'data-dir': values['data-dir'] });
  const dataDir = path.resolve(config.storage.dataDir);
  const source = await openEvidenceSource(dataDir, {
    ...(config.policy.dir ? { policyDir: config.policy.dir } : {}),
    packs: config.policy.packs,
    overrides: config.policy.overrides as Record<string, unknown>,
  });
  const key = await loadOrCreateCollectorKey(dataDir).catch((err: Error) => {
    throw new CliError(`cannot load the collector signing key: ${err.message}`);
  });
  if (source.findingsOfAnotherPolicy) {
    // The bundle names the policy loaded here; the findings it reads were judged by another one.
    process.stderr.write(
      `warning: the findings were last evaluated in full against policy ${source.findingsOfAnotherPolicy.slice(0, 12)}, not the one loaded now; ` +
        'start the collector (it evaluates every machine again and records it) and export again\n' +
        `cảnh báo: kết quả đánh giá hiện có theo chính sách ${source.findingsOfAnotherPolicy.slice(0, 12)}, không phải chính sách đang nạp; ` +
        'hãy chạy collector để đánh giá lại toàn bộ máy rồi xuất lại\n',
    );
  }
  const bar = new ProgressBar(process.stderr);
  try {
    const result = await exportBundle(source, scope, {
      outPath,
      signingKey: key.privateKey,
      generatorVersion: soclitVersion(),
      onProgress: bar.update,
    });
    bar.finish();
    const v = result.verdicts;
    process.stdout.write(
      [
        `bundle: ${result.outPath}`,
        `bundle id: ${result.bundleId}`,
        `machines: ${result.machines}`,
        `controls: ${v.met_fully} met fully / đáp ứng đầy đủ, ${v.met_partly} partly / một phần, ${v.not_met} not met / chưa đáp ứng, ${v.not_applicable} n/a`,
        `signing key sha256: ${result.fingerprint}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (err) {
    bar.finish();
    if (err instanceof EvidenceSourceError) throw new CliError(`export failed: ${err.message}`);
    throw err;
  } finally {
    source.close();
  }
}

async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, { key: { type: 'string' } }, VERIFY_USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${VERIFY_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(`give exactly one bundle (a .zip or an extracted folder)\nusage: ${VERIFY_USAGE}`, 2);
  const target = path.resolve(positionals[0]!);
  if (!existsSync(target)) throw new CliError(`${target} does not exist`, 2);
  let trustedPublicKeyPem: string | undefined;
  if (values.key) {
    trustedPublicKeyPem = await readFile(values.key, 'utf8').catch((err: Error) => {
      throw new CliError(`cannot read --key ${values.key}: ${err.message}`, 2);
    });
  }
  const report = await verifyBundle(target, trustedPublicKeyPem ? { trustedPublicKeyPem } : {});
  if (report.ok) {
    process.stdout.write(
      `OK: ${report.verified.length} files match SHA256SUMS and its Ed25519 signature is valid\n` +
        `signing key sha256: ${report.fingerprint}${trustedPublicKeyPem ? ' (the trusted key)' : ' (compare it with the one your organisation publishes)'}\n`,
    );
    return 0;
  }
  for (const p of report.problems) process.stdout.write(`${p.kind.toUpperCase()} ${p.file}: ${p.detail}\n`);
  process.stdout.write(`FAILED: ${report.problems.length} problem(s) in ${target}\n`);
  return 1;
}
