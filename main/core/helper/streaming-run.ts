import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { AttachDemuxer } from './attach-demux';
import { helperCreateOptions, type HelperCapability } from './container';
import type { HelperLedger } from './ledger';
import { thisProcessOwner } from './owner';

/** Where a streaming helper runs: joined to a container (containerId), or on the host itself with no network. */
export interface StreamingTarget {
  host: string;
  /** Records the helper and audits its creation and removal. */
  ledger: HelperLedger;
  caseId?: string;
  /** Full ID of the container whose network and PID namespaces the helper joins; absent for a host helper. */
  containerId?: string;
  /** The helper image (ensureHelperImage). */
  image: string;
}

export interface StreamingHelperSpec {
  cmd: string[];
  purpose: string;
  capabilities: readonly HelperCapability[];
  /** The helper is killed after this long (reported as timedOut). */
  timeoutMs: number;
  /** Killed too (reported as stalled) when no output arrives for this long once it started. */
  idleTimeoutMs?: number;
  /** Aborting kills the helper (reported as cancelled). */
  signal?: AbortSignal;
  /** Called with a function that writes to the helper's stdin, once it is attached (the helper gets an open stdin). */
  interact?: (send: (data: string | Buffer) => void) => void;
  /**
   * Awaited before the helper is killed or removed. A helper joined to a PID namespace is a child of
   * that namespace's init once runc has started it: while the target is frozen its exit cannot be
   * reaped, so whoever froze it must thaw it here first.
   */
  beforeRemove?: () => Promise<void>;
  /** Host paths bound read-only at /host<path> (HelperSpec.hostPaths): only for a host helper. */
  hostPaths?: readonly string[];
  /** A scratch volume (HelperLedger.createVolume) mounted writable at /scratch; the caller removes it after the run. */
  scratchVolume?: string;
  /** Called with the helper once it is started (to fetch what it writes to the scratch volume). */
  started?: (container: Dockerode.Container) => void;
}

export interface StreamingHelperResult {
  exitCode: number | null;
  /** First 64 KiB of stderr. */
  stderr: string;
  timedOut: boolean;
  /** No output arrived for idleTimeoutMs: the engine stopped delivering it. */
  stalled: boolean;
  cancelled: boolean;
  /** The attach stream broke, or the sink failed (the sink's own error). */
  error?: Error;
}

/**
 * Runs one helper — joined to the target container's network and PID namespaces, or on the host
 * with no network and the given host paths bound read-only — and pipes its stdout, as it
 * arrives, into `sink` with backpressure (the sink's pace is the helper's pace: nothing piles up
 * in memory), unlike runHelper, which collects output. The helper is recorded in the ledger and
 * removed however the run ends. Ends `sink` when the output ends. Engine errors of create/start
 * propagate for the caller to name.
 */
export async function runStreamingHelper(
  docker: Dockerode,
  target: StreamingTarget,
  spec: StreamingHelperSpec,
  sink: Writable,
): Promise<StreamingHelperResult> {
  const id = randomBytes(6).toString('hex');
  const deadline = new Date(Date.now() + spec.timeoutMs + 60000);
  const container = await target.ledger.create(
    docker,
    target.host,
    {
      ...helperCreateOptions({
        purpose: spec.purpose,
        id,
        image: target.image,
        ...(target.containerId !== undefined ? { targetId: target.containerId, joinPid: true } : {}),
        ...(spec.hostPaths ? { hostPaths: spec.hostPaths } : {}),
        ...(spec.scratchVolume !== undefined ? { scratchVolume: spec.scratchVolume } : {}),
        cmd: spec.cmd,
        capabilities: spec.capabilities,
        owner: thisProcessOwner,
        deadline,
      }),
      ...(spec.interact ? { OpenStdin: true, StdinOnce: false, AttachStdin: true } : {}),
    },
    {
      helperId: id,
      purpose: spec.purpose,
      target: target.containerId ?? 'host',
      owner: thisProcessOwner,
      deadline,
      ...(target.caseId !== undefined ? { caseId: target.caseId } : {}),
    },
  );
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  let stalled = false;
  let cancelled = false;
  let idle: NodeJS.Timeout | undefined;
  const kill = async () => {
    await spec.beforeRemove?.().catch(() => undefined);
    await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
  };
  const onAbort = () => {
    cancelled = true;
    void kill();
  };
  try {
    const attach = (await container.attach({
      stream: true,
      stdout: true,
      stderr: true,
      hijack: true,
      ...(spec.interact ? { stdin: true } : {}),
    })) as NodeJS.ReadWriteStream;
    spec.interact?.((text) => {
      attach.write(text);
    });
    let stderr = '';
    let failure: Error | undefined;
    const demux = new AttachDemuxer(sink, (chunk) => {
      if (stderr.length < 65536) stderr += chunk.toString('latin1').slice(0, 65536 - stderr.length);
    });
    const done = new Promise<void>((resolve) => {
      let gotEnd = false;
      const end = () => {
        if (!demux.writableEnded) demux.end();
      };
      sink.on('finish', () => resolve());
      sink.on('close', () => resolve());
      sink.on('error', (err: Error) => {
        failure ??= err;
        void kill();
        resolve();
      });
      demux.on('finish', () => sink.end());
      demux.on('error', (err: Error) => {
        failure ??= err;
        sink.end();
      });
      attach.on('error', (err: Error) => {
        failure ??= err;
        end();
      });
      attach.on('end', () => (gotEnd = true));
      attach.on('close', () => {
        if (!gotEnd) failure ??= new Error('the attach stream closed before the end of the output');
        end();
      });
    });
    if (spec.idleTimeoutMs !== undefined) {
      const limit = spec.idleTimeoutMs;
      const arm = () => {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => {
          stalled = true;
          void kill();
        }, limit);
      };
      attach.on('data', arm);
      arm();
    }
    attach.pipe(demux);
    const exited = (container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode?: number }>).then(
      (r) => r.StatusCode ?? null,
      () => null,
    );
    if (spec.signal?.aborted) throw new Error('cancelled before start');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    await container.start();
    spec.started?.(container);
    timer = setTimeout(() => {
      timedOut = true;
      void kill();
    }, spec.timeoutMs);
    const [exitCode] = await Promise.all([exited, done]);
    return {
      exitCode: timedOut || cancelled || stalled ? null : exitCode,
      stderr,
      timedOut,
      stalled,
      cancelled,
      ...(failure ? { error: failure } : {}),
    };
  } finally {
    if (timer) clearTimeout(timer);
    if (idle) clearTimeout(idle);
    spec.signal?.removeEventListener('abort', onAbort);
    await spec.beforeRemove?.().catch(() => undefined);
    await target.ledger.remove(docker, target.host, container.id, 'run ended').catch(() => undefined);
  }
}
