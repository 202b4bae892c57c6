import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { FilePreview, HexRow, PreviewView } from '../../../shared/domain/drift';

/** Reads [offset, offset+length) of a stream without holding more than that range. */
export async function readRange(stream: Readable, offset: number, length: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let position = 0;
  let kept = 0;
  try {
    for await (const raw of stream) {
      const chunk = raw as Buffer;
      const start = Math.max(0, offset - position);
      position += chunk.length;
      if (start >= chunk.length) continue;
      const part = chunk.subarray(start, start + (length - kept));
      parts.push(Buffer.from(part));
      kept += part.length;
      if (kept >= length) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts, kept);
}

export function hexRows(bytes: Buffer, offset: number, width = 16): HexRow[] {
  const rows: HexRow[] = [];
  for (let i = 0; i < bytes.length; i += width) {
    const slice = bytes.subarray(i, i + width);
    rows.push({
      offset: offset + i,
      hex: [...slice].map((b) => b.toString(16).padStart(2, '0')).join(' '),
      ascii: [...slice].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join(''),
    });
  }
  return rows;
}

/** Runs of at least `min` printable ASCII bytes, as `strings` prints them. */
export function printableStrings(bytes: Buffer, offset: number, min = 4): { offset: number; text: string }[] {
  const out: { offset: number; text: string }[] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? (bytes[i] as number) : 0;
    const printable = (b >= 0x20 && b < 0x7f) || b === 0x09;
    if (printable && start === -1) start = i;
    if (!printable && start !== -1) {
      if (i - start >= min) out.push({ offset: offset + start, text: bytes.subarray(start, i).toString('latin1') });
      start = -1;
    }
  }
  return out;
}

/** A sample looks binary when it holds NUL bytes or is not UTF-8 (a cut at the end is forgiven). */
export function looksBinary(bytes: Buffer): boolean {
  if (bytes.includes(0)) return true;
  if (isUtf8(bytes)) return false;
  for (let cut = 1; cut <= 3 && cut < bytes.length; cut++) if (isUtf8(bytes.subarray(0, bytes.length - cut))) return false;
  return true;
}

export function preview(
  bytes: Buffer,
  meta: { sha256: string; size: number; artifactId?: string },
  view: PreviewView,
  offset: number,
): FilePreview {
  const base: FilePreview = {
    ...(meta.artifactId ? { artifactId: meta.artifactId } : {}),
    sha256: meta.sha256,
    size: meta.size,
    view,
    offset,
    length: bytes.length,
    truncated: offset + bytes.length < meta.size,
    binary: looksBinary(bytes),
  };
  if (view === 'text') return { ...base, text: bytes.toString('utf8') };
  if (view === 'hex') return { ...base, hex: hexRows(bytes, offset) };
  return { ...base, strings: printableStrings(bytes, offset) };
}
