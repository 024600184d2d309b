import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../collector/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'soclite-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('configuration: defaults < file < environment < flags', () => {
  it('has sane defaults', () => {
    const c = loadConfig({}, {});
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8088, logRequests: false });
    expect(c.agents.heartbeatSec).toBe(60);
    expect(c.storage.dataDir).toMatch(/\/data$/);
  });

  it('layers file, environment and flags in that order', () => {
    const f = file('a.yaml', 'server:\n  port: 9000\n  host: 0.0.0.0\nagents:\n  heartbeatSec: 30\n');
    const c = loadConfig({ configFile: f, port: 9100 }, { SOCLITE_SERVER_HOST: '127.0.0.2', SOCLITE_AGENTS_HEARTBEATSEC: '15' });
    expect(c.server.port).toBe(9100);
    expect(c.server.host).toBe('127.0.0.2');
    expect(c.agents.heartbeatSec).toBe(15);
  });

  it('reads keys case-insensitively from the environment and ignores other SOCLITE_ variables', () => {
    const c = loadConfig({}, { SOCLITE_AGENTS_LATEAFTERSEC: '120', SOCLITE_LOG_LEVEL: 'warn', SOCLITE_TEST_ECHO: '1' });
    expect(c.agents.lateAfterSec).toBe(120);
  });

  it.each([
    [{ configFile: '/nonexistent/x.yaml' }, {}, /cannot read config file/],
    [{ configFile: file('bad.yaml', 'server: [1, 2\n') }, {}, /not valid YAML/],
    [{ configFile: file('unknown.yaml', 'server:\n  prot: 1\n') }, {}, /unknown|must NOT have additional properties.*"prot"/],
    [{ configFile: file('type.yaml', 'server:\n  port: "eighty"\n') }, {}, /\/server\/port must be integer/],
    [{}, { SOCLITE_SERVER_PORT: 'abc' }, /SOCLITE_SERVER_PORT="abc" is not a number/],
    [{}, { SOCLITE_SERVER_NOPE: '1' }, /"server" has no key "nope"/],
    [{}, { SOCLITE_AGENTS_LATEAFTERSEC: '1000' }, /lateAfterSec < offlineAfterSec/],
    [{ configFile: file('tls.yaml', 'server:\n  tls:\n    cert: /x.pem\n') }, {}, /needs both cert and key/],
  ])('refuses bad configuration with a message naming the problem (%#)', (flags, env, message) => {
    expect(() => loadConfig(flags, env)).toThrow(ConfigError);
    expect(() => loadConfig(flags, env)).toThrow(message);
  });
});
