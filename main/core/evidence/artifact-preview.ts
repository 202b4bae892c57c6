import type { Readable } from 'node:stream';
import type { ArtifactPreview } from '../../../shared/contract/evidence';

// A preview shows what is stored, not an interpretation of it: JSON is re-indented token by token
// (numbers and string escapes stay exactly as written; JSON.parse would round big integers), and
// binary is shown as bytes. Everything here is hostile data; the reader makes it visible safely.

const HEX_WIDTH = 16;
const MIN_STRING = 6;
/** Deeper than this, indentation would dwarf the content; the document is shown as written. */
const MAX_INDENT_DEPTH = 64;
/** A share of suspicious characters above this makes the bytes binary rather than text. */
const BINARY_SHARE = 0.1;

/**
 * Reads at most `maxBytes` from a stream that was opened for `maxBytes + 1` bytes: the extra byte,
 * when it arrives, proves there is more. The stream is destroyed as soon as enough has arrived.
 */
export async function readHead(stream: Readable, maxBytes: number): Promise<{ data: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      chunks.push(buf);
      total += buf.length;
      if (total > maxBytes) break;
    }
  } finally {
    stream.destroy();
  }
  const all = Buffer.concat(chunks, total);
  return total > maxBytes ? { data: all.subarray(0, maxBytes), truncated: true } : { data: all, truncated: false };
}

export function buildPreview(data: Buffer, meta: { mediaType: string; size: number; truncated: boolean }): ArtifactPreview {
  const base = { mediaType: meta.mediaType, size: meta.size, bytes: data.length, truncated: meta.truncated };
  // Streaming decode drops a multi-byte character cut at the preview's end instead of marking it
  // invalid; a byte-order mark is kept (and shown), since it is part of what is stored.
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(data, { stream: meta.truncated });
  if (looksBinary(data, text)) return { ...base, kind: 'binary', hex: hexLines(data), strings: printableRuns(data) };
  const jsonType = isJsonMediaType(meta.mediaType);
  const trimmed = text.trimStart();
  if (jsonType || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (!meta.truncated && parses(text)) return { ...base, kind: 'json', text: reindent(text) ?? text };
    if (jsonType) return { ...base, kind: 'json', text };
  }
  return { ...base, kind: 'text', text };
}

function isJsonMediaType(mediaType: string): boolean {
  const essence = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || essence.endsWith('+json');
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Not JSON: previewed as text.
    return false;
  }
}

/** NUL bytes, or many control characters and undecodable bytes, mean the bytes are not text. */
function looksBinary(data: Buffer, text: string): boolean {
  if (data.length === 0) return false;
  if (data.includes(0)) return true;
  let suspicious = 0;
  let chars = 0;
  for (const ch of text) {
    chars++;
    const code = ch.codePointAt(0) ?? 0;
    // Tab, newline, form feed, carriage return and escape appear in ordinary text and logs.
    if (
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d && code !== 0x1b) ||
      code === 0x7f ||
      code === 0xfffd
    )
      suspicious++;
  }
  return suspicious > chars * BINARY_SHARE;
}

/**
 * Re-indents a valid JSON document by two spaces without re-encoding any value. Undefined when the
 * document nests too deeply or the result would grow out of proportion (hostile input).
 */
export function reindent(json: string): string | undefined {
  const budget = json.length * 4 + 64 * 1024;
  const parts: string[] = [];
  let length = 0;
  let depth = 0;
  const push = (s: string): boolean => {
    parts.push(s);
    length += s.length;
    return length <= budget;
  };
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (!push(json.slice(i, j + 1))) return undefined;
      i = j;
      continue;
    }
    let ok = true;
    switch (ch) {
      case '{':
      case '[': {
        const close = ch === '{' ? '}' : ']';
        let j = i + 1;
        while (j < json.length && /\s/.test(json[j] as string)) j++;
        if (json[j] === close) {
          ok = push(ch + close);
          i = j;
          break;
        }
        depth++;
        if (depth > MAX_INDENT_DEPTH) return undefined;
        ok = push(ch + newline());
        break;
      }
      case '}':
      case ']':
        depth--;
        ok = push(newline() + ch);
        break;
      case ',':
        ok = push(`,${newline()}`);
        break;
      case ':':
        ok = push(': ');
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break;
      default:
        ok = push(ch);
    }
    if (!ok) return undefined;
  }
  return parts.join('');
}

function printable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

/** Classic hex dump lines: 8-digit hex offset, 16 bytes in two groups of 8, the bytes as ASCII. */
export function hexLines(data: Buffer): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < data.length; offset += HEX_WIDTH) {
    const row = data.subarray(offset, offset + HEX_WIDTH);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < HEX_WIDTH; i++) {
      const byte = row[i];
      if (i === 8) hex += ' ';
      hex += byte === undefined ? '   ' : `${byte.toString(16).padStart(2, '0')} `;
      if (byte !== undefined) ascii += printable(byte) ? String.fromCharCode(byte) : '.';
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines;
}

/** Runs of at least six printable ASCII characters (tabs included), as `strings` finds them. */
export function printableRuns(data: Buffer): string[] {
  const runs: string[] = [];
  let start = -1;
  for (let i = 0; i <= data.length; i++) {
    const byte = data[i];
    const inRun = byte !== undefined && (printable(byte) || byte === 0x09);
    if (inRun && start < 0) start = i;
    else if (!inRun && start >= 0) {
      if (i - start >= MIN_STRING) runs.push(data.toString('latin1', start, i));
      start = -1;
    }
  }
  return runs;
}
