import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { LogStream } from '../../../shared/domain/logs';
import { DrydockFailure } from '../errors';

// The engine's own log files, read as the engine's logs endpoint would serve them with
// timestamps=true: each message becomes "<RFC 3339 time with 9 fractional digits> <bytes>", the
// time formatted as moby's jsonmessage.RFC3339NanoFixed. Formats:
// - json-file (moby daemon/logger/jsonfilelog): one JSON object per line,
//   {"log": text, "stream": "stdout"|"stderr", "time": RFC 3339 with nanoseconds}; a message split
//   by the engine (over 16 KiB) has no "\n" at the end of its "log" until its last piece.
// - local (moby daemon/logger/local): records framed as a 4-byte big-endian length, a protobuf
//   LogEntry (api/types/plugins/logdriver/entry.proto: 1 source string, 2 time_nano int64, 3 line
//   bytes, 4 partial bool, 5 partial_log_metadata), and the length again.
// Rotated files (name.1, name.2, ... and their .gz) come first, oldest first.

/** A JSON line longer than this is not one the engine wrote (its pieces are at most 16 KiB of text, escaped). */
const MAX_JSON_LINE = 1024 * 1024;
/** A local-driver record longer than this is not one the engine wrote. */
const MAX_RECORD = 4 * 1024 * 1024;

export interface LogMessage {
  stream: LogStream;
  /** "<time> <bytes>" as the logs endpoint sends it. */
  bytes: Buffer;
}

/** Nanoseconds since the epoch (or an RFC 3339 text) as RFC3339NanoFixed, UTC. */
export function fixedNano(seconds: bigint, nanos: number): string {
  const date = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${date}.${String(nanos).padStart(9, '0')}Z`;
}

/** An RFC 3339 time from json-file as RFC3339NanoFixed (UTC); undefined when it is not one. */
export function fixedFromRfc3339(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1] as string}${m[3] as string}`);
  if (!Number.isFinite(ms)) return undefined;
  return fixedNano(BigInt(Math.floor(ms / 1000)), Number((m[2] ?? '').padEnd(9, '0')));
}

function unzipIfGz(name: string, body: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  return name.endsWith('.gz') ? (Readable.from(body).pipe(createGunzip()) as AsyncIterable<Buffer>) : body;
}

/** json-file messages of one file, in order. @throws DrydockFailure('integrity') for a line that is not the engine's JSON. */
export async function* jsonFileMessages(name: string, body: AsyncIterable<Buffer>, tty: boolean): AsyncGenerator<LogMessage> {
  let pending: Buffer[] = [];
  let size = 0;
  let lineNo = 0;
  const parse = (line: Buffer): LogMessage | undefined => {
    lineNo++;
    if (line.length === 0) return undefined;
    let value: { log?: unknown; stream?: unknown; time?: unknown };
    try {
      value = JSON.parse(line.toString('utf8')) as typeof value;
    } catch {
      throw new DrydockFailure('integrity', `${name} line ${lineNo} is not JSON: the file is not as the json-file driver writes it`);
    }
    const time = typeof value.time === 'string' ? fixedFromRfc3339(value.time) : undefined;
    if (typeof value.log !== 'string' || !time)
      throw new DrydockFailure(
        'integrity',
        `${name} line ${lineNo} has no log text or time: the file is not as the json-file driver writes it`,
      );
    const stream: LogStream = tty ? 'tty' : value.stream === 'stderr' ? 'stderr' : 'stdout';
    return { stream, bytes: Buffer.concat([Buffer.from(`${time} `, 'latin1'), Buffer.from(value.log, 'utf8')]) };
  };
  for await (const chunk of unzipIfGz(name, body)) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      pending.push(chunk.subarray(start, nl));
      const message = parse(Buffer.concat(pending));
      pending = [];
      size = 0;
      if (message) yield message;
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(Buffer.from(chunk.subarray(start)));
      size += chunk.length - start;
      if (size > MAX_JSON_LINE)
        throw new DrydockFailure('integrity', `${name} has a line over ${MAX_JSON_LINE} bytes: not one the json-file driver writes`);
    }
  }
  const last = parse(Buffer.concat(pending));
  if (last) yield last;
}

/** local-driver messages of one file, in order. */
export async function* localFileMessages(name: string, body: AsyncIterable<Buffer>, tty: boolean): AsyncGenerator<LogMessage> {
  let buffer: Buffer = Buffer.alloc(0);
  for await (const chunk of unzipIfGz(name, body)) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (buffer.length < 4) break;
      const length = buffer.readUInt32BE(0);
      if (length > MAX_RECORD)
        throw new DrydockFailure('integrity', `${name} has a record of ${length} bytes: not one the local driver writes`);
      if (buffer.length < length + 8) break;
      const entry = decodeEntry(buffer.subarray(4, 4 + length), name);
      if (buffer.readUInt32BE(4 + length) !== length)
        throw new DrydockFailure('integrity', `${name}: a record's trailing length does not match its leading one`);
      buffer = buffer.subarray(length + 8);
      const seconds = entry.timeNano / 1_000_000_000n;
      const time = fixedNano(seconds, Number(entry.timeNano % 1_000_000_000n));
      const stream: LogStream = tty ? 'tty' : entry.source === 'stderr' ? 'stderr' : 'stdout';
      yield { stream, bytes: Buffer.concat([Buffer.from(`${time} `, 'latin1'), entry.line, Buffer.from(entry.partial ? '' : '\n')]) };
    }
  }
  if (buffer.length > 0) throw new DrydockFailure('integrity', `${name} ends inside a record (${buffer.length} bytes left)`);
}

/** Protobuf wire format (protobuf.dev/programming-guides/encoding): varints and length-delimited fields only. */
function decodeEntry(bytes: Buffer, name: string): { source: string; timeNano: bigint; line: Buffer; partial: boolean } {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (at >= bytes.length || shift > 63n) throw new DrydockFailure('integrity', `${name}: a malformed log record`);
      const b = bytes[at++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const out = { source: '', timeNano: 0n, line: Buffer.alloc(0), partial: false };
  while (at < bytes.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 2) out.timeNano = v;
      if (field === 4) out.partial = v !== 0n;
    } else if (wire === 2) {
      const len = Number(varint());
      if (at + len > bytes.length) throw new DrydockFailure('integrity', `${name}: a malformed log record`);
      const value = bytes.subarray(at, at + len);
      at += len;
      if (field === 1) out.source = value.toString('utf8');
      if (field === 3) out.line = Buffer.from(value);
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new DrydockFailure('integrity', `${name}: a malformed log record`);
  }
  return out;
}

/** The files of one log, oldest first: name.N(.gz) from the highest N down, then name itself. */
export function rotationOrder(names: readonly string[], base: string): string[] {
  const rotated = names
    .map((n) => ({ n, m: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d{1,4})(\\.gz)?$`).exec(n) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(b.m?.[1]) - Number(a.m?.[1]))
    .map((x) => x.n);
  return [...rotated, ...(names.includes(base) ? [base] : [])];
}
