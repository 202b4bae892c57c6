import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** A pass-through stream that hashes and counts what flows through it (streams stay streams). */
export interface HashingStream {
  /** Pipe through this: chunks leave it unchanged. */
  readonly stream: Transform;
  /** Bytes that have passed so far. */
  bytes(): number;
  /** Hex SHA-256 of everything that passed; call once, after the stream has ended. */
  sha256(): string;
}

export function hashingStream(): HashingStream {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, bytes: () => bytes, sha256: () => hash.digest('hex') };
}
