import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { readTar } from '../drift/tar-reader';
import { PAGE } from './elf-core';
import { readerStartFailure, type RegionOutcome, type RegionRead } from './region-reader';

// The bulk transport of a memory image when the engine's attach relay is the bottleneck (it moves
// ~20 MB/s on Docker 20.10, its archive endpoint ~340 MB/s): the helper writes the region bytes into
// bounded chunk files on a tmpfs volume Drydock created for the run, Drydock fetches each one through
// GET /containers/ID/archive and tells the helper over stdin when it may delete it. Only small
// control lines travel over the attach stream. The tar stream is the suspect's side's output and
// read with our own tar reader (names raw, headers checksummed); name, type and size are checked.

/** Where the helper's scratch volume is mounted (HelperSpec.scratchVolume). */
export const SCRATCH = '/scratch';

/**
 * The helper's program that reads regions of /proc/PID/mem into chunk files /scratch/c.N of
 * `chunkPages` pages each (the last one shorter), in region order: the chunks laid end to end are
 * exactly the regions' bytes. Each piece is read by one dd with 1 MiB reads (dd's own pace); a read
 * the kernel refuses ends that dd early, the chunk file's size says at which page, and only from
 * there, for at most 256 pages (one 1 MiB block), the piece is read one page per read with
 * conv=noerror,sync (a refused page is written as zeros and counted; one page per read so a failed
 * read never shifts what follows), then 1 MiB reads resume. On stdout: `@ready` before the first
 * region (then it waits for the line `go W`: the moment to freeze the container, and W the chunk
 * files it may hold at once; it reserves the tmpfs pages of the first W before its first read, and
 * of each next one as an older one is deleted, with util-linux's `fallocate -n`, saying `@nr N`
 * when chunk N's could not be); per page-by-page piece `@p <pages> <dd's record counts>`; `@e` at a
 * region's end; `@c N` when chunk N is complete; `@lost` (exit 6) when the memory ended before the
 * regions did; `@w` every 15 s while it waits for an acknowledgement; `@end T0 T1` after the last read, T0 and T1 the host's /proc/uptime at the first
 * read and after the last (the read window). Before starting a chunk with W files on the volume it
 * waits for the line `ok A` of the oldest and deletes that file. After `@end` it waits for `ok` of
 * every chunk left, then for one more line (the container is thawed: its init can reap the helper).
 */
export function chunkReadCommand(pid: number, reads: readonly RegionRead[], chunkPages: number): string[] {
  const script = [
    'p=$1; C=$2; shift 2',
    '[ -r /proc/$p/mem ] || { echo "@gone"; exit 3; }',
    'dd if=/proc/$p/mem bs=4096 count=0 2>/dev/null || { echo "@denied"; exit 5; }',
    'n=0; a=0; fill=0',
    // Waiting for an acknowledgement, it says `@w` every 15 s (at most 10 minutes): reading ahead, it
    // may wait longer than the run's idle limit while Drydock fetches what it holds.
    // A chunk file's tmpfs pages reserved ahead (made empty, its size kept at 0, so appends and stat
    // work as on a fresh file): page allocation leaves the read window. util-linux's fallocate by its
    // path (the shell would run busybox's own, which cannot keep the size); refused, it says `@nr N`.
    `reserve() { [ $1 -lt $m ] || return 0; y=$((P-$1*C)); [ $y -gt $C ] && y=$C; { : > ${SCRATCH}/c.$1 && /usr/bin/fallocate -n -l $((y*4096)) ${SCRATCH}/c.$1; } 2>/dev/null || echo "@nr $1"; }`,
    `ack() { i=0; until read -t 15 line; do i=$((i+1)); [ $i -lt 40 ] || exit 4; echo "@w"; done; [ "$line" = "ok $a" ] || exit 4; rm -f ${SCRATCH}/c.$a; reserve $((a+W)); a=$((a+1)); }`,
    'next() { echo "@c $n"; n=$((n+1)); fill=0; while [ $((n-a)) -ge $W ]; do ack; done; }',
    // t pages from page s onto the chunk file (fill pages in it so far): 1 MiB reads while the kernel
    // gives every page, one page per read over the 1 MiB after the first page it refused.
    'piece() {',
    `  F=${SCRATCH}/c.$n`,
    '  while [ $t -gt 0 ]; do',
    '    dd if=/proc/$p/mem bs=1048576 iflag=skip_bytes,count_bytes skip=$((s*4096)) count=$((t*4096)) 2>/dev/null >>$F',
    '    z=$(stat -c %s $F) || exit 6',
    '    g=$((z/4096-fill))',
    '    [ $((z%4096)) -eq 0 ] && [ $g -ge 0 ] && [ $g -le $t ] || { echo "@lost"; exit 6; }',
    '    s=$((s+g)); t=$((t-g)); fill=$((fill+g))',
    '    [ $t -gt 0 ] || break',
    '    k=256; [ $k -gt $t ] && k=$t',
    '    r=$(dd if=/proc/$p/mem ibs=4096 obs=1048576 skip=$s count=$k conv=noerror,sync 2>&1 >>$F | tail -n 2)',
    '    echo "@p $k" $r',
    '    z=$(stat -c %s $F) || exit 6',
    '    [ $z -eq $(((fill+k)*4096)) ] || { echo "@lost"; exit 6; }',
    '    s=$((s+k)); t=$((t-k)); fill=$((fill+k))',
    '  done',
    '}',
    'echo "@ready"',
    'read -t 600 go W || exit 4',
    'case "$W" in ""|*[!0-9]*|0) W=1;; esac',
    // P pages in all, m chunk files; the first W of them reserved before the first read.
    'P=0; i=0; for x in "$@"; do [ $((i%2)) -eq 1 ] && P=$((P+x)); i=$((i+1)); done',
    'm=$(((P+C-1)/C))',
    'j=0; while [ $j -lt $W ]; do reserve $j; j=$((j+1)); done',
    'read t0 _ < /proc/uptime',
    'while [ $# -gt 1 ]; do',
    '  s=$1; left=$2; shift 2',
    '  while [ $left -gt 0 ]; do',
    '    t=$((C-fill)); [ $t -gt $left ] && t=$left',
    '    left=$((left-t))',
    '    piece',
    '    [ $fill -ge $C ] && next',
    '  done',
    '  echo "@e"',
    'done',
    'read t1 _ < /proc/uptime',
    '[ $fill -gt 0 ] && next',
    'echo "@end $t0 $t1"',
    'while [ $a -lt $n ]; do ack; done',
    'read -t 600 done || exit 4',
  ].join('\n');
  return ['sh', '-c', script, 'sh', String(pid), String(chunkPages), ...reads.flatMap((r) => [r.firstPage.toString(), String(r.pages)])];
}

/** Where the time of a chunked transfer went, in seconds (Drydock's side). */
export interface ChunkTimings {
  chunks: number;
  /** Waiting for the helper to announce the next chunk (its read of /proc/PID/mem and its tmpfs write, less the overlap). */
  waitHelper: number;
  /** The archive endpoint's relay: waiting for the tar stream's bytes. */
  archive: number;
  /** Awaiting the store's writer (hashing and writing the image file). */
  store: number;
  /** Chunks fetched before the helper's last read was done (only when the process is larger than its window). */
  fetchedDuringRead: number;
  /** Chunk files whose tmpfs pages the helper could not reserve before reading into them (`@nr`). */
  unreserved: number;
}

/**
 * Reads the chunk reader's control lines (chunkReadCommand) and fetches each announced chunk
 * through the archive endpoint into `store` (awaited: the store's pace), then says `ok N`: the
 * oldest one once the helper holds its window of chunk files, the rest after its last read (so the
 * relay never competes with the read; see `window`). Exposes
 * the same outcome as RegionFramer: per-region outcomes, `ended`, `failure`, `bytes`. A chunk whose
 * archive holds anything but one regular file named c.N of exactly the expected size is a failure,
 * and nothing after it is stored.
 */
export class ChunkFramer extends Writable {
  private line: number[] = [];
  private ready = false;
  private failedPages = 0;
  private pieces: string[] = [];
  private nextChunk = 0;
  private lastAnnounce = 0;
  /** Chunks announced and not yet fetched, oldest first. */
  private pending: number[] = [];
  /**
   * The chunk files the helper may hold at once (the W of its `go W`; set by started() before it is
   * sent). Drydock fetches nothing while the helper reads and has room: the archive relay would
   * compete with the read for the host's CPUs and stretch the read window. It fetches the oldest
   * chunk when the helper has W of them (it then waits for an acknowledgement), and the rest once
   * the read has ended.
   */
  private window = 1;
  readonly outcomes: RegionOutcome[] = [];
  readonly timings: ChunkTimings = { chunks: 0, waitHelper: 0, archive: 0, store: 0, fetchedDuringRead: 0, unreserved: 0 };
  ended = false;
  failure: string | null = null;
  bytes = 0;
  /**
   * The read window in seconds: from the helper's first read of /proc/PID/mem to the end of its last
   * (the host's /proc/uptime, 10 ms steps), once `@end` arrived; null before.
   */
  readWindowSeconds: number | null = null;
  /** The started helper (StreamingHelperSpec.started). */
  container: Dockerode.Container | null = null;

  constructor(
    private readonly reads: readonly RegionRead[],
    private readonly chunkPages: number,
    private readonly store: (chunk: Buffer) => Promise<void>,
    private readonly progress: (bytes: number) => void,
    /** ready: the helper waits for `go W`; readEnd: its last read is done; end: every chunk is stored (it waits for `done`); ack: a line to the helper. */
    private readonly hooks: { ready: () => void; readEnd?: () => void; end: () => void; ack: (line: string) => void },
    private readonly signal?: AbortSignal,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  /** The helper was told `go W`: it may hold `window` chunk files at once. */
  started(window: number): void {
    this.window = Math.max(1, window);
  }

  private get total(): number {
    return this.reads.reduce((n, r) => n + r.pages * PAGE, 0);
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
      const nl = chunk.indexOf(0x0a, offset);
      const end = nl < 0 ? chunk.length : nl;
      for (let i = offset; i < end; i++) this.line.push(chunk[i] ?? 0);
      if (this.line.length > 512) {
        this.failure = 'a control line of the memory reader was longer than any it writes';
        return;
      }
      if (nl < 0) return;
      offset = nl + 1;
      const line = Buffer.from(this.line).toString('latin1');
      this.line = [];
      await this.onLine(line);
      // Failing the sink stops the helper at once (runStreamingHelper kills it on a sink error)
      // instead of leaving it waiting for an acknowledgement that will not come.
      if (this.failure !== null) throw new Error(this.failure);
    }
  }

  private async onLine(line: string): Promise<void> {
    if (!this.ready) {
      if (line !== '@ready') {
        this.failure = readerStartFailure(line);
        return;
      }
      this.ready = true;
      this.lastAnnounce = performance.now();
      this.hooks.ready();
      return;
    }
    if (/^@nr \d{1,9}$/.test(line)) {
      // A chunk file whose pages could not be reserved: it is read all the same, allocating as it goes.
      this.timings.unreserved++;
      return;
    }
    if (line === '@w') {
      // The reader waits for an acknowledgement (it is alive): it holds all it may.
      if (this.pending.length > 0) await this.fetchOldest();
      return;
    }
    const paged = /^@p (\d{1,9})(?: |$)/.exec(line);
    if (paged) {
      if (this.outcomes.length >= this.reads.length) {
        this.failure = 'the memory reader read more regions than it was given';
        return;
      }
      // The pages of a piece read one page per read after a refused read; dd's partial records are
      // the pages it was refused. No record counts: dd said nothing usable, none of the piece is vouched for.
      const pages = Number(paged[1]);
      const counts = /(\d+)\+(\d+) records in/.exec(line);
      this.failedPages += counts ? Math.min(pages, Number(counts[2])) : pages;
      this.pieces.push(line.slice(2).trim().slice(0, 200));
      return;
    }
    if (line === '@e') {
      if (this.outcomes.length >= this.reads.length) {
        this.failure = 'the memory reader read more regions than it was given';
        return;
      }
      this.outcomes.push({
        failedPages: this.failedPages,
        trailer: this.pieces.length ? this.pieces.slice(0, 4).join('; ').slice(0, 200) : 'read whole in 1 MiB reads',
      });
      this.failedPages = 0;
      this.pieces = [];
      return;
    }
    const announced = /^@c (\d{1,9})$/.exec(line);
    if (announced) {
      const n = Number(announced[1]);
      if (n !== this.nextChunk) {
        this.failure = `the memory reader announced chunk ${n} where chunk ${this.nextChunk} was due`;
        return;
      }
      this.timings.waitHelper += (performance.now() - this.lastAnnounce) / 1000;
      this.nextChunk++;
      this.pending.push(n);
      // The helper now holds as many chunk files as it may and waits for the oldest to be taken.
      if (this.pending.length >= this.window) await this.fetchOldest();
      this.lastAnnounce = performance.now();
      return;
    }
    const end = /^@end (\d{1,12}(?:\.\d{1,3})?) (\d{1,12}(?:\.\d{1,3})?)$/.exec(line);
    if (end) {
      this.readWindowSeconds = Math.max(0, Number(end[2]) - Number(end[1]));
      // The process is read: a paused container may run again while the chunks are fetched.
      this.hooks.readEnd?.();
      while (this.pending.length > 0 && this.failure === null) await this.fetchOldest();
      if (this.failure !== null) return;
      if (this.outcomes.length !== this.reads.length || this.bytes !== this.total) {
        this.failure = `the memory reader ended after ${this.outcomes.length} of ${this.reads.length} regions and ${this.bytes} of ${this.total} bytes`;
        return;
      }
      this.ended = true;
      this.hooks.end();
      return;
    }
    this.failure =
      line === '@gone'
        ? 'the process was gone before its memory could be opened'
        : line === '@lost'
          ? 'the memory of the process ended before its regions did (the process may have exited): the reader stopped'
          : `unexpected output of the memory reader: ${JSON.stringify(line.slice(0, 80))}`;
  }

  /** Fetches the oldest chunk announced and, stored, tells the helper it may delete it. */
  private async fetchOldest(): Promise<void> {
    const n = this.pending.shift();
    if (n === undefined) return;
    if (this.readWindowSeconds === null) this.timings.fetchedDuringRead++;
    await this.fetch(n);
    if (this.failure === null) this.hooks.ack(`ok ${n}\n`);
  }

  /** Fetches /scratch/c.N through the archive endpoint into the store; any mismatch sets `failure`. */
  private async fetch(n: number): Promise<void> {
    const expected = Math.min(this.chunkPages * PAGE, this.total - n * this.chunkPages * PAGE);
    if (expected <= 0) {
      this.failure = `the memory reader announced chunk ${n}, past the end of the regions`;
      return;
    }
    if (!this.container) {
      this.failure = 'a chunk was announced before the helper was known to be started';
      return;
    }
    const name = `c.${n}`;
    let mark = performance.now();
    const stream = (await this.container.getArchive({ path: `${SCRATCH}/${name}` })) as NodeJS.ReadableStream & { destroy?: () => void };
    let entries = 0;
    try {
      for await (const entry of readTar(stream as AsyncIterable<unknown>)) {
        entries++;
        const { header } = entry;
        if (entries > 1) {
          this.failure = `the archive of chunk ${n} holds more than one entry`;
          return;
        }
        if (header.type !== 'file' || !header.name.equals(Buffer.from(name)) || header.size !== expected) {
          this.failure = `the archive of chunk ${n} is not the chunk file: ${header.type} ${JSON.stringify(header.name.toString('latin1').slice(0, 80))} of ${header.size} bytes, ${expected} expected (the reader lost its place: the process may have exited)`;
          return;
        }
        let got = 0;
        for await (const data of entry.body) {
          this.timings.archive += (performance.now() - mark) / 1000;
          if (this.signal?.aborted) {
            this.failure = 'cancelled';
            return;
          }
          const take = data.subarray(0, Math.max(0, expected - got));
          got += take.length;
          const stored = performance.now();
          await this.store(take);
          this.timings.store += (performance.now() - stored) / 1000;
          this.bytes += take.length;
          this.progress(this.bytes);
          mark = performance.now();
        }
        if (got !== expected) {
          this.failure = `the archive of chunk ${n} ended after ${got} of ${expected} bytes`;
          return;
        }
      }
      if (entries === 0) this.failure = `the archive of chunk ${n} is empty`;
      else this.timings.chunks++;
    } finally {
      stream.destroy?.();
    }
  }
}
