// `soclite agent parse <parser-id> <file>`: run one of the agent's pure parsers on a captured output and print
// the normalized JSON. Lets an operator check what the agent makes of a machine's raw data, offline.
import { open } from 'node:fs/promises';
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import { parsers } from '../../agent/parsers.js';

const USAGE = 'soclite agent parse <parser-id> <file>   (use "-" to read standard input)';
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export function parseHelp(): string {
  const ids = Object.keys(parsers).sort();
  const width = Math.max(...ids.map((i) => i.length));
  return [`usage: ${USAGE}`, '', 'parser ids / mã bộ phân tích:', ...ids.map((id) => `  ${id.padEnd(width)}  ${parsers[id]!.description}`)].join('\n');
}

async function readInput(file: string, maxBytes: number): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of process.stdin) {
      const b = c as Buffer;
      chunks.push(b);
      total += b.length;
      if (total >= maxBytes) break;
    }
    return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
  }
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1);
  }
  try {
    const buf = Buffer.alloc(Math.min(maxBytes, Math.max(0, (await fh.stat()).size) || maxBytes));
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, total, buf.length - total, null);
      if (bytesRead === 0 || total + bytesRead >= buf.length) {
        total += bytesRead;
        break;
      }
      total += bytesRead;
    }
    return buf.subarray(0, total).toString('utf8');
  } finally {
    await fh.close();
  }
}

export async function runParse(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, {}, USAGE);
  if (values.help) {
    process.stdout.write(parseHelp() + '\n');
    return 0;
  }
  const [id, file, ...extra] = positionals;
  if (!id || !file || extra.length) throw new CliError(`expected a parser id and a file\n${parseHelp()}`, 2);
  const parser = Object.hasOwn(parsers, id) ? parsers[id] : undefined;
  if (!parser) throw new CliError(`unknown parser id "${id}" (mã bộ phân tích không tồn tại); known ids: ${Object.keys(parsers).sort().join(', ')}`, 1);
  const text = await readInput(file, parser.maxBytes ?? MAX_INPUT_BYTES);
  let result: unknown;
  try {
    result = parser.parse(text);
  } catch (err) {
    throw new CliError(`${id}: ${file} is not valid input / dữ liệu không hợp lệ: ${(err as Error).message}`, 1);
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return 0;
}
