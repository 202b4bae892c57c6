import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { CaptureInfo, CaptureOptions, CaptureStopReason } from '../../../shared/domain/capture';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import { AttachDemuxer } from '../helper/attach-demux';
import type { ArtifactWriterPort, NewArtifact } from '../evidence/port';
import { CAPTURE_CAPABILITIES, helperCreateOptions } from '../helper/container';
import type { HelperImageChoice } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { thisProcessOwner } from '../helper/owner';
import { PcapFramer } from './pcap-framer';
import { TcpdumpStderr, type RunningCounters } from './tcpdump-stderr';

export interface SessionDeps {
  docker: Dockerode;
  /** Records the helper by container ID and audits its creation and removal. */
  ledger: HelperLedger;
  clock: Clock;
  image: HelperImageChoice;
  /** Opens the evidence writer; called only once tcpdump is listening (a failed start stores nothing). */
  openWriter: (meta: NewArtifact) => Promise<ArtifactWriterPort>;
  artifactMeta: NewArtifact;
  /** Longest the helper may live without a duration option: its own `timeout` enforces it. */
  safetySeconds: number;
  onChange: (info: CaptureInfo, kind: 'state' | 'progress') => void;
}

const LISTEN_TIMEOUT_MS = 30000;
const STOP_GRACE_MS = 10000;
const PROGRESS_EVERY_MS = 500;
/** Longest a stop waits for tcpdump to read what the kernel's ring holds (drainRing). */
const RING_DRAIN_MAX_MS = 10000;
/** libpcap hands tcpdump the ring a block at a time: once full, or after tcpdump's 1 s buffer timeout. */
const RING_BLOCK_MS = 1200;
/** How long tcpdump has to answer SIGUSR1 with its counters. */
const COUNTERS_ANSWER_MS = 3000;

/**
 * tcpdump's argv: numeric output, pcap on stdout, the user's options, the filter last. Output is
 * block-buffered, not -U: a write per packet through the engine's attach stream cost four packets
 * in five at 25k packets/s (npm run bench -- capture); with blocks and a 64 MiB kernel buffer none
 * is dropped. The price: counters move in 4 KiB steps on a quiet link, and a helper killed with
 * SIGKILL loses its last unwritten block (a stop, a duration or a count flush it).
 */
export function tcpdumpCommand(options: CaptureOptions, safetySeconds: number): string[] {
  const cmd = ['timeout', '-s', 'INT', String(safetySeconds), 'tcpdump', '-n', '-B', '65536', '-i', options.interface, '-w', '-'];
  if (options.snaplen !== undefined) cmd.push('-s', String(options.snaplen));
  if (options.packetCount !== undefined) cmd.push('-c', String(options.packetCount));
  if (options.filter && options.filter.trim() !== '') cmd.push('--', options.filter);
  return cmd;
}

/**
 * One capture: a helper in the target's network namespace runs tcpdump; its stdout arrives
 * through the attach stream, is demultiplexed, framed (counts, byte cap) and written straight into
 * the evidence store, hashed on the way. The pcap is never held in memory beyond one chunk.
 * Every ending is recorded: a stop Drydock asked for keeps the artifact complete; anything else
 * (helper killed, engine gone, connection dropped, Drydock shutting down) keeps it incomplete.
 */
export class CaptureSession {
  readonly info: CaptureInfo;
  readonly done: Promise<CaptureInfo>;
  private resolveDone!: (info: CaptureInfo) => void;
  private container: Dockerode.Container | undefined;
  private readonly framer: PcapFramer;
  private readonly stderr = new TcpdumpStderr();
  private writer: ArtifactWriterPort | undefined;
  private stopRequested: CaptureStopReason | undefined;
  private startedAtMs = 0;
  private timers: NodeJS.Timeout[] = [];
  private storeError: Error | undefined;
  private demuxCutMidFrame = false;
  private demux: AttachDemuxer | undefined;
  /** The attach stream has ended: tcpdump is gone or going. */
  private streamOver = false;

  constructor(
    private readonly deps: SessionDeps,
    info: CaptureInfo,
  ) {
    this.info = info;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.framer = new PcapFramer({
      ...(info.options.maxBytes !== undefined ? { maxBytes: info.options.maxBytes } : {}),
      onCap: () => void this.stop('max-bytes'),
    });
  }

  get id(): string {
    return this.info.id;
  }

  /** Starts tcpdump; resolves once it listens. On failure nothing is stored and the helper is gone. */
  async start(): Promise<void> {
    const { docker } = this.deps;
    const where = { host: this.info.host, container: this.info.containerName };
    const deadline = new Date(this.deps.clock.now().getTime() + (this.deps.safetySeconds + 300) * 1000);
    this.container = await this.deps.ledger.create(
      docker,
      this.info.host,
      helperCreateOptions({
        purpose: 'capture',
        id: this.info.id,
        image: this.deps.image.image,
        targetId: this.info.containerId,
        cmd: tcpdumpCommand(this.info.options, this.deps.safetySeconds),
        capabilities: CAPTURE_CAPABILITIES,
        owner: thisProcessOwner,
        deadline,
      }),
      {
        helperId: this.info.id,
        purpose: 'capture',
        target: this.info.containerId,
        owner: thisProcessOwner,
        deadline,
        caseId: this.info.caseId,
      },
    );
    const container = this.container;
    let attach: NodeJS.ReadableStream;
    try {
      attach = (await container.attach({ stream: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadableStream;
    } catch (err) {
      await this.removeHelper();
      throw err;
    }

    // Bytes arriving before tcpdump says it listens are held (a few bytes: the pcap header);
    // the evidence writer is opened only once the capture really runs.
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    // tcpdump -U writes one packet at a time; while one write to the store is in flight the
    // chunks behind it queue up and go down together (writev), so the store sees large writes.
    const store = (chunk: Buffer, cb: (err?: Error | null) => void) => {
      ready
        .then(async () => {
          if (!this.writer) this.writer = await this.deps.openWriter(this.deps.artifactMeta);
          await this.writer.write(chunk);
        })
        .then(() => cb(), cb);
    };
    const sink = new Writable({
      highWaterMark: 1024 * 1024,
      write: (chunk: Buffer, _e, cb) => store(chunk, cb),
      writev: (chunks, cb) =>
        store(chunks.length === 1 && chunks[0] ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk as Buffer)), cb),
    });
    const demux = new AttachDemuxer(this.framer, (chunk) => this.stderr.push(chunk));
    this.demux = demux;
    const streamEnded = new Promise<{ error?: Error }>((resolve) => {
      let failure: Error | undefined;
      let gotEnd = false;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        this.streamOver = true;
        this.demuxCutMidFrame = demux.midFrame;
        this.stderr.end();
        // Whatever arrived is flushed through the framer to the store, even after an error.
        this.framer.end();
        resolve(failure ? { error: failure } : {});
      };
      const endDemux = () => {
        if (!demux.writableEnded) demux.end();
      };
      demux.on('finish', settle);
      demux.on('error', (err: Error) => {
        failure ??= err;
        settle();
      });
      attach.on('error', (err: Error) => {
        failure ??= err;
        endDemux();
      });
      attach.on('end', () => (gotEnd = true));
      attach.on('close', () => {
        if (!gotEnd) failure ??= new Error('the attach stream closed before the end of the output');
        endDemux();
      });
    });
    const stored = new Promise<void>((resolve) => {
      sink.on('finish', () => resolve());
      sink.on('error', (err) => {
        this.storeError = err;
        void this.stop('error');
        resolve();
      });
    });
    this.framer.on('error', (err) => sink.destroy(err));
    this.framer.pipe(sink);
    attach.pipe(demux);

    const exited = (container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode?: number }>).then(
      (r) => ({ code: r.StatusCode ?? null }),
      (err: Error) => ({ code: null, error: err }),
    );
    try {
      await container.start();
    } catch (err) {
      await this.removeHelper();
      throw err;
    }

    const outcome = await Promise.race([
      new Promise<'listening'>((resolve) => this.stderr.onListening(() => resolve('listening'))),
      exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => this.timers.push(setTimeout(() => resolve('timeout'), LISTEN_TIMEOUT_MS))),
    ]);
    if (outcome !== 'listening') {
      // Already exited (it never listened): the removal below is what counts, and the ledger audits a failed one.
      await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
      await this.removeHelper();
      this.clearTimers();
      const said = this.stderr.messages || '(no message)';
      throw new DrydockFailure(
        outcome === 'timeout' ? 'engine' : 'engine',
        `tcpdump did not start in container ${this.info.containerName}'s namespace on host ${this.info.host}: ${outcome === 'timeout' ? 'no answer in 30 s' : said}`,
        { ...where, detail: said.slice(0, 2000) },
      );
    }
    this.startedAtMs = Date.now();
    this.info.state = 'running';
    this.info.startedAt = this.deps.clock.now().toISOString();
    if (this.stderr.linkType) this.info.linkType = this.stderr.linkType;
    listening();
    this.deps.onChange(this.info, 'state');
    this.timers.push(setInterval(() => this.progress(), PROGRESS_EVERY_MS));
    if (this.info.options.durationSeconds !== undefined) {
      this.timers.push(setTimeout(() => void this.stop('duration'), this.info.options.durationSeconds * 1000));
    }
    void this.finishWhenDone(streamEnded, stored, exited);
  }

  /** Asks tcpdump to stop (SIGINT: it flushes and prints its counters); SIGKILL if it hangs. */
  async stop(reason: CaptureStopReason): Promise<void> {
    if (this.stopRequested || (this.info.state !== 'running' && this.info.state !== 'starting')) return;
    this.stopRequested = reason;
    this.info.state = 'stopping';
    this.deps.onChange(this.info, 'state');
    const container = this.container;
    if (!container) return;
    if (reason === 'user' || reason === 'duration') {
      await this.drainRing(container);
      // It ended on its own meanwhile (packet count, helper gone): nothing left to signal.
      if (this.streamOver) return;
    }
    // Already exited: the stream ends by itself; the removal in finish() is audited.
    await container.kill({ signal: 'SIGINT' }).catch(() => undefined);
    this.timers.push(
      setTimeout(() => {
        // Already gone after SIGINT: nothing left to kill.
        void container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
      }, STOP_GRACE_MS),
    );
  }

  /**
   * Waits until tcpdump has written every packet its filter took before the stop: SIGINT ends
   * tcpdump without reading what is still in the kernel's ring (the block libpcap has not been
   * handed yet, up to a second of traffic, and a backlog after this process stalled), so a stop
   * sent at once lost those packets. Asks tcpdump for its counters (SIGUSR1: "N packets captured,
   * M packets received by filter, K packets dropped by kernel") and again until N reaches M - K of
   * the first answer, at most RING_DRAIN_MAX_MS. A tcpdump that does not answer (a helper image of
   * the user's whose PID 1 is not tcpdump ignores the signal) gets one block timeout instead.
   */
  private async drainRing(container: Dockerode.Container): Promise<void> {
    const deadline = Date.now() + RING_DRAIN_MAX_MS;
    const first = await this.askCounters(container);
    if (!first) {
      if (!this.streamOver) await new Promise((resolve) => setTimeout(resolve, RING_BLOCK_MS));
      return;
    }
    const target = first.receivedByFilter - first.droppedByKernel;
    let now = first;
    while (now.captured < target && Date.now() < deadline && !this.streamOver) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await this.askCounters(container);
      if (!next) return;
      now = next;
    }
  }

  /** tcpdump's running counters, or undefined when it does not answer SIGUSR1 in time. */
  private async askCounters(container: Dockerode.Container): Promise<RunningCounters | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<RunningCounters | undefined>((resolve) => {
      this.stderr.onRunningCounters(resolve);
      timer = setTimeout(() => resolve(undefined), COUNTERS_ANSWER_MS);
    });
    // Already exited: no answer comes, and the timer ends the wait.
    await container.kill({ signal: 'SIGUSR1' }).catch(() => undefined);
    const counters = await answer;
    clearTimeout(timer);
    return counters;
  }

  private progress(): void {
    this.info.counters = {
      packets: this.framer.packets,
      bytes: this.framer.bytes,
      elapsedMs: this.startedAtMs ? Date.now() - this.startedAtMs : 0,
    };
    if (this.demux) this.info.attach = { stdoutBytes: this.demux.bytes.stdout, stderrBytes: this.demux.bytes.stderr };
    this.deps.onChange(this.info, 'progress');
  }

  private async finishWhenDone(
    streamEnded: Promise<{ error?: Error }>,
    stored: Promise<void>,
    exited: Promise<{ code: number | null; error?: Error }>,
  ): Promise<void> {
    const stream = await streamEnded;
    // The stream ending first is normal; give the engine a moment to report the exit status.
    const status = await Promise.race([
      exited,
      new Promise<{ code: null; error: Error }>((r) =>
        this.timers.push(setTimeout(() => r({ code: null, error: new Error('no exit status from the engine') }), 5000)),
      ),
    ]);
    await stored;
    this.clearTimers();
    this.progress();
    const verdict = this.judge(stream.error, status);
    this.info.stopReason = verdict.reason;
    this.info.endedAt = this.deps.clock.now().toISOString();
    this.info.tcpdump = { ...this.stderr.counters };
    const attributes: Record<string, unknown> = {
      captureId: this.info.id,
      stopReason: verdict.reason,
      packets: this.framer.packets,
      linkType: this.info.linkType ?? null,
      tcpdump: this.info.tcpdump,
      tcpdumpExitCode: status.code,
      startedAt: this.info.startedAt,
      endedAt: this.info.endedAt,
      truncatedAtByteCap: this.framer.reachedCap,
      trailingPartialBytes: this.framer.trailingPartialBytes,
      ...(this.stderr.messages ? { tcpdumpMessages: this.stderr.messages.slice(-4000) } : {}),
    };
    try {
      if (!this.writer && !this.storeError) this.writer = await this.deps.openWriter(this.deps.artifactMeta);
      if (this.writer) {
        const artifact = verdict.complete
          ? await this.writer.finish(attributes)
          : await this.writer.abandon(verdict.why ?? 'capture cut short', attributes);
        this.info.pcap = {
          artifactId: artifact.id,
          sha256: artifact.sha256,
          status: artifact.status,
          ...(artifact.statusReason ? { statusReason: artifact.statusReason } : {}),
        };
      }
      this.info.state = this.storeError ? 'failed' : 'finished';
      if (this.storeError)
        this.info.error = { kind: 'store', message: `Writing the pcap to the evidence store failed: ${this.storeError.message}` };
    } catch (err) {
      this.info.state = 'failed';
      this.info.error = { kind: err instanceof DrydockFailure ? err.kind : 'store', message: (err as Error).message };
    }
    await this.removeHelper();
    this.resolveDone(this.info);
  }

  private judge(
    streamError: Error | undefined,
    status: { code: number | null; error?: Error },
  ): { complete: boolean; reason: CaptureStopReason; why?: string } {
    const counters = this.stderr.hasFinalCounters;
    const framingClean = this.framer.trailingPartialBytes === 0 && !this.demuxCutMidFrame;
    const requested = this.stopRequested;
    if (this.storeError) return { complete: false, reason: 'error', why: `evidence store error: ${this.storeError.message}` };
    if (status.error && status.code === null) {
      return {
        complete: false,
        reason: 'disconnected',
        why: `the connection to host ${this.info.host} dropped during the capture (${(streamError ?? status.error).message})`,
      };
    }
    if (requested === 'shutdown') return { complete: false, reason: 'shutdown', why: 'Drydock shut down during the capture' };
    const countReached = this.info.options.packetCount !== undefined && this.stderr.counters.captured === this.info.options.packetCount;
    const intended = requested === 'user' || requested === 'duration' || requested === 'max-bytes' || (!requested && countReached);
    const reason: CaptureStopReason = requested ?? (countReached ? 'packet-count' : 'helper-exited');
    if (intended && status.code === 0 && counters && framingClean && !streamError) return { complete: true, reason };
    if (intended && requested === 'max-bytes' && counters && !streamError) return { complete: true, reason };
    if (!intended) {
      const said = this.stderr.lastMessage;
      return {
        complete: false,
        reason: 'helper-exited',
        why: `tcpdump's helper container ended before Drydock stopped it (exit ${status.code ?? 'unknown'}${status.code === 137 ? ': killed' : ''})${said ? `: ${said}` : ''}`,
      };
    }
    return {
      complete: false,
      reason,
      why: `tcpdump did not end cleanly (exit ${status.code ?? 'unknown'}${counters ? '' : ', no closing counters'}${framingClean ? '' : ', last packet cut'})`,
    };
  }

  /** Removes the helper and waits until the engine has really let go of it (AutoRemove races us). */
  private async removeHelper(): Promise<void> {
    const container = this.container;
    if (!container) return;
    // A failed removal is audited by the ledger (helper.remove-failed) and the sweeper takes the helper later.
    await this.deps.ledger.remove(this.deps.docker, this.info.host, container.id, 'capture ended').catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      // Already removed (404) or the engine gone: the wait is only a courtesy, bounded by the timer.
      (container.wait({ condition: 'removed' }) as Promise<unknown>).catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, 10000))),
    ]);
    clearTimeout(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}
