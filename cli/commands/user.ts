// `soclite user add|passwd|disable|enable|list|token`: manage people from the collector's shell. Passwords are
// read from a file or stdin (a terminal prompt without echo), never from argv, which other users can read.
import { readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import { configFromFlags } from '../options.js';
import { openStore, type Store } from '../../collector/store/index.js';
import { changePassword, createApiToken, createUser, setUserDisabled } from '../../collector/auth/service.js';
import { ROLES, type Role } from '../../collector/auth/types.js';
import { auditLog, cliActor } from '../../collector/audit/index.js';
import { DomainError } from '../../collector/fleet/errors.js';

const USAGE = [
  'soclite user add <username> --role R --unit U [--unit U2 ...] [--password-file F]',
  'soclite user passwd <username> [--password-file F]',
  'soclite user disable|enable <username>',
  'soclite user list',
  'soclite user token <username> --name N [--ttl-days D] [--unit U ...]   (prints the API token as the last line)',
  '  common: [--config F] [--data-dir D]; the password comes from --password-file or stdin, never the command line',
].join('\n');

const MAX_SECRET_INPUT = 4096;

async function readSecretFromTty(prompt: string): Promise<string> {
  // Echo is suppressed by swallowing what readline would print after the prompt.
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(prompt, (answer) => resolve(answer));
      muted = true;
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

async function readAllStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > MAX_SECRET_INPUT) throw new CliError('stdin is too long to be a password', 2);
  }
  return text;
}

/** The password: first line of --password-file, or of stdin; on a terminal, asked twice without echo. */
export async function readPassword(file: string | undefined): Promise<string> {
  let text: string;
  if (file) {
    let st;
    try {
      st = statSync(file);
    } catch (err) {
      throw new CliError(`cannot read password file ${file}: ${(err as Error).message}`, 2);
    }
    if (!st.isFile() || st.size > MAX_SECRET_INPUT) throw new CliError(`password file ${file} must be a small regular file`, 2);
    text = readFileSync(file, 'utf8');
  } else if (process.stdin.isTTY) {
    const a = await readSecretFromTty('New password: ');
    const b = await readSecretFromTty('Repeat it: ');
    if (a !== b) throw new CliError('the two passwords differ', 2);
    return a;
  } else {
    text = await readAllStdin();
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (!first) throw new CliError('no password given (first line of the password file or stdin is empty)', 2);
  return first;
}


function findUser(store: Store, username: string | undefined) {
  if (!username) throw new CliError(`a username is required\nusage:\n${USAGE}`, 2);
  const found = store.users.findByUsername(username);
  if (!found) throw new CliError(`no user "${username}"`);
  return found.user;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(
    args,
    {
      role: { type: 'string' },
      unit: { type: 'string', multiple: true },
      'password-file': { type: 'string' },
      name: { type: 'string' },
      'ttl-days': { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    USAGE,
  );
  if (values.help) return (process.stdout.write(USAGE + '\n'), 0);
  const [verb, username, ...extra] = positionals;
  if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')} (passwords are never given on the command line)\nusage:\n${USAGE}`, 2);
  if (!verb || !['add', 'passwd', 'disable', 'enable', 'list', 'token'].includes(verb)) throw new CliError(`usage:\n${USAGE}`, 2);
  const config = configFromFlags(values);
  // Read the secret before opening the database, so a slow typist does not hold anything open.
  const password = verb === 'add' || verb === 'passwd' ? await readPassword(values['password-file']) : undefined;
  const store = openStore(config.storage.dataDir);
  const audit = auditLog(store);
  try {
    switch (verb) {
      case 'add': {
        if (!username) throw new CliError(`a username is required\nusage:\n${USAGE}`, 2);
        const role = values.role as Role | undefined;
        if (!role || !ROLES.includes(role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, 2);
        if (!values.unit?.length) throw new CliError('--unit is required (a new data dir has one unit: default)', 2);
        const u = await createUser(store, { username, password: password!, role, unitIds: values.unit });
        audit.record({ action: 'user.create', actor: cliActor(), ip: null, target: { type: 'user', id: u.id }, unitIds: u.unitIds, details: { username, role, unitIds: u.unitIds } });
        process.stdout.write(`user ${u.username} created (${u.role}; units ${u.unitIds.join(', ')})\n`);
        return 0;
      }
      case 'passwd': {
        const u = findUser(store, username);
        await changePassword(store, u.id, password!);
        audit.record({ action: 'user.password_set', actor: cliActor(), ip: null, target: { type: 'user', id: u.id }, unitIds: u.unitIds, details: { username: u.username } });
        process.stdout.write(`password of ${u.username} changed; their sessions were ended\n`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const u = findUser(store, username);
        setUserDisabled(store, u.id, verb === 'disable');
        audit.record({ action: `user.${verb}`, actor: cliActor(), ip: null, target: { type: 'user', id: u.id }, unitIds: u.unitIds, details: { username: u.username } });
        process.stdout.write(`user ${u.username} ${verb}d\n`);
        return 0;
      }
      case 'list': {
        for (const u of store.users.list()) {
          process.stdout.write(`${u.username}\t${u.role}\t${u.unitIds.join(',')}\t${u.disabled ? 'disabled' : 'active'}\n`);
        }
        return 0;
      }
      case 'token': {
        const u = findUser(store, username);
        if (!values.name) throw new CliError('--name is required (what the token is for)', 2);
        const ttlDays = values['ttl-days'] !== undefined ? Number(values['ttl-days']) : undefined;
        const t = createApiToken(store, { userId: u.id, name: values.name, ttlDays, unitIds: values.unit });
        audit.record({
          action: 'api_token.create',
          actor: cliActor(),
          ip: null,
          target: { type: 'api_token', id: t.id },
          unitIds: t.unitIds ?? u.unitIds,
          details: { owner: u.username, name: values.name, expiresAt: t.expiresAt, unitIds: t.unitIds },
        });
        process.stdout.write(`API token ${t.id} for ${u.username}, expires ${t.expiresAt}${t.unitIds ? `, units ${t.unitIds.join(', ')}` : ''}\n`);
        process.stdout.write('Send it as Authorization: Bearer <token>; it is shown only this once:\n');
        process.stdout.write(t.token + '\n');
        return 0;
      }
    }
    return 2;
  } catch (err) {
    if (err instanceof DomainError) throw new CliError(err.message);
    throw err;
  } finally {
    store.close();
  }
}
