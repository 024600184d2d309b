// The shipped Grafana dashboard only queries metrics a real collector exposes, every query is valid PromQL
// (promtool check rules), and our own metric families pass `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, freePort, spawnCli, type CliProcess } from '../helpers/cli.js';

const DASHBOARD = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards', 'soclite.json');
const PROMTOOL = '/usr/bin/promtool';

interface Panel {
  title: string;
  datasource?: { uid?: string };
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; id: unknown; panels: Panel[]; __inputs?: unknown };
const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

const PROMQL_WORDS = new Set(['sum', 'by', 'without', 'rate', 'irate', 'increase', 'histogram_quantile', 'avg', 'max', 'min', 'count', 'le', 'on', 'ignoring', 'and', 'or', 'unless', 'offset', 'bool', 'topk', 'bottomk']);

/** Metric names in a PromQL expression: identifiers outside {...} label matchers, (...) label lists and [...] ranges. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w));
}

let collector: CliProcess;
let metricsText = '';

beforeAll(async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-grafana-')), 'data');
  collector = spawnCli(['collector', '--data-dir', dataDir, '--port', String(await freePort())]);
  const url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  metricsText = await (await fetch(new URL('/metrics', url))).text();
});

afterAll(async () => {
  await collector?.kill('SIGTERM');
});

describe('Grafana dashboard', () => {
  it('is a provisionable classic dashboard: stable uid, null id, datasource by template variable, no __inputs', () => {
    expect(dashboard.uid).toBe('soclite-collector');
    expect(dashboard.id).toBeNull();
    expect(dashboard.__inputs).toBeUndefined();
    expect(readFileSync(DASHBOARD, 'utf8')).not.toContain('${DS_');
    for (const p of dashboard.panels) expect(p.datasource?.uid, p.title).toBe('${datasource}');
    const ds = parseYaml(readFileSync(join(REPO_ROOT, 'deploy/grafana/provisioning/datasources/soclite.yaml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
    expect(ds.datasources[0]).toMatchObject({ uid: 'soclite-prometheus', type: 'prometheus' });
    const prov = parseYaml(readFileSync(join(REPO_ROOT, 'deploy/grafana/provisioning/dashboards/soclite.yaml'), 'utf8')) as { apiVersion: number; providers: { type: string }[] };
    expect(prov.apiVersion).toBe(1);
    expect(prov.providers[0]!.type).toBe('file');
  });

  it('every panel query names only metric families that /metrics exposes', () => {
    const families = new Set<string>();
    for (const m of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      families.add(m[1]!);
      if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) families.add(m[1]! + s);
      if (m[2] === 'summary') for (const s of ['_sum', '_count']) families.add(m[1]! + s);
    }
    expect(exprs.length).toBeGreaterThan(5);
    for (const { panel, expr } of exprs) {
      const names = metricNames(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const n of names) expect(families.has(n), `${panel}: ${n} is not exposed by /metrics`).toBe(true);
    }
  });

  it('every panel query is valid PromQL (promtool check rules)', () => {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} missing: install the Debian package prometheus (see .ci/run)`);
    const rules = { groups: [{ name: 'soclite-dashboard', rules: exprs.map((e, i) => ({ record: `soclite:dashboard_panel_${i}`, expr: e.expr })) }] };
    const file = join(mkdtempSync(join(tmpdir(), 'soclite-rules-')), 'rules.json');
    writeFileSync(file, JSON.stringify(rules)); // JSON is YAML
    const r = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('promtool check metrics passes on our soclite_ families', () => {
    // prom-client's default process metrics (soclite_process_*) break promlint by design (gauges named *_total,
    // see the research note); lint the families the collector defines itself.
    const blocks: string[] = [];
    let keep = false;
    for (const line of metricsText.split('\n')) {
      const m = /^# (?:HELP|TYPE) (\S+)/.exec(line);
      if (m) keep = m[1]!.startsWith('soclite_') && !m[1]!.startsWith('soclite_process_');
      else if (line && !line.startsWith('#')) keep = keep && line.startsWith('soclite_') && !line.startsWith('soclite_process_');
      if (keep && line) blocks.push(line);
    }
    const ours = blocks.join('\n') + '\n';
    expect(ours).toContain('soclite_dashboard_clients_connected');
    const out = spawnSync(PROMTOOL, ['check', 'metrics'], { input: ours, encoding: 'utf8' });
    expect(out.status, out.stdout + out.stderr).toBe(0);
  });
});
