// OCSF 1.8.0 events: Compliance Finding (2003), Detection Finding (2004) and Device Config State Change (5019).
// uids follow the schema's formulas (class_uid = category_uid*1000 + class, type_uid = class_uid*100 +
// activity_id); `time` is epoch milliseconds. Checked in tests against schemas compiled from ../shared/ocsf.
import { isIP } from 'node:net';
import type { ForwardEvent, Severity } from '../types.js';
import { kindInfo } from './kinds.js';

export const OCSF_VERSION = '1.8.0';

export interface OcsfOptions {
  productName: string;
  vendorName: string;
  productVersion: string;
}

const CLASSES = {
  2003: { name: 'Compliance Finding', categoryUid: 2, categoryName: 'Findings' },
  2004: { name: 'Detection Finding', categoryUid: 2, categoryName: 'Findings' },
  5019: { name: 'Device Config State Change', categoryUid: 5, categoryName: 'Discovery' },
} as const;

/** OCSF severity_id: 2 Low, 3 Medium, 4 High, 5 Critical. */
export const OCSF_SEVERITY: Record<Severity, { id: number; name: string }> = {
  low: { id: 2, name: 'Low' },
  medium: { id: 3, name: 'Medium' },
  high: { id: 4, name: 'High' },
  critical: { id: 5, name: 'Critical' },
};

/** Finding activities: 1 Create, 2 Update, 3 Close. */
const FINDING_ACTIVITY = { raised: [1, 'Create'], updated: [2, 'Update'], resolved: [3, 'Close'] } as const;

/** os.type_id from the free-text OS name the agent reported; 0 Unknown when it is none we recognise. */
export function osTypeId(os: string): number {
  const s = os.toLowerCase();
  if (s.includes('windows')) return 100;
  if (s.includes('android')) return 201;
  if (s.includes('linux') || /debian|ubuntu|red hat|rhel|centos|fedora|suse|alpine/.test(s)) return 200;
  if (s.includes('mac') || s.includes('darwin')) return 300;
  return 0;
}

function device(event: ForwardEvent): Record<string, unknown> {
  const ip = event.agent.ips.find((candidate) => isIP(candidate) !== 0);
  return {
    type_id: 0, // Unknown: agents do not report whether the machine is a server, desktop or laptop
    type: 'Unknown',
    uid: event.agent.id,
    hostname: event.agent.hostname,
    name: event.agent.hostname,
    ...(ip ? { ip } : {}),
    os: { name: event.agent.os, type_id: osTypeId(event.agent.os) },
  };
}

export function toOcsfEvent(event: ForwardEvent, opts: OcsfOptions): Record<string, unknown> {
  const info = kindInfo(event.kind);
  const cls = CLASSES[info.ocsf.classUid];
  const time = Date.parse(event.occurredAt);
  if (Number.isNaN(time)) throw new Error(`event ${event.eventId}: occurredAt is not a valid time`);
  const lifecycle = event.lifecycle ?? 'raised';
  const resolved = lifecycle === 'resolved';
  const classUid = info.ocsf.classUid;

  const [activityId, activityName] =
    classUid === 5019 ? ([2, 'Collect'] as const) : FINDING_ACTIVITY[lifecycle];

  const base: Record<string, unknown> = {
    activity_id: activityId,
    activity_name: activityName,
    category_uid: cls.categoryUid,
    category_name: cls.categoryName,
    class_uid: classUid,
    class_name: cls.name,
    type_uid: classUid * 100 + activityId,
    type_name: `${cls.name}: ${activityName}`,
    severity_id: OCSF_SEVERITY[event.severity].id,
    severity: OCSF_SEVERITY[event.severity].name,
    time,
    message: event.title.en,
    metadata: {
      version: OCSF_VERSION,
      uid: event.eventId,
      original_time: event.occurredAt,
      log_name: 'alerts',
      product: { name: opts.productName, vendor_name: opts.vendorName, version: opts.productVersion },
    },
    device: device(event),
    unmapped: {
      kind: event.kind,
      signature_id: info.signatureId,
      unit: event.unit,
      security_level: event.level,
      title_vi: event.title.vi,
      details: event.details,
    },
  };

  if (info.ocsf.classUid === 5019) {
    const state = { state_id: info.ocsf.securityStateId };
    return {
      ...base,
      security_level_id: resolved ? 1 : 2, // 1 Secure, 2 At Risk
      security_level: resolved ? 'Secure' : 'At Risk',
      ...(resolved ? { prev_security_states: [state], security_states: [] } : { security_states: [state] }),
    };
  }

  const finding = {
    ...base,
    status_id: resolved ? 4 : 1, // 4 Resolved, 1 New
    status: resolved ? 'Resolved' : 'New',
    finding_info: {
      uid: event.alertId ?? event.eventId,
      title: event.title.en,
      desc: event.title.vi,
      types: [event.kind],
      created_time: time,
    },
  };
  if (info.ocsf.classUid === 2004) return { ...finding, is_alert: !resolved };

  const control = event.details['controlId'];
  return {
    ...finding,
    compliance: {
      standards: [`VN ND85/TT12 level ${event.level}`],
      control: typeof control === 'string' ? control : event.kind,
      status_id: resolved ? 1 : 3, // 1 Pass, 3 Fail
      status: resolved ? 'Pass' : 'Fail',
    },
  };
}
