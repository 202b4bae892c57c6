// Builds tar archives by hand for the reader's tests: exact control over every header byte,
// including the hostile ones a real engine would never write.

export interface TarSpec {
  name: Buffer | string;
  type?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  body?: Buffer | string;
  linkName?: string;
  mtime?: number;
  /** PAX records placed before the entry (values as raw bytes). */
  pax?: Record<string, Buffer | string>;
  /** A GNU long name ('L') record placed before the entry. */
  gnuLongName?: Buffer;
  corruptChecksum?: boolean;
}

function octal(value: number, length: number): Buffer {
  return Buffer.from(`${value.toString(8).padStart(length - 1, '0')}\0`, 'latin1');
}

export function header(spec: {
  name: Buffer;
  type: string;
  size: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkName?: string;
  mtime?: number;
  corrupt?: boolean;
}): Buffer {
  const block = Buffer.alloc(512);
  spec.name.subarray(0, 100).copy(block, 0);
  octal(spec.mode ?? 0o644, 8).copy(block, 100);
  octal(spec.uid ?? 0, 8).copy(block, 108);
  octal(spec.gid ?? 0, 8).copy(block, 116);
  octal(spec.size, 12).copy(block, 124);
  octal(spec.mtime ?? 1_700_000_000, 12).copy(block, 136);
  block.write(spec.type, 156, 'latin1');
  if (spec.linkName) block.write(spec.linkName, 157, 'latin1');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  octal(spec.corrupt ? sum + 1 : sum, 7).copy(block, 148);
  block[155] = 0x20;
  return block;
}

function pad(data: Buffer): Buffer[] {
  const rest = (512 - (data.length % 512)) % 512;
  return [data, Buffer.alloc(rest)];
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

export function buildTar(entries: TarSpec[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name) : e.name;
    const body = e.body === undefined ? Buffer.alloc(0) : typeof e.body === 'string' ? Buffer.from(e.body) : e.body;
    if (e.pax) {
      const data = Buffer.concat(Object.entries(e.pax).map(([k, v]) => paxRecord(k, typeof v === 'string' ? Buffer.from(v) : v)));
      parts.push(header({ name: Buffer.from('PaxHeader'), type: 'x', size: data.length }), ...pad(data));
    }
    if (e.gnuLongName) {
      const data = Buffer.concat([e.gnuLongName, Buffer.from([0])]);
      parts.push(header({ name: Buffer.from('././@LongLink'), type: 'L', size: data.length }), ...pad(data));
    }
    const type = e.type ?? '0';
    parts.push(
      header({
        name,
        type,
        size: type === '0' ? body.length : 0,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        linkName: e.linkName,
        mtime: e.mtime,
        corrupt: e.corruptChecksum,
      }),
    );
    if (type === '0') parts.push(...pad(body));
  }
  if (options.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Delivers a buffer in awkward chunk sizes, as a socket would. */
export async function* chunked(data: Buffer, size = 97): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
