// Public surface of the forwarder room. Alert rules build ForwardEvents and call DeliveryEngine.enqueue inside
// their transaction; the store adds FORWARD_QUEUE_MIGRATION to its migrations; config loading uses
// parseForwardConfig / DestinationSchema.
export { DeliveryEngine, type DeliveryEngineOptions, type ForwardLogger } from './delivery.js';
export { DestinationSchema, ForwardConfigSchema, parseForwardConfig, ForwardConfigError, type DestinationConfig, type ForwardConfig } from './config.js';
export { SqliteForwardQueue, FORWARD_QUEUE_MIGRATION } from './sqlite-queue.js';
export type { ForwardQueue, QueuedEvent, EnqueueOptions, EnqueueResult } from './queue.js';
export { ForwardEventSchema, SEVERITIES, type ForwardEvent, type Severity, type ForwardFormat } from './types.js';
export { assertForwardEvent, InvalidForwardEventError } from './validate.js';
export { KNOWN_KINDS, kindInfo } from './encoders/kinds.js';
export type { ProducerInfo } from './encoders/render.js';
export { verifyWebhook, signWebhook, TIMESTAMP_HEADER, SIGNATURE_HEADER } from './sinks/webhook-signature.js';
