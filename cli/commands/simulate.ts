// `soclite simulate --agents N --server URL --token-file F`: a fleet of virtual agents in this process, for load
// tests and demos. Each agent has its own Ed25519 identity and speaks the real protocol; the fleet is the same
// fleet for the same --seed. Runs for --duration seconds or until Ctrl-C, then prints a summary line.
import { readFileSync } from 'node:fs';
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import { untilSignal } from '../options.js';
import { DEFAULTS, Fleet, type FleetOptions } from '../../scripts/simulate/fleet.js';

const USAGE = `soclite simulate --agents N --server URL --token-file F [options]
  --heartbeat S        seconds between heartbeats (default ${DEFAULTS.heartbeatSec})
  --posture-every S    seconds between full postures (default ${DEFAULTS.postureEverySec})
  --seed X             the same seed gives the same machines (default "soclite")
  --ramp S             spread the agents' first contact over S seconds (default: one heartbeat interval)
  --duration S         stop after S seconds (default: run until Ctrl-C)
  --identity-file F    cache of enrolled identities: a second run reuses them instead of enrolling again
  --connections N      keep-alive connections to the collector (default ${DEFAULTS.connections})
  --change-rate P      chance per posture interval that a machine's state changes (default ${DEFAULTS.changeProbability})
  --event-rate P       chance per posture interval of a malware detection (default ${DEFAULTS.eventProbability})
  --offline-rate P     chance per heartbeat that an agent goes silent for 4-20 intervals (default ${DEFAULTS.offlineProbability})
  --report-every S     status line interval (default 10)
  --goodbye            every agent says goodbye at the end (the collector marks them stopped)
  --no-sessions        sign every report with Ed25519 instead of a session MAC (as an older agent does)`;

function num(v: string | undefined, name: string, fallback: number, o: { min?: number; max?: number; integer?: boolean } = {}): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    throw new CliError(`--${name} must be ${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` >= ${o.min}` : ''}${o.max !== undefined ? ` <= ${o.max}` : ''}, got "${v}"`, 2);
  }
  return n;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli(
    args,
    {
      agents: { type: 'string' },
      server: { type: 'string' },
      'token-file': { type: 'string' },
      heartbeat: { type: 'string' },
      'posture-every': { type: 'string' },
      seed: { type: 'string' },
      ramp: { type: 'string' },
      duration: { type: 'string' },
      'identity-file': { type: 'string' },
      connections: { type: 'string' },
      'change-rate': { type: 'string' },
      'event-rate': { type: 'string' },
      'offline-rate': { type: 'string' },
      'report-every': { type: 'string' },
      goodbye: { type: 'boolean' },
      'no-sessions': { type: 'boolean' },
    },
    USAGE,
    false,
  );
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!values.agents || !values.server) throw new CliError(`--agents and --server are required\nusage: ${USAGE}`, 2);
  let server: URL;
  try {
    server = new URL(values.server);
  } catch {
    throw new CliError(`--server must be a URL such as http://127.0.0.1:8088, got "${values.server}"`, 2);
  }
  if (server.protocol !== 'http:' && server.protocol !== 'https:') throw new CliError('--server must be an http:// or https:// URL', 2);
  let token: string | null = null;
  if (values['token-file']) {
    try {
      token = readFileSync(values['token-file'], 'utf8').trim();
    } catch (err) {
      throw new CliError(`cannot read the token file ${values['token-file']}: ${(err as Error).message}`);
    }
    if (!token) throw new CliError(`the token file ${values['token-file']} is empty`);
  }
  const heartbeatSec = num(values.heartbeat, 'heartbeat', DEFAULTS.heartbeatSec, { min: 0.05 });
  const durationSec = values.duration === undefined ? null : num(values.duration, 'duration', 0, { min: 0 });
  const reportEverySec = num(values['report-every'], 'report-every', 10, { min: 0.1 });
  const log = (line: string) => process.stdout.write(line + '\n');
  const o: FleetOptions = {
    server: server.origin,
    token,
    agents: num(values.agents, 'agents', 0, { min: 1, max: 10_000_000, integer: true }),
    seed: values.seed ?? 'soclite',
    heartbeatSec,
    postureEverySec: num(values['posture-every'], 'posture-every', DEFAULTS.postureEverySec, { min: 0.05 }),
    rampSec: num(values.ramp, 'ramp', heartbeatSec, { min: 0 }),
    identityFile: values['identity-file'],
    connections: num(values.connections, 'connections', DEFAULTS.connections, { min: 1, max: 4096, integer: true }),
    enrollConcurrency: DEFAULTS.enrollConcurrency,
    maxInflight: DEFAULTS.maxInflight,
    changeProbability: num(values['change-rate'], 'change-rate', DEFAULTS.changeProbability, { min: 0, max: 1 }),
    eventProbability: num(values['event-rate'], 'event-rate', DEFAULTS.eventProbability, { min: 0, max: 1 }),
    offlineProbability: num(values['offline-rate'], 'offline-rate', DEFAULTS.offlineProbability, { min: 0, max: 1 }),
    sessions: !values['no-sessions'],
    log,
  };

  const fleet = new Fleet(o);
  log(`simulate: ${o.agents} agents, seed "${o.seed}", heartbeat ${o.heartbeatSec}s, posture every ${o.postureEverySec}s, ramp ${o.rampSec}s, ${o.sessions ? 'session MACs' : 'Ed25519 per report'} -> ${o.server}`);
  let ids;
  try {
    ids = await fleet.enroll();
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  log(`agents: ${ids.reused} from the identity cache, ${ids.enrolled} enrolled now`);
  fleet.start();
  const started = Date.now();
  let lastSent = 0;
  const status = setInterval(() => {
    const s = fleet.stats;
    const sent = s.sent.heartbeat + s.sent.posture + s.sent.events;
    const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
    log(
      `t=${Math.round((Date.now() - started) / 1000)}s reports=${sent} (+${Math.round((sent - lastSent) / reportEverySec)}/s) heartbeats=${s.accepted.heartbeat} postures=${s.accepted.posture} events=${s.accepted.events} errors=${errors} p50=${fmt(s.window.percentile(50))}ms p99=${fmt(s.window.percentile(99))}ms inflight=${fleet.inFlight} queued=${fleet.queued}`,
    );
    lastSent = sent;
    s.window.reset();
  }, reportEverySec * 1000);
  const stopBy = durationSec === null ? untilSignal() : Promise.race([untilSignal(), new Promise((r) => setTimeout(r, durationSec * 1000))]);
  await stopBy;
  clearInterval(status);
  await fleet.stop({ goodbye: values.goodbye });
  log(`summary: ${JSON.stringify({ agents: o.agents, seed: o.seed, seconds: Math.round((Date.now() - started) / 100) / 10, enrolledNow: ids.enrolled, reused: ids.reused, ...fleet.stats.summary() })}`);
  const errors = Object.keys(fleet.stats.errors).filter((k) => !k.startsWith('enroll:rate_limited'));
  return errors.length && fleet.stats.accepted.heartbeat + fleet.stats.accepted.posture === 0 ? 1 : 0;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
