// The policy room's public face: load a policy set (refusing bad packs with file+line), evaluate postures into
// findings, explain controls. Pure apart from reading the policy folder in loadPolicySet.
export { loadPolicySet, buildPolicySet, readPackFiles, type LoadOptions, type PackFiles, type PolicyFile } from './load.js';
export { evaluatePosture } from './evaluate.js';
export { postureAsOf } from './current-facts.js';
export { explainControl, formatExplanation, type ControlExplanation } from './explain.js';
export { PolicyLoadError, formatProblem } from './errors.js';
export { checkPatternSafety } from './safe-regex.js';
export * from './types.js';
export { defaultPolicyDir } from './default-dir.js';
