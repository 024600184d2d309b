// Evaluating one posture against a policy set: pure, no I/O, fast (checks were compiled at load). The order of
// decisions matters and is the same for every caller (collector, CLI, evidence): level, then platform and
// role (not_applicable), then the check itself.
import type { Posture } from '../../protocol/posture.js';
import { clip } from './check-compiler.js';
import type { Attestation, CompiledControl, EvalEnv, EvaluationContext, Finding, PolicySet } from './types.js';

const NO_ATTESTATIONS: readonly Attestation[] = [];

export function evaluatePosture(set: PolicySet, posture: Posture | undefined, ctx: EvaluationContext): Finding[] {
  if (!Number.isInteger(ctx.level) || ctx.level < 1 || ctx.level > 5) {
    throw new RangeError(`security level must be an integer 1-5, got ${String(ctx.level)}`);
  }
  if (ctx.packs) {
    for (const p of ctx.packs) if (!set.packs[p]) throw new RangeError(`pack "${p}" is not in the policy set (loaded: ${Object.keys(set.packs).join(', ')})`);
  }
  const now = (ctx.now ?? new Date()).getTime();
  const tierOf = tierResolver(set, ctx.level);
  const platform = posture?.host?.os?.platform;
  const role = posture?.host?.role;
  const env: EvalEnv = { posture, now, attestations: ctx.attestations ?? NO_ATTESTATIONS, controlId: '', scratch: undefined };
  const findings: Finding[] = [];
  const packs = ctx.packs;
  const controls = set.controls;
  for (let i = 0; i < controls.length; i++) {
    const control = controls[i] as CompiledControl;
    if (packs && !packs.includes(control.pack)) continue;
    findings.push(evaluateControl(control, tierOf(control.pack), env, platform, role));
  }
  return findings;
}

function tierResolver(set: PolicySet, level: number): (pack: string) => string | undefined {
  const byPack: Record<string, string | undefined> = {};
  for (const [id, pack] of Object.entries(set.packs)) byPack[id] = pack.tiers.find((t) => t.securityLevels.includes(level))?.id;
  return (pack) => byPack[pack];
}

function evaluateControl(control: CompiledControl, tier: string | undefined, env: EvalEnv, platform: string | undefined, role: string | undefined): Finding {
  const compiled = tier === undefined ? undefined : control.byTier[tier];
  if (!compiled) {
    const why = tier === undefined ? 'the pack defines no tier for this security level' : `not required at level ${tier} (required at: ${control.levels.join(', ')})`;
    return finding(control, 'not_applicable', why, {}, '');
  }
  if (compiled.needsPosture) {
    if (!env.posture) return finding(control, 'unknown', 'no posture received from this machine', {}, compiled.expected);
    if (platform === undefined) return finding(control, 'unknown', 'fact "host.os.platform" not reported', {}, compiled.expected);
    if (!(control.platforms as string[]).includes(platform)) {
      return finding(control, 'not_applicable', `not for platform ${clip(platform)}`, { 'host.os.platform': clip(platform) }, compiled.expected);
    }
    // A host that does not say its role gets the control: applying it when unsure is the strict choice.
    if (control.roles && role !== undefined && !(control.roles as string[]).includes(role)) {
      return finding(control, 'not_applicable', `not for ${clip(role)} machines`, { 'host.role': clip(role) }, compiled.expected);
    }
  }
  env.controlId = control.id;
  const r = compiled.evaluate(env);
  const reason = r.status === 'pass' ? undefined : r.missing && env.posture ? withProbeError(r.reason ?? '', r.missing, env.posture) : r.reason;
  return finding(control, r.status, reason, r.observed, compiled.expected);
}

/** One object shape for every finding keeps the hot loop monomorphic; a pass has no reason property. */
function finding(control: CompiledControl, status: Finding['status'], reason: string | undefined, observed: Record<string, unknown>, expected: string): Finding {
  if (reason === undefined) return { controlId: control.id, pack: control.pack, status, observed, expected, severity: control.severity };
  return { controlId: control.id, pack: control.pack, status, reason, observed, expected, severity: control.severity };
}

/** Names the probe that failed to report a missing fact, when the agent said so in agent.probeErrors. */
function withProbeError(reason: string, missing: string, posture: Posture): string {
  const errors = posture.agent?.probeErrors;
  if (!Array.isArray(errors) || errors.length === 0) return reason;
  const fact = missing.replace(/\[\]/g, '');
  let best: { probe: string; error: string } | undefined;
  for (const e of errors) {
    if (!e || typeof e.probe !== 'string' || typeof e.error !== 'string') continue;
    const matches = fact === e.probe || fact.startsWith(`${e.probe}.`) || e.probe.startsWith(`${fact}.`);
    if (matches && (!best || e.probe.length > best.probe.length)) best = e;
  }
  return best ? `${reason}; probe "${clip(best.probe)}" failed: ${clip(best.error)}` : reason;
}
