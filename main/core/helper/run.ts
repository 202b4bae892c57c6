import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import { AttachDemuxer } from './attach-demux';
import { helperCreateOptions, type HelperCapability } from './container';
import type { HelperLedger } from './ledger';
import { thisProcessOwner, type HelperOwner } from './owner';

/**
 * What every one-shot helper reading a container needs to know: where it runs, for which case, the
 * container it reads and the helper image. Each capability's request adds its own fields.
 */
export interface HelperTarget {
  host: string;
  /** Records the helper by container ID and audits its creation and removal. */
  ledger: HelperLedger;
  caseId?: string;
  /** Full ID of the container the helper joins. */
  containerId: string;
  /** Its name, for messages. */
  containerName: string;
  /** The helper image (ensureHelperImage): Debian's tcpdump and a static busybox. */
  image: string;
}

export interface HelperRunRequest {
  /** Records the helper's creation and removal (and audits both, with the host named). */
  ledger: HelperLedger;
  /** Host profile name the helper runs on. */
  host: string;
  /** Case the helper works for, for its audit entries. */
  caseId?: string;
  image: string;
  /** Full ID of the container whose network namespace the helper joins; absent for a helper reading the host's files. */
  targetId?: string;
  /** Host paths bound read-only at /host<path> (see HelperSpec.hostPaths). */
  hostPaths?: readonly string[];
  cmd: string[];
  /** Label value of drydock.helper: what this helper is for. */
  purpose: string;
  capabilities?: readonly HelperCapability[];
  joinPid?: boolean;
  /** Killed and reported as timed out after this long. */
  timeoutMs?: number;
  /** Output beyond this is dropped (and reported as truncated). */
  maxOutputBytes?: number;
  owner?: HelperOwner;
  /** Written to the helper's stdin once attached (data such as rules, never a command line). */
  stdin?: Buffer;
  /** A small writable tmpfs at /tmp (HelperSpec.tmp). */
  tmp?: boolean;
}

export interface HelperRunResult {
  exitCode: number | null;
  stdout: Buffer;
  stderr: Buffer;
  truncated: boolean;
  timedOut: boolean;
}

/**
 * Runs one short command in a throwaway helper joined to a container's network namespace and
 * returns its output: the filter check here, the socket-table reader of connection discovery.
 * Output is read through the attach stream (attached before start, so nothing is missed) and
 * the helper is removed however the run ends. Engine errors propagate for the caller to name.
 */
export async function runHelper(docker: Dockerode, request: HelperRunRequest): Promise<HelperRunResult> {
  const timeoutMs = request.timeoutMs ?? 30000;
  const max = request.maxOutputBytes ?? 4 * 1024 * 1024;
  const id = randomBytes(6).toString('hex');
  const owner = request.owner ?? thisProcessOwner;
  const deadline = new Date(Date.now() + timeoutMs + 60000);
  const container = await request.ledger.create(
    docker,
    request.host,
    {
      ...helperCreateOptions({
        purpose: request.purpose,
        id,
        image: request.image,
        ...(request.targetId !== undefined ? { targetId: request.targetId } : {}),
        ...(request.hostPaths ? { hostPaths: request.hostPaths } : {}),
        cmd: request.cmd,
        capabilities: request.capabilities ?? [],
        owner,
        deadline,
        joinPid: request.joinPid ?? false,
        ...(request.tmp ? { tmp: true } : {}),
      }),
      ...(request.stdin ? { OpenStdin: true, StdinOnce: false, AttachStdin: true } : {}),
    },
    {
      helperId: id,
      purpose: request.purpose,
      target: request.targetId ?? 'host',
      owner,
      deadline,
      ...(request.caseId !== undefined ? { caseId: request.caseId } : {}),
    },
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    const keep = (list: Buffer[], chunk: Buffer) => {
      if (kept + chunk.length > max) {
        truncated = true;
        chunk = chunk.subarray(0, Math.max(0, max - kept));
      }
      kept += chunk.length;
      if (chunk.length) list.push(Buffer.from(chunk));
    };
    const stream = (await container.attach({
      stream: true,
      stdout: true,
      stderr: true,
      hijack: true,
      ...(request.stdin ? { stdin: true } : {}),
    })) as NodeJS.ReadWriteStream;
    if (request.stdin) stream.write(request.stdin);
    const demux = new AttachDemuxer(
      new Writable({
        write(chunk: Buffer, _e, cb) {
          keep(out, chunk);
          cb();
        },
      }),
      (chunk) => keep(err, chunk),
    );
    const drained = new Promise<void>((resolve) => {
      demux.on('finish', () => resolve());
      demux.on('error', () => resolve());
      stream.on('error', () => resolve());
      stream.on('close', () => resolve());
    });
    stream.pipe(demux);
    const exited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode?: number }>;
    await container.start();
    let timedOut = false;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        // Gone already is fine: the forced removal below ends it either way.
        container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
        resolve(null);
      }, timeoutMs);
    });
    const status = await Promise.race([exited.then((s) => s.StatusCode ?? null), timeout]);
    await Promise.race([drained, new Promise((r) => setTimeout(r, 2000))]);
    return { exitCode: timedOut ? null : status, stdout: Buffer.concat(out), stderr: Buffer.concat(err), truncated, timedOut };
  } finally {
    if (timer) clearTimeout(timer);
    // A failed removal is audited by the ledger (helper.remove-failed) and the sweeper takes the helper later.
    await request.ledger.remove(docker, request.host, container.id, 'run ended').catch(() => undefined);
  }
}

/** Runs a helper; injectable so tests can stand in for the engine's answers. */
export type HelperRunner = (docker: Dockerode, request: HelperRunRequest) => Promise<HelperRunResult>;

/**
 * Runs a read-only, capability-less helper that prints what it read from `target`'s namespace, and
 * fails as the examiner needs to hear it: a timeout or a non-zero exit is a DrydockFailure('engine')
 * naming what was read (`what`: "socket tables") or the helper (`helper`: "socket-table"), the host
 * and the container, with the helper's stderr (first 2,000 characters) as detail.
 * @returns the run's result (stdout bounded by maxOutputBytes; truncated says whether it was cut).
 */
export async function runReaderHelper(
  docker: Dockerode,
  target: HelperTarget,
  spec: { what: string; helper: string; cmd: string[]; purpose: string; joinPid?: boolean; timeoutMs: number; maxOutputBytes: number },
  run: HelperRunner = runHelper,
): Promise<HelperRunResult & { stderrText: string }> {
  const where = { host: target.host, container: target.containerName };
  const result = await run(docker, {
    ledger: target.ledger,
    host: target.host,
    ...(target.caseId !== undefined ? { caseId: target.caseId } : {}),
    image: target.image,
    targetId: target.containerId,
    cmd: spec.cmd,
    purpose: spec.purpose,
    capabilities: [],
    ...(spec.joinPid ? { joinPid: true } : {}),
    timeoutMs: spec.timeoutMs,
    maxOutputBytes: spec.maxOutputBytes,
  });
  if (result.timedOut)
    throw new DrydockFailure(
      'engine',
      `Reading the ${spec.what} of container ${target.containerName} on host ${target.host} timed out`,
      where,
    );
  const stderrText = result.stderr.toString('utf8').slice(0, 2000);
  if (result.exitCode !== 0) {
    throw new DrydockFailure(
      'engine',
      `The ${spec.helper} helper for container ${target.containerName} on host ${target.host} exited with ${result.exitCode ?? 'no status'}${stderrText ? `: ${stderrText.trim()}` : ''}`,
      { ...where, detail: stderrText },
    );
  }
  return { ...result, stderrText };
}
