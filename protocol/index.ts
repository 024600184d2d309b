// The protocol room's public face: schemas, types and the signing rules shared by agent and collector.
export * from './common.js';
export * from './posture.js';
export * from './events.js';
export * from './messages.js';
export * from './signing.js';
export * from './canonical.js';
export * from './session-key.js';
