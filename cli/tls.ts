// `--tls` for start/collector: serve HTTPS with the data dir's private CA (created on first use), unless the
// configuration already names a certificate.
import { CliError } from './errors.js';
import { ensureTlsMaterial, type TlsMaterial } from '../collector/auth/tls.js';
import type { Config } from '../collector/config/schema.js';

export function useOwnTls(config: Config): TlsMaterial {
  if (config.server.tls.cert) throw new CliError('--tls makes its own certificate; remove server.tls from the configuration or drop --tls', 2);
  try {
    const m = ensureTlsMaterial(config.storage.dataDir, [config.server.host]);
    config.server.tls = { cert: m.cert, key: m.key };
    return m;
  } catch (err) {
    throw new CliError(`cannot create the TLS certificate: ${(err as Error).message}`);
  }
}
