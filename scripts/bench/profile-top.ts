// Where a V8 CPU profile's time went: self time per function (top N) and the share of the time spent inside
// chosen functions (inclusive), from a .cpuprofile (node --cpu-prof, or bench:ingest's BENCH_PROFILE_PHASE).
// With --long-turns MS, also every stretch of busy samples (one turn of the event loop, roughly) longer than MS:
// when it ran and what it spent its time in.
// Usage: npx tsx scripts/bench/profile-top.ts FILE [--top N] [--inside name1,name2,...] [--long-turns MS [--skip fn1,fn2]]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' }, inside: { type: 'string' }, 'long-turns': { type: 'string' }, skip: { type: 'string' } } });
if (!positionals[0]) throw new Error('usage: profile-top.ts FILE [--top N] [--inside a,b]');
const prof = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
const busy = total - idle;
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules\/|work\/main\/)?/, '')}:${n.callFrame.lineNumber + 1}`;

const selfByLabel = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(idle)') continue;
  selfByLabel.set(label(n), (selfByLabel.get(label(n)) ?? 0) + t);
}
console.log(`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled (${((busy / total) * 100).toFixed(1)} %)`);
const top = Number(values.top ?? 40);
for (const [l, t] of [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / busy) * 100).toFixed(1).padStart(5)} %  ${l}`);

if (values.inside) {
  console.log('\ninclusive (share of busy time spent inside):');
  for (const name of values.inside.split(',')) {
    let t = 0;
    for (const [id, dt] of self) {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        if (byId.get(cur)!.callFrame.functionName === name) {
          t += dt;
          break;
        }
      }
    }
    console.log(`${((t / busy) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
}

if (values['long-turns']) {
  const minUs = Number(values['long-turns']) * 1000;
  const isIdle = (id: number) => byId.get(id)!.callFrame.functionName === '(idle)';
  const turns: { startUs: number; us: number; samples: number[] }[] = [];
  let t = 0;
  let cur: { startUs: number; us: number; samples: number[] } | undefined;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    t += dt;
    if (isIdle(id)) {
      if (cur && cur.us >= minUs) turns.push(cur);
      cur = undefined;
      return;
    }
    cur ??= { startUs: t, us: 0, samples: [] };
    cur.us += dt;
    cur.samples.push(id);
  });
  if (cur && cur.us >= minUs) turns.push(cur);
  const busyInTurns = turns.reduce((a, x) => a + x.us, 0);
  console.log(`\n${turns.length} busy stretches of ${values['long-turns']} ms or more (${((busyInTurns / busy) * 100).toFixed(1)} % of busy time); the longest 15, with the functions they were inside:`);
  // --skip: leave out stretches mostly inside these functions (a known cause), to see what else is long.
  const skip = (values.skip ?? '').split(',').filter(Boolean);
  const listed = turns.filter((turn) => {
    if (!skip.length) return true;
    const inSkipped = turn.samples.filter((id) => {
      for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) if (skip.includes(byId.get(c)!.callFrame.functionName)) return true;
      return false;
    }).length;
    return inSkipped * 2 < turn.samples.length;
  });
  if (skip.length) console.log(`(${turns.length - listed.length} of them mostly inside ${skip.join(', ')}: left out)`);
  for (const turn of [...listed].sort((a, b) => b.us - a.us).slice(0, 15)) {
    const inside = new Map<string, number>();
    for (const id of turn.samples) {
      const seen = new Set<string>();
      for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) {
        const n = byId.get(c)!;
        const name = n.callFrame.functionName;
        if (!name || name === '(root)' || !n.callFrame.url.includes('/work/') || n.callFrame.url.includes('node_modules')) {
          if (name === '(garbage collector)' || name === '(program)') seen.add(name);
          continue;
        }
        seen.add(label(n));
      }
      for (const l of seen) inside.set(l, (inside.get(l) ?? 0) + 1);
    }
    const top = [...inside].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([l, k]) => `${l.replace(/ .*\//, ' ')} ${Math.round((k / turn.samples.length) * 100)}%`);
    console.log(`  at ${(turn.startUs / 1e6).toFixed(2)} s: ${(turn.us / 1000).toFixed(1)} ms — ${top.join('; ')}`);
  }
}
