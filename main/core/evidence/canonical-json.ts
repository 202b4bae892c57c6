import { createHash } from 'node:crypto';

/**
 * One spelling per value, so a hash computed here is reproduced by any later reader, on any
 * machine: object keys sorted by UTF-16 code unit, no whitespace, and otherwise exactly the
 * JSON.stringify rules (toJSON honoured, undefined and functions dropped from objects and null
 * in arrays, non-finite numbers null). Strings use JSON.stringify's escaping, which keeps lone
 * surrogates as \udxxx, so text from a hostile container round-trips byte for byte.
 *
 * canonicalJson(JSON.parse(canonicalJson(x))) === canonicalJson(x) for every input.
 */
export function canonicalJson(value: unknown): string {
  const out = encode(value, new Set());
  if (out === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return out;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 over the canonical JSON of a value (UTF-8). */
export function canonicalHash(value: unknown): string {
  return sha256Hex(Buffer.from(canonicalJson(value), 'utf8'));
}

function encode(value: unknown, seen: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // -0 and 0 are one number to JSON; NaN and the infinities have no JSON form.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a BigInt has no JSON form');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break; // null, arrays and records: below
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.has(object)) throw new TypeError('canonicalJson: the value is circular');
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item: unknown) => encode(item, seen) ?? 'null').join(',')}]`;
    }
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const encoded = encode(record[key], seen);
      if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(object);
  }
}

/** The value as the store will hand it back: what was hashed is exactly what is read. */
export function canonicalClone<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text bound for a SQLite TEXT column: UTF-8 cannot hold a lone surrogate (it would be stored as
 * U+FFFD), so such text is made well-formed before it is hashed, never after.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

export function isWellFormed(text: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(text);
}
