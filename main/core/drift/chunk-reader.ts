/**
 * Pulls exact byte counts out of a stream of chunks without copying the chunks it hands on:
 * the tar reader needs whole 512-byte headers, and bodies passed through piece by piece.
 */
export class ChunkReader {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<unknown>;
  /** Bytes consumed so far (for messages that say where a stream went wrong). */
  position = 0;

  constructor(source: AsyncIterable<unknown>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    if (chunk.length > 0) {
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    return true;
  }

  /** Exactly n bytes, or null at a clean end of stream; a short read throws. */
  async readExact(n: number): Promise<Buffer | null> {
    while (this.queued < n) {
      if (!(await this.fill())) break;
    }
    if (this.queued === 0) return null;
    if (this.queued < n) throw new TruncatedStream(`the stream ended after ${this.position + this.queued} bytes, inside a ${n}-byte block`);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.queue[0] as Buffer;
      const take = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, take);
      filled += take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    this.queued -= n;
    this.position += n;
    return out;
  }

  /** The next n bytes as the chunks they arrived in (sliced, not copied). */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.queued === 0 && !(await this.fill()))
        throw new TruncatedStream(`the stream ended after ${this.position} bytes, ${left} bytes short of the entry's end`);
      if (this.queued === 0) continue;
      const head = this.queue[0] as Buffer;
      if (head.length <= left) {
        this.queue.shift();
        this.queued -= head.length;
        this.position += head.length;
        left -= head.length;
        yield head;
      } else {
        const part = head.subarray(0, left);
        this.queue[0] = head.subarray(left);
        this.queued -= left;
        this.position += left;
        left = 0;
        yield part;
      }
    }
  }

  async skip(n: number): Promise<void> {
    for await (const chunk of this.take(n)) void chunk;
  }

  /** Stops reading the source (releases the connection behind it). */
  async close(): Promise<void> {
    this.ended = true;
    this.queue.length = 0;
    this.queued = 0;
    await this.iterator.return?.();
  }
}

export class TruncatedStream extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TruncatedStream';
  }
}
