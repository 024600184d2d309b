// The long-lived agent's logger: one JSON object per line on standard output, in pino's layout (level number,
// time in ms, pid, hostname, bindings, fields, msg) so journald, log shippers and `pino-pretty` read it the same.
// Not pino itself: importing pino loads thread-stream, sonic-boom and its serializers, measured at ~6-8 MB of RSS
// for a process whose whole budget above bare Node is ~20 MB, and the agent writes a few lines an hour.
import { hostname } from 'node:os';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
type LevelName = keyof typeof LEVELS;

export interface LineLoggerOptions {
  level: string;
  component: string;
  /** where lines go; standard output by default */
  write?: (line: string) => void;
  now?: () => number;
}

type LogFn = (fields: object, msg: string) => void;
export interface LineLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
}

/** Errors become {type, message, stack, code} as pino's err serializer makes them; everything else as JSON. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { type: value.name, message: value.message, stack: value.stack, ...(code ? { code } : {}) };
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

export function lineLogger(o: LineLoggerOptions): LineLogger {
  if (!Object.hasOwn(LEVELS, o.level)) throw new Error(`log level "${o.level}" is not one of ${Object.keys(LEVELS).join(', ')}`);
  const threshold = LEVELS[o.level as LevelName];
  const write = o.write ?? ((line: string) => process.stdout.write(line));
  const now = o.now ?? Date.now;
  const base = { pid: process.pid, hostname: hostname(), component: o.component };
  const at = (level: number): LogFn => {
    if (level < threshold) return () => {};
    return (fields, msg) => {
      let line: string;
      try {
        line = JSON.stringify({ level, time: now(), ...base, ...fields, msg }, replacer);
      } catch (err) {
        // A field that cannot be serialised (a cycle) must not cost the message itself.
        line = JSON.stringify({ level, time: now(), ...base, msg, logError: `fields not serialisable: ${(err as Error).message}` });
      }
      write(line + '\n');
    };
  };
  return { debug: at(LEVELS.debug), info: at(LEVELS.info), warn: at(LEVELS.warn), error: at(LEVELS.error) };
}
