import { Writable } from 'node:stream';
import { PAGE } from './elf-core';

/** One region to read from /proc/PID/mem: its first page and how many pages. */
export interface RegionRead {
  /** Address / PAGE. */
  firstPage: bigint;
  pages: number;
}

/**
 * The helper's program that reads regions of /proc/PID/mem (busybox sh and dd): per region, exactly
 * pages × 4096 bytes (dd conv=noerror,sync: a page the kernel refuses to read is skipped and written
 * as zeros, so the stream never loses its place), then a trailer line `\n@r <dd's record counts>`;
 * `@end` after the last. Before the first region it says `@ready` and waits for a line on stdin
 * (the moment to freeze the container), after `@end` it waits for another (the container is thawed:
 * its init can reap the helper). Pages are read one at a time (ibs=4096): a bigger read that fails halfway
 * would be padded to its full size and shift everything after it. Arguments, not script text, carry
 * the region list (one argument each, far below the kernel's 128 KiB per-argument limit).
 */
export function regionReadCommand(pid: number, reads: readonly RegionRead[]): string[] {
  const script = [
    'exec 3>&1',
    'p=$1; shift',
    '[ -r /proc/$p/mem ] || { echo "@gone"; exit 3; }',
    // A dd that cannot even open the file writes no bytes at all: said here, before any region's framing.
    'dd if=/proc/$p/mem bs=4096 count=0 2>/dev/null || { echo "@denied"; exit 5; }',
    // The handshake: Drydock may freeze the container between @ready and "go", and thaws it before "done".
    'echo "@ready"',
    'read -t 600 go || exit 4',
    'while [ $# -gt 1 ]; do',
    '  r=$(dd if=/proc/$p/mem ibs=4096 obs=1048576 skip=$1 count=$2 conv=noerror,sync 2>&1 >&3 | tail -n 2)',
    '  echo; echo "@r" $r',
    '  shift 2',
    'done',
    'echo "@end"',
    'read -t 600 done || exit 4',
  ].join('\n');
  return ['sh', '-c', script, 'sh', String(pid), ...reads.flatMap((r) => [r.firstPage.toString(), String(r.pages)])];
}

export interface RegionOutcome {
  /** Pages dd could not read (written as zeros). */
  failedPages: number;
  /** dd's summary as it printed it. */
  trailer: string;
}

/**
 * Splits the region reader's stdout: each region's bytes go to `write` (awaited: the store's pace),
 * its trailer is parsed; anything out of place (a trailer missing where it must be) is a framing
 * failure, and everything after it is refused rather than misplaced.
 */
export class RegionFramer extends Writable {
  private index = 0;
  private remaining: number;
  private trailer: number[] = [];
  private inTrailer = true;
  private ready = false;
  readonly outcomes: RegionOutcome[] = [];
  ended = false;
  failure: string | null = null;
  bytes = 0;

  constructor(
    private readonly reads: readonly RegionRead[],
    private readonly store: (chunk: Buffer) => Promise<void>,
    private readonly progress: (bytes: number) => void,
    private readonly hooks: { ready: () => void; end: () => void },
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.remaining = (reads[0]?.pages ?? 0) * PAGE;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.consume(chunk).then(
      () => callback(),
      (err: Error) => callback(err),
    );
  }

  private async consume(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && this.failure === null && !this.ended) {
      if (!this.inTrailer) {
        const take = Math.min(this.remaining, chunk.length - offset);
        if (take > 0) {
          await this.store(chunk.subarray(offset, offset + take));
          this.bytes += take;
          this.progress(this.bytes);
        }
        offset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.inTrailer = true;
        continue;
      }
      const nl = chunk.indexOf(0x0a, offset);
      const end = nl < 0 ? chunk.length : nl;
      for (let i = offset; i < end; i++) this.trailer.push(chunk[i] ?? 0);
      if (this.trailer.length > 512) {
        this.failure = 'a region trailer was longer than any dd summary';
        return;
      }
      offset = end;
      if (nl < 0) return;
      offset = nl + 1;
      const line = Buffer.from(this.trailer).toString('latin1');
      this.trailer = [];
      if (line === '' && this.index < this.reads.length) continue; // the newline before the trailer
      this.line(line);
    }
  }

  private line(line: string): void {
    if (!this.ready) {
      if (line !== '@ready') {
        this.failure = readerStartFailure(line);
        return;
      }
      this.ready = true;
      this.inTrailer = this.reads.length === 0 || this.reads[0]?.pages === 0;
      this.hooks.ready();
      return;
    }
    if (this.index >= this.reads.length) {
      if (line === '@end') {
        this.ended = true;
        this.hooks.end();
      } else this.failure = `expected the end of the output, got ${JSON.stringify(line.slice(0, 80))}`;
      return;
    }
    if (!line.startsWith('@r')) {
      this.failure =
        line === '@gone'
          ? 'the process was gone before its memory could be opened'
          : `region ${this.index + 1}: no trailer where one must be (the reader lost its place: the process may have exited)`;
      return;
    }
    const counts = /(\d+)\+(\d+) records in/.exec(line);
    const failedPages = counts ? Number(counts[2]) : (this.reads[this.index]?.pages ?? 0);
    this.outcomes.push({ failedPages, trailer: line.slice(2).trim().slice(0, 200) });
    this.index++;
    const next = this.reads[this.index];
    if (next) {
      this.remaining = next.pages * PAGE;
      this.inTrailer = next.pages === 0;
    }
  }
}

/** Why the memory reader in the helper did not start, from the first line it wrote instead of '@ready'. */
export function readerStartFailure(line: string): string {
  return line === '@gone'
    ? 'the process was gone before its memory could be opened'
    : line === '@denied'
      ? 'the helper was refused opening /proc/PID/mem (permission denied)'
      : 'the memory reader did not start';
}
