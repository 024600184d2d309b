// The posture model: the state of one endpoint as one document. Every section is optional; a missing section
// (or a missing fact inside one) means "unknown", with its reason in agent.probeErrors. Consumers never treat
// absence as a pass.
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Int, IsoTime, List, LongText, NonNegative, ShortText, Source, Strict } from './common.js';

export const ProbeError = Strict({
  probe: ShortText({ maxLength: 100, description: 'probe or fact path, e.g. "av" or "hardening.diskEncryption"' }),
  error: LongText(1000),
});

export const AgentSection = Strict({
  id: ShortText({ maxLength: 64 }),
  version: ShortText({ maxLength: 40 }),
  seq: Int(),
  collectedAt: IsoTime,
  scanMs: NonNegative,
  rssBytes: NonNegative,
  cpuPercent: NonNegative,
  probeErrors: List(ProbeError, 256),
});

export const OsInfo = Strict({
  platform: Type.Union([Type.Literal('linux'), Type.Literal('windows'), Type.Literal('darwin'), Type.Literal('other')]),
  family: ShortText({ maxLength: 64 }),
  name: ShortText({ maxLength: 128 }),
  version: ShortText({ maxLength: 64 }),
  build: ShortText({ maxLength: 64 }),
  kernel: ShortText({ maxLength: 128 }),
});

export const HostSection = Strict({
  hostname: ShortText({ maxLength: 255 }),
  os: OsInfo,
  hardwareId: ShortText({ maxLength: 128 }),
  bootAt: Type.Optional(IsoTime),
  ips: List(ShortText({ maxLength: 64 }), 256),
  macs: List(ShortText({ maxLength: 32 }), 256),
  role: Type.Optional(Type.Union([Type.Literal('workstation'), Type.Literal('server')])),
  health: Type.Optional(
    Strict({
      cpuLoadPercent: Type.Optional(NonNegative),
      memoryTotalBytes: Type.Optional(NonNegative),
      memoryFreeBytes: Type.Optional(NonNegative),
      diskFreeBytes: Type.Optional(NonNegative),
      diskTotalBytes: Type.Optional(NonNegative),
    }),
  ),
});

export const AvStatus = Type.Union([
  Type.Literal('protected'),
  Type.Literal('degraded'),
  Type.Literal('unprotected'),
  Type.Literal('unknown'),
]);

export const AvProduct = Strict({
  name: ShortText({ maxLength: 200 }),
  vendor: ShortText({ maxLength: 200 }),
  kind: Type.Union([Type.Literal('av'), Type.Literal('edr'), Type.Literal('av+edr')]),
  running: Type.Optional(Type.Boolean()),
  realtime: Type.Optional(Type.Boolean()),
  upToDate: Type.Optional(Type.Boolean()),
  signatureAgeHours: Type.Optional(NonNegative),
  // When the signatures were built or last updated. An agent that knows it sends it: the age then grows
  // every scan while the machine's state does not change, so the posture hash covers this time and not the
  // age (canonical.ts), and the collector computes the age again when it evaluates (policy/current-facts.ts).
  signaturesUpdatedAt: Type.Optional(IsoTime),
  signatureVersion: Type.Optional(ShortText({ maxLength: 128 })),
  managed: Type.Optional(Type.Boolean()),
  tamperProtected: Type.Optional(Type.Boolean()),
  passive: Type.Optional(Type.Boolean()),
  source: Source,
});

export const AvSection = Strict({
  status: AvStatus,
  reasons: List(ShortText({ maxLength: 500 }), 64),
  products: List(AvProduct, 32),
});

export const PatchesSection = Strict({
  pendingTotal: Type.Optional(Int()),
  pendingSecurity: Type.Optional(Int()),
  lastCheckAt: Type.Optional(IsoTime),
  lastInstallAt: Type.Optional(IsoTime),
  rebootRequired: Type.Optional(Type.Boolean()),
  autoUpdate: Type.Optional(Type.Boolean()),
  pending: Type.Optional(
    List(
      Strict({
        name: ShortText({ maxLength: 200 }),
        version: Type.Optional(ShortText({ maxLength: 128 })),
        security: Type.Boolean(),
      }),
      5000,
    ),
  ),
  source: Source,
});

export const ListeningSocket = Strict({
  proto: Type.Union([Type.Literal('tcp'), Type.Literal('udp')]),
  address: ShortText({ maxLength: 64 }),
  port: Int(0, 65535),
  process: Type.Optional(ShortText({ maxLength: 256 })),
  pid: Type.Optional(Int()),
  exposed: Type.Boolean({ description: 'bound to an address reachable from other hosts (not loopback)' }),
});

export const FirewallSection = Strict({
  enabled: Type.Optional(Type.Boolean()),
  defaultInbound: Type.Optional(
    Type.Union([Type.Literal('allow'), Type.Literal('deny'), Type.Literal('reject'), Type.Literal('unknown')]),
  ),
  profiles: List(
    Strict({
      name: ShortText({ maxLength: 64 }),
      enabled: Type.Boolean(),
      defaultInbound: Type.Optional(ShortText({ maxLength: 32 })),
    }),
    16,
  ),
  source: Type.Optional(Source),
});

export const NetworkSection = Strict({
  listening: List(ListeningSocket, 4096),
  firewall: Type.Optional(FirewallSection),
  interfaces: List(
    Strict({
      name: ShortText({ maxLength: 64 }),
      mac: Type.Optional(ShortText({ maxLength: 32 })),
      addresses: List(ShortText({ maxLength: 64 }), 64),
      up: Type.Optional(Type.Boolean()),
    }),
    256,
  ),
  defaultGateways: List(ShortText({ maxLength: 64 }), 16),
  wifi: Type.Optional(Strict({ connected: Type.Boolean(), ssid: Type.Optional(ShortText({ maxLength: 64 })), security: Type.Optional(ShortText({ maxLength: 64 })) })),
});

const Toggle = <P extends TProperties = Record<never, never>>(extra: P = {} as P) =>
  Strict({ enabled: Type.Boolean(), source: Type.Optional(Source), ...extra });

export const HardeningSection = Strict({
  diskEncryption: Type.Optional(
    Toggle({
      volumes: Type.Optional(
        List(Strict({ mount: ShortText({ maxLength: 512 }), encrypted: Type.Boolean(), method: Type.Optional(ShortText({ maxLength: 64 })) }), 64),
      ),
    }),
  ),
  screenLock: Type.Optional(Toggle({ timeoutSec: Type.Optional(Int()) })),
  passwordPolicy: Type.Optional(
    Strict({
      minLength: Type.Optional(Int(0, 1024)),
      maxAgeDays: Type.Optional(Int(0, 100000)),
      complexity: Type.Optional(Type.Boolean()),
      history: Type.Optional(Int(0, 1024)),
      source: Type.Optional(Source),
    }),
  ),
  lockout: Type.Optional(Strict({ threshold: Type.Optional(Int(0, 100000)), durationMin: Type.Optional(Int(0, 100000)), source: Type.Optional(Source) })),
  autoLogin: Type.Optional(Toggle()),
  smb1: Type.Optional(Toggle()),
  timeSync: Type.Optional(Toggle({ synchronized: Type.Optional(Type.Boolean()), server: Type.Optional(ShortText()), offsetMs: Type.Optional(Type.Number()) })),
  usbStorage: Type.Optional(Strict({ blocked: Type.Boolean(), source: Type.Optional(Source) })),
  localAdmins: Type.Optional(Strict({ members: List(ShortText(), 256), source: Type.Optional(Source) })),
  remoteDesktop: Type.Optional(Toggle({ nla: Type.Optional(Type.Boolean()) })),
  auditLogging: Type.Optional(Toggle()),
  // SSH server on Linux/macOS: enabled = sshd installed and running; PermitRootLogin as sshd reads it
  // ("yes", "no", "prohibit-password", "forced-commands-only").
  remoteShell: Type.Optional(
    Strict({
      enabled: Type.Boolean(),
      permitRootLogin: Type.Optional(ShortText({ maxLength: 32 })),
      passwordAuthentication: Type.Optional(Type.Boolean()),
      source: Type.Optional(Source),
    }),
  ),
});

export const Posture = Strict({
  agent: AgentSection,
  host: HostSection,
  av: Type.Optional(AvSection),
  patches: Type.Optional(PatchesSection),
  network: Type.Optional(NetworkSection),
  hardening: Type.Optional(HardeningSection),
});

export type Posture = Static<typeof Posture>;
export type ProbeError = Static<typeof ProbeError>;
export type AgentSection = Static<typeof AgentSection>;
export type HostSection = Static<typeof HostSection>;
export type AvSection = Static<typeof AvSection>;
export type AvProduct = Static<typeof AvProduct>;
export type AvStatus = Static<typeof AvStatus>;
export type PatchesSection = Static<typeof PatchesSection>;
export type NetworkSection = Static<typeof NetworkSection>;
export type ListeningSocket = Static<typeof ListeningSocket>;
export type FirewallSection = Static<typeof FirewallSection>;
export type HardeningSection = Static<typeof HardeningSection>;

/**
 * A signature age as agents send it and the collector recomputes it (policy/current-facts.ts): hours from the
 * update time to `nowMs`, to a tenth of an hour, never negative (an update time ahead of the clock is age 0).
 */
export function signatureAgeHours(updatedAtMs: number, nowMs: number): number {
  return Math.round(Math.max(0, nowMs - updatedAtMs) / 360_000) / 10;
}
