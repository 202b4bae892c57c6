import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type {
  ImageRegion,
  MemoryAcquireResult,
  MemoryAcquisition,
  ProcessDetail,
  ProcessDetailFlag,
  ProcessDetailReport,
  StringsPage,
} from '../../../shared/domain/memory';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { EventHub } from '../event-hub';
import type { EvidencePort } from '../evidence/port';
import { engineArchitecture } from '../helper/bundle';
import { ensureHelperImage } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { runHelper, type HelperTarget } from '../helper/run';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import type { DriftLookup } from '../processes/drift-crossref';
import { counted } from '../../../shared/counted';
import { coreLayout, PAGE, type CoreRegion } from './elf-core';
import type { CheckpointResult } from '../../../shared/domain/checkpoint';
import { checkpointContainer } from './checkpoint';
import { buildProcessDetail, initNamespaces, ownedConnections, socketsByInode } from './proc-detail';
import { detailCommand, parseDetailOutput, type RawDetail } from './proc-detail-command';
import { regionSize } from './proc-maps';
import { RegionFramer, regionReadCommand, type RegionRead } from './region-reader';
import { scanStrings, skipBytes } from './strings-scan';
import { runStreamingHelper } from '../helper/streaming-run';
import { thisProcessOwner } from '../helper/owner';
import { ChunkFramer, chunkReadCommand, type ChunkTimings } from './chunk-transport';

/** A process the engine's top and the namespace's /proc disagree about (from the processes capability). */
export interface TopMismatch {
  pid: number;
  kind: 'not-in-top' | 'not-in-namespace';
  reason: string;
}

export interface MemoryServiceDeps {
  hosts: DockerSource;
  evidence: EvidencePort;
  events: EventHub;
  clock: Clock;
  audit: AuditFn;
  helpers: HelperLedger;
  /** The user's own helper image from the capture settings; null = the bundled one. */
  helperImageOverride?: () => string | null;
  /** The drift capability's latest report of a container in the case. */
  drift?: DriftLookup;
  /** Processes that are in /proc but not in the engine's top, or the reverse. */
  topMismatches?: (request: { host: string; container: string }) => Promise<TopMismatch[]>;
}

/** Mappings the kernel lists readable but never lets /proc/PID/mem read (VM_IO/VM_PFNMAP pages). */
const KERNEL_SPECIAL = new Set(['[vvar]', '[vvar_vclock]', '[vsyscall]']);

/**
 * Why a mapping of /proc/PID/maps is left out of a memory image, or undefined when it is read. The
 * reason never names the mapping: it is shown beside the mapping's own name (or "anonymous").
 * `perms` is the maps field ("r-xp"), `path` its last field ('' for an anonymous mapping).
 */
export function regionSkipReason(region: { perms: string; path: string }): string | undefined {
  if (region.perms[0] !== 'r') return `not readable (${region.perms})`;
  if (KERNEL_SPECIAL.has(region.path)) return 'kernel pages /proc/PID/mem does not read';
  return undefined;
}
const DETAIL_OUTPUT_MAX = 160 * 1024 * 1024;
// SYS_PTRACE for the ptrace access check of another process's exe, fds, environ and mem;
// DAC_READ_SEARCH because those files belong to the process's own user with mode 0400/0500/0600 and
// the helper's root has no DAC override: without it a process not running as root cannot be read.
const PTRACE = ['SYS_PTRACE', 'DAC_READ_SEARCH'] as const;
/** Pages per chunk file of the archive transport (32 MiB). */
const CHUNK_PAGES = 8192;
const CHUNK_BYTES = CHUNK_PAGES * PAGE;
/** The memory limit every helper is created with (helperCreateOptions), and what the reader itself needs beside its chunk files. */
const HELPER_MEMORY = 256 * 1024 * 1024;
const READER_MEMORY = 64 * 1024 * 1024;
/** Most bytes of chunk files on the scratch volume at once, whatever the engine's host has. */
const SCRATCH_MAX = 1024 * 1024 * 1024;

/**
 * How many chunk files the helper may hold on its tmpfs volume at once (it reads ahead of Drydock's
 * fetch by that much, so the process is read at dd's pace and its read window stays short while
 * Drydock stores at the archive endpoint's pace): an eighth of the engine host's memory (/info
 * MemTotal, bytes), at most SCRATCH_MAX (1 GiB), at least 2 chunks. The tmpfs pages are charged to
 * the helper's memory cgroup, whose limit is raised to match before the first read; Drydock holds
 * none of them (each chunk is streamed from the archive endpoint into the store).
 */
export function scratchWindow(memTotal: number): number {
  const budget = Math.min(SCRATCH_MAX, Math.floor((Number.isFinite(memTotal) && memTotal > 0 ? memTotal : 0) / 8));
  return Math.max(2, Math.floor(budget / CHUNK_BYTES));
}

interface Target extends HelperTarget {
  docker: Dockerode;
  arch: string;
  littleEndian: boolean;
  /** The engine host's memory (/info MemTotal, bytes; 0 when not said). */
  memTotal: number;
}

/**
 * Volatile evidence of a container's processes, in the order it vanishes (RFC 3227): live process
 * detail from /proc and memory images, read by short-lived helpers joined to the container's PID
 * namespace with SYS_PTRACE and DAC_READ_SEARCH (needed to read another process's exe, fds, environ and mem; nothing
 * runs inside the suspect, no helper is privileged), and strings over stored images.
 */
export class MemoryService {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: MemoryServiceDeps) {}

  /**
   * Live detail of the container's processes (every one, or `pids`), with sockets joined to their
   * owners and cross-references (drifted executable, top vs /proc); stored as a 'process-detail'
   * artifact when `store`.
   * @throws DrydockFailure('not-found') for an unknown host or container; ('conflict') when it is not
   *   running; ('engine') when the helper fails or prints no detail; the kinds of engineCall,
   *   resolveWritableCase and the store's writes.
   */
  async detail(request: {
    host: string;
    container: string;
    pids?: number[];
    caseRef?: string;
    store: boolean;
  }): Promise<ProcessDetailReport> {
    const kase = request.store ? await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host }) : undefined;
    const target = await this.target(request.host, request.container, kase?.id);
    const takenAt = this.deps.clock.now().toISOString();
    const raw = await this.readDetail(target, request.pids);
    const limitations: string[] = [];
    const { details, connections } = this.build(target, raw, request.pids, limitations);
    await this.crossReference(target, details, kase?.id, limitations);
    const report: ProcessDetailReport = {
      host: target.host,
      containerId: target.containerId,
      containerName: target.containerName,
      takenAt,
      processes: details,
      connections,
      limitations,
    };
    if (!kase) return report;
    const artifact = await this.deps.evidence.ingestJson(
      {
        caseId: kase.id,
        kind: 'process-detail',
        source: { host: target.host, containerId: target.containerId, containerName: target.containerName },
        method:
          "/proc/PID/{stat,status,cmdline,environ,exe,cwd,root,ns,fd,maps,uid_map,gid_map} and the namespace's /proc/net tables read by a helper container joined to the container's PID namespace (--pid container:, SYS_PTRACE and DAC_READ_SEARCH only, read-only); exe hashed through /proc/PID/exe; no exec in the container",
        mediaType: 'application/json',
        attributes: { processes: details.length, flagged: details.filter((d) => d.flags.length > 0).length, takenAt },
      },
      report,
    );
    this.deps.audit(
      'memory.process-detail',
      {
        host: target.host,
        containerId: target.containerId,
        containerName: target.containerName,
        artifactId: artifact.id,
        processes: details.length,
      },
      kase.id,
    );
    return { ...report, stored: { artifactId: artifact.id, sha256: artifact.sha256, caseId: kase.id } };
  }

  /**
   * Images the memory of one process (`pid`, default 1: the container's entrypoint) or of all of
   * them into the case, each as one ELF core 'memory-image' artifact (docs/memory-image.md), written
   * as it is read. With `pause`, the container is frozen (docker pause) for the read and thawed
   * after, whatever happens; both are audited. Cancel with cancel(acquisitionId): the image being
   * read is kept as incomplete.
   * @throws DrydockFailure as detail(); ('cancelled') when cancelled before any image; ('engine') when
   *   no process could be imaged (each one's reason in the message).
   */
  async acquire(request: {
    host: string;
    container: string;
    pid?: number;
    all: boolean;
    pause: boolean;
    caseRef?: string;
    acquisitionId?: string;
  }): Promise<MemoryAcquireResult> {
    const acquisitionId = request.acquisitionId ?? `ma-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
    if (this.running.has(acquisitionId)) throw new DrydockFailure('conflict', `Memory acquisition ${acquisitionId} is already running`);
    const controller = new AbortController();
    this.running.set(acquisitionId, controller);
    try {
      const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
      const target = await this.target(request.host, request.container, kase.id);
      const where = { host: target.host, container: target.containerName };
      const info = await engineCall({ ...where, action: 'inspect the container' }, () =>
        target.docker.getContainer(target.containerId).inspect(),
      );
      if (info.State.Paused)
        throw new DrydockFailure(
          'conflict',
          `Container ${target.containerName} on host ${target.host} is paused: a helper joined to its PID namespace could not end while it is frozen (its init reaps it); unpause it first, or let --pause freeze it for the read`,
          where,
        );
      const freezer = request.pause ? new Freezer(target, kase.id, acquisitionId, this.deps.audit) : null;
      const images: MemoryAcquisition[] = [];
      const failures: { pid: number; message: string }[] = [];
      // The detail (maps, state) is read while the container runs: a frozen target could not reap the reader.
      const raw = await this.readDetail(target, request.all ? undefined : [request.pid ?? 1]);
      if (!request.all) {
        const pid = request.pid ?? 1;
        const found = raw.processes.get(pid);
        if (!found || this.helperOwn(raw, pid) || !buildProcessDetail(found, initNamespaces(raw), new Map()))
          throw new DrydockFailure(
            'not-found',
            `No process ${pid} in the PID namespace of container ${target.containerName} on host ${target.host}`,
            where,
          );
      }
      const pids = request.all
        ? [...raw.processes.keys()].filter((p) => !this.helperOwn(raw, p)).sort((a, b) => a - b)
        : [request.pid ?? 1];
      for (const pid of pids) {
        if (controller.signal.aborted) {
          failures.push({ pid, message: 'cancelled before this process was read' });
          continue;
        }
        try {
          const detail = raw.processes.get(pid);
          const built = detail ? buildProcessDetail(detail, initNamespaces(raw), new Map()) : null;
          if (!built)
            throw new DrydockFailure(
              'not-found',
              `No process ${pid} in the PID namespace of container ${target.containerName} on host ${target.host}`,
              where,
            );
          images.push(await this.imageProcess(target, kase, built, detail?.files.status, freezer, acquisitionId, controller.signal));
        } catch (err) {
          failures.push({ pid, message: (err as Error).message });
        }
        if (freezer?.failure) throw freezer.failure;
      }
      if (images.length === 0 && failures.length > 0) {
        const kind = controller.signal.aborted ? 'cancelled' : 'engine';
        throw new DrydockFailure(
          kind,
          `No memory image of container ${target.containerName} on host ${target.host}: ${failures.map((f) => `PID ${f.pid}: ${f.message}`).join('; ')}`,
          where,
        );
      }
      return { acquisitionId, images, failures };
    } finally {
      this.running.delete(acquisitionId);
    }
  }

  /** `docker checkpoint --leave-running` of the container, recorded (see checkpointContainer for the shape and the failures). */
  checkpoint(request: { host: string; container: string; caseRef?: string; name?: string }): Promise<CheckpointResult> {
    return checkpointContainer(this.deps, request);
  }

  /** Stops an acquisition under way; `cancelled` is false when there is none with that ID. */
  cancel(acquisitionId: string): { cancelled: boolean } {
    const controller = this.running.get(acquisitionId);
    if (!controller) return { cancelled: false };
    controller.abort();
    return { cancelled: true };
  }

  /** Cancels every acquisition under way (the core is closing). */
  close(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  /**
   * One page of strings of an artifact (see scanStrings), from byte `from`: at most `limit`, each at
   * least `minLength` characters, only those containing `search` (case-insensitive) when given.
   * The artifact is read as a stream from its start; nothing but the current strings is held.
   * @throws DrydockFailure('not-found') for an unknown artifact; ('integrity') when its blob is missing.
   */
  async strings(request: { artifactId: string; from: number; limit: number; minLength: number; search?: string }): Promise<StringsPage> {
    const info = await this.deps.evidence.getArtifact(request.artifactId);
    if (!info) throw new DrydockFailure('not-found', `No artifact ${request.artifactId} in the store`);
    const page: StringsPage = { artifactId: info.id, from: request.from, next: null, strings: [], size: info.size };
    if (request.from >= info.size) return page;
    const needle = request.search?.toLowerCase();
    const stream = await this.deps.evidence.openArtifact(info.id);
    let lastEnd = request.from;
    const { stoppedAt } = await scanStrings(skipBytes(stream, request.from), {
      startOffset: request.from,
      minLength: request.minLength,
      emit: (found, end) => {
        if (needle !== undefined && !found.text.toLowerCase().includes(needle)) return true;
        page.strings.push(found);
        lastEnd = Math.max(lastEnd, end);
        return page.strings.length < request.limit;
      },
    });
    if (!stream.destroyed) stream.destroy();
    page.strings.sort((a, b) => a.offset - b.offset);
    page.next = stoppedAt === null ? null : Math.max(lastEnd, request.from + 1);
    return page;
  }

  private helperOwn(raw: RawDetail, pid: number): boolean {
    if (raw.self === null) return false;
    if (pid === raw.self) return true;
    const stat = raw.processes.get(pid)?.files.stat?.toString('latin1') ?? '';
    const ppid = /\) \S (\d+)/.exec(stat)?.[1];
    return ppid !== undefined && Number(ppid) === raw.self;
  }

  private async target(host: string, container: string, caseId: string | undefined): Promise<Target> {
    const docker = await this.deps.hosts.docker(host);
    const inspect = await engineCall({ host, container, action: 'inspect the container' }, () => docker.getContainer(container).inspect());
    const name = inspect.Name.replace(/^\//, '');
    if (!inspect.State.Running)
      throw new DrydockFailure('conflict', `Container ${name} on host ${host} is not running: it has no live processes`, {
        host,
        container: name,
      });
    const engineInfo = (await engineCall({ host, action: "read the engine's architecture" }, () => docker.info())) as {
      Architecture?: string;
      MemTotal?: unknown;
    };
    const arch = engineArchitecture(engineInfo.Architecture ?? '');
    const image = (await ensureHelperImage(docker, { host, override: this.deps.helperImageOverride?.() ?? null, audit: this.deps.audit }))
      .image;
    return {
      docker,
      host,
      ledger: this.deps.helpers,
      containerId: inspect.Id,
      containerName: name,
      image,
      arch,
      littleEndian: !['s390x', 'ppc64', 'mips', 'sparc64'].includes(arch),
      memTotal: typeof engineInfo.MemTotal === 'number' ? engineInfo.MemTotal : 0,
      ...(caseId !== undefined ? { caseId } : {}),
    };
  }

  private async readDetail(target: Target, pids: number[] | undefined): Promise<RawDetail> {
    const where = { host: target.host, container: target.containerName };
    const result = await runHelper(target.docker, {
      ledger: target.ledger,
      host: target.host,
      ...(target.caseId !== undefined ? { caseId: target.caseId } : {}),
      image: target.image,
      targetId: target.containerId,
      cmd: detailCommand(pids ? [...new Set([1, ...pids])] : []),
      purpose: 'process-detail',
      capabilities: PTRACE,
      joinPid: true,
      timeoutMs: 120_000,
      maxOutputBytes: DETAIL_OUTPUT_MAX,
    });
    const stderr = result.stderr.toString('utf8').slice(0, 2000);
    if (result.timedOut)
      throw new DrydockFailure(
        'engine',
        `Reading the process detail of container ${target.containerName} on host ${target.host} timed out`,
        where,
      );
    const raw = parseDetailOutput(result.stdout.toString('latin1'));
    if (result.exitCode !== 0 || raw.self === null)
      throw new DrydockFailure(
        'engine',
        `The process-detail helper for container ${target.containerName} on host ${target.host} exited with ${result.exitCode ?? 'no status'}${stderr ? `: ${stderr.trim()}` : ''}`,
        { ...where, detail: stderr },
      );
    if (result.truncated) raw.complete = false;
    return raw;
  }

  private build(target: Target, raw: RawDetail, pids: number[] | undefined, limitations: string[]) {
    const sockets = socketsByInode(raw.net, target.littleEndian ? 'little' : 'big');
    const init = initNamespaces(raw);
    const details: ProcessDetail[] = [];
    let vanished = 0;
    for (const [pid, rawProcess] of [...raw.processes].sort((a, b) => a[0] - b[0])) {
      if (this.helperOwn(raw, pid)) continue;
      if (pids && !pids.includes(pid)) continue;
      const detail = buildProcessDetail(rawProcess, init, sockets);
      if (detail) details.push(detail);
      else vanished++;
    }
    for (const pid of raw.gone) if (pids?.includes(pid)) limitations.push(`PID ${pid} is not in the container's PID namespace`);
    if (vanished)
      limitations.push(
        `${counted(vanished, 'process', 'processes')} exited while ${vanished === 1 ? 'it was' : 'they were'} read and ${vanished === 1 ? 'is' : 'are'} not shown`,
      );
    if (raw.limited) limitations.push('the namespace holds more processes than were detailed');
    if (!raw.complete) limitations.push("the helper's output was cut before its end: processes after the cut are missing");
    if (raw.skipped)
      limitations.push(
        `${counted(raw.skipped, 'record')} of the helper's output ${raw.skipped === 1 ? 'was' : 'were'} malformed and ${raw.skipped === 1 ? 'is' : 'are'} left out`,
      );
    if (init.size === 0) limitations.push("PID 1's namespaces could not be read: no process is compared with it");
    const connections = ownedConnections(details, sockets);
    return { details, connections };
  }

  private async crossReference(target: Target, details: ProcessDetail[], caseId: string | undefined, limitations: string[]): Promise<void> {
    const add = (pid: number, flag: ProcessDetailFlag) => details.find((d) => d.pid === pid)?.flags.push(flag);
    if (this.deps.drift && caseId) {
      const facts = await this.deps.drift({ host: target.host, containerId: target.containerId, caseId });
      if (facts) {
        for (const d of details) {
          const change = d.exe.path !== null ? facts.changedPaths.get(d.exe.path) : undefined;
          if (change)
            add(d.pid, {
              kind: 'drifted-executable',
              severity: 'high',
              reason: `its executable ${d.exe.path} was ${change} in the container's layer (drift report ${facts.reportArtifactId}): not from the image`,
            });
        }
      } else limitations.push('no drift report of this container in the case: executables are not checked against the image');
    }
    if (this.deps.topMismatches) {
      try {
        for (const m of await this.deps.topMismatches({ host: target.host, container: target.containerId })) {
          if (m.kind === 'not-in-top') add(m.pid, { kind: 'not-in-top', severity: 'medium', reason: m.reason });
          else limitations.push(`Seen by the engine's top but not in /proc of the namespace: PID ${m.pid} (${m.reason})`);
        }
      } catch (err) {
        limitations.push(`the engine's top could not be compared with /proc: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Removes a memory run's scratch volume (the ledger waits out a helper the engine is still
   * removing); a failure is audited by the ledger and left for the helper sweep, never thrown over
   * the acquisition's own outcome.
   */
  private async dropVolume(target: Target, volume: string, reason: string): Promise<void> {
    await target.ledger.removeVolume(target.docker, target.host, volume, reason).catch(() => undefined);
  }

  private async imageProcess(
    target: Target,
    kase: { id: string; name: string },
    detail: ProcessDetail,
    status: Buffer | undefined,
    freezer: Freezer | null,
    acquisitionId: string,
    signal: AbortSignal,
  ): Promise<MemoryAcquisition> {
    const paused = freezer !== null;
    const where = { host: target.host, container: target.containerName };
    if (detail.maps.length === 0)
      throw new DrydockFailure(
        'engine',
        `PID ${detail.pid} of container ${target.containerName} on host ${target.host} has no readable memory map`,
        where,
      );
    const regions: (CoreRegion & { reason?: string })[] = detail.maps.map((m) => {
      const reason = regionSkipReason(m);
      return {
        start: BigInt(`0x${m.start}`),
        end: BigInt(`0x${m.end}`),
        fileOffset: BigInt(`0x${m.offset}`) / BigInt(PAGE),
        perms: m.perms,
        path: m.path,
        included: reason === undefined,
        ...(reason !== undefined ? { reason } : {}),
      };
    });
    const uid = Number(detail.uids[0] ?? 0);
    const gid = Number(detail.gids[0] ?? 0);
    const layout = coreLayout(
      regions,
      {
        pid: detail.pid,
        ppid: detail.ppid ?? 0,
        pgrp: 0,
        sid: 0,
        uid,
        gid,
        state: detail.state,
        comm: Buffer.from(detail.comm, 'utf8'),
        args: Buffer.from(detail.argv.join(' '), 'utf8'),
      },
      target.arch,
      target.littleEndian,
    );
    const reads: RegionRead[] = regions
      .filter((r) => r.included)
      .map((r) => ({
        firstPage: r.start / BigInt(PAGE),
        pages: regionSize({ start: r.start.toString(16), end: r.end.toString(16) }) / PAGE,
      }));
    const memoryBytes = reads.reduce((n, r) => n + r.pages * PAGE, 0);
    // The bulk transport: chunk files on a tmpfs volume fetched through the archive endpoint, or
    // (when the volume cannot be created) the attach stream, which this engine relays far slower.
    const helperId = randomBytes(6).toString('hex');
    let volume: string | null = null;
    let fallback: string | undefined;
    let chunkWindow = scratchWindow(target.memTotal);
    let windowNote: string | undefined;
    try {
      volume = await target.ledger.createVolume(target.docker, target.host, chunkWindow * CHUNK_BYTES + 1024 * 1024, {
        helperId,
        purpose: 'memory-scratch',
        target: target.containerId,
        owner: thisProcessOwner,
        deadline: new Date(Date.now() + 6 * 3600_000 + 120_000),
        caseId: kase.id,
      });
    } catch (err) {
      fallback = `the scratch volume could not be created (${(err as Error).message.slice(0, 300)}): the image travels over the attach stream`;
      this.deps.audit(
        'memory.transport-fallback',
        { host: target.host, containerId: target.containerId, containerName: target.containerName, pid: detail.pid, reason: fallback },
        kase.id,
      );
    }
    const transport = volume !== null ? 'archive-volume' : 'attach-stream';
    const method = `every readable region of /proc/PID/maps read from /proc/PID/mem by a helper container joined to the container's PID namespace (--pid container:, SYS_PTRACE and DAC_READ_SEARCH only, read-only; busybox dd, 1 MiB reads, one page per read only over the 1 MiB after a page the kernel refused), ${
      volume !== null
        ? `written in ${CHUNK_BYTES / 1048576} MiB chunk files to a tmpfs volume mounted only in that helper (at most ${chunkWindow} at once) and fetched through the engine's archive endpoint (each deleted once stored)`
        : "relayed over the engine's attach stream"
    }, written as an ELF core file (docs/memory-image.md); no exec in the container, no ptrace stop (no registers)`;
    const writer = await this.deps.evidence.openWriter({
      caseId: kase.id,
      kind: 'memory-image',
      source: { host: target.host, containerId: target.containerId, containerName: target.containerName },
      method,
      mediaType: 'application/x-coredump',
      attributes: { pid: detail.pid, comm: detail.comm, acquisitionId, format: 'elf-core', paused, transport },
    });
    await writer.write(layout.head);
    let lastProgress = 0;
    const progress = (bytes: number) => {
      if (bytes - lastProgress < 8 * 1024 * 1024 && bytes !== memoryBytes) return;
      lastProgress = bytes;
      this.deps.events.emit('memory.progress', {
        acquisitionId,
        host: target.host,
        containerName: target.containerName,
        pid: detail.pid,
        bytesDone: bytes,
        bytesTotal: memoryBytes,
      });
    };
    let send: (text: string) => void = () => undefined;
    let chunked: ChunkFramer | null = null;
    // The helper's @ready may arrive before the engine's answer to its start: the limit waits for it.
    let helperStarted: (container: Dockerode.Container) => void = () => undefined;
    const helper = new Promise<Dockerode.Container>((resolve) => (helperStarted = resolve));
    // The chunk reader's tmpfs pages are charged to the helper's memory cgroup: its limit is raised
    // to hold the window before the first read; refused, the window shrinks to what the limit holds.
    const raiseLimit = async (): Promise<void> => {
      const needed = chunkWindow * CHUNK_BYTES + READER_MEMORY;
      if (!chunked || needed <= HELPER_MEMORY) return;
      try {
        await (await helper).update({ Memory: needed, MemorySwap: needed });
      } catch (err) {
        chunkWindow = Math.max(1, Math.floor((HELPER_MEMORY - READER_MEMORY) / CHUNK_BYTES));
        windowNote = `the helper's memory limit could not be raised (${(err as Error).message.slice(0, 200)}): at most ${chunkWindow} chunk files at once`;
      }
    };
    // Frozen between the reader's @ready and its last read; thawed once, before the helper may exit.
    let thawing: Promise<unknown> | undefined;
    const thaw = (): Promise<unknown> => (thawing ??= freezer ? freezer.thaw() : Promise.resolve());
    const hooks = {
      ready: () => {
        const go = () => {
          chunked?.started(chunkWindow);
          send(chunked ? `go ${chunkWindow}\n` : 'go\n');
        };
        void raiseLimit().then(() => {
          if (!freezer) return go();
          void freezer.freeze().then(go, go);
        });
      },
      // The chunk reader's last read is done: the container runs again while its chunks are fetched.
      readEnd: () => void thaw().catch(() => undefined),
      end: () => void thaw().finally(() => send('done\n')),
    };
    const store = async (chunk: Buffer) => writer.write(chunk);
    chunked =
      volume !== null ? new ChunkFramer(reads, CHUNK_PAGES, store, progress, { ...hooks, ack: (line) => send(line) }, signal) : null;
    const framer: RegionFramer | ChunkFramer = chunked ?? new RegionFramer(reads, store, progress, hooks);
    // What each region became, from what the reader said and what reached the store: the image's
    // program headers give every region its full size before any byte is read, so a region of an
    // image cut short says how much of it was stored (the rest is past the end of the file).
    const imageRegions = (): ImageRegion[] => {
      let k = 0;
      let streamAt = 0;
      return regions.map((r, i) => {
        const outcome = r.included ? framer.outcomes[k++] : undefined;
        const m = detail.maps[i];
        const failed = outcome?.failedPages ?? 0;
        const size = r.included ? Number(r.end - r.start) : 0;
        const stored = Math.max(0, Math.min(size, framer.bytes - streamAt));
        streamAt += size;
        const unread = !r.included
          ? r.reason
          : stored === 0
            ? 'not stored (the acquisition ended before it; the image file ends before this region)'
            : stored < size
              ? `only its first ${stored} of ${size} bytes were stored (the acquisition ended; the image file ends there)`
              : outcome === undefined
                ? 'not read (the acquisition ended before it)'
                : failed > 0
                  ? `${counted(failed, 'page')} could not be read and ${failed === 1 ? 'is' : 'are'} zeros in the image`
                  : undefined;
        return {
          start: m?.start ?? '',
          end: m?.end ?? '',
          perms: r.perms,
          offset: m?.offset ?? '0',
          device: m?.device ?? '',
          inode: m?.inode ?? 0,
          path: r.path,
          imageOffset: layout.offsets[i] ?? 0,
          fileSize: size,
          ...(r.included && stored < size ? { storedBytes: stored } : {}),
          ...(unread !== undefined ? { unreadable: unread } : {}),
          ...(failed > 0 ? { unreadablePages: failed } : {}),
        };
      });
    };
    let run;
    const transferStarted = performance.now();
    try {
      run = await runStreamingHelper(
        target.docker,
        target,
        {
          cmd: chunked ? chunkReadCommand(detail.pid, reads, CHUNK_PAGES) : regionReadCommand(detail.pid, reads),
          ...(volume !== null ? { scratchVolume: volume } : {}),
          ...(chunked
            ? {
                started: (container: Dockerode.Container) => {
                  if (chunked) chunked.container = container;
                  helperStarted(container);
                },
              }
            : {}),
          purpose: 'memory',
          capabilities: PTRACE,
          timeoutMs: 6 * 3600_000,
          // The reader writes continuously; a minute of silence means the engine stopped relaying it.
          idleTimeoutMs: 60_000,
          signal,
          interact: (write) => (send = write),
          ...(freezer ? { beforeRemove: () => freezer.thaw() } : {}),
        },
        framer,
      );
    } catch (err) {
      if (volume !== null) await this.dropVolume(target, volume, 'run failed');
      const kept = await writer.abandon(`the memory reader could not run: ${(err as Error).message}`, { transport });
      throw new DrydockFailure(
        'engine',
        `Imaging PID ${detail.pid} of container ${target.containerName} on host ${target.host} failed: ${(err as Error).message} (incomplete artifact ${kept.id})`,
        { ...where, cause: err },
      );
    }
    const transferSeconds = (performance.now() - transferStarted) / 1000;
    if (volume !== null) await this.dropVolume(target, volume, 'run ended');
    const regionList = imageRegions();
    const unreadable = regionList
      .filter((r) => r.unreadable)
      .map((r) => ({ start: r.start, end: r.end, path: r.path, reason: r.unreadable ?? '' }));
    const attributes = {
      pid: detail.pid,
      ppid: detail.ppid,
      comm: detail.comm,
      state: detail.state,
      exe: detail.exe,
      paused,
      acquisitionId,
      format: 'elf-core',
      architecture: target.arch,
      memoryBytes,
      regions: regionList,
      statusAtAcquisition: (status ?? Buffer.alloc(0)).toString('latin1').slice(0, 8192),
      transport,
      ...(fallback !== undefined ? { transportNote: fallback } : {}),
      transferSeconds: Number(transferSeconds.toFixed(3)),
      ...(chunked
        ? {
            transferTimings: roundTimings(chunked.timings),
            chunkBytes: CHUNK_BYTES,
            scratchWindowBytes: chunkWindow * CHUNK_BYTES,
            ...(windowNote !== undefined ? { scratchWindowNote: windowNote } : {}),
            ...(chunked.readWindowSeconds !== null ? { readWindowSeconds: Number(chunked.readWindowSeconds.toFixed(2)) } : {}),
          }
        : {}),
    };
    const complete =
      (!freezer || freezer.frozeOnce) &&
      framer.ended &&
      framer.failure === null &&
      run.exitCode === 0 &&
      !run.error &&
      framer.bytes === memoryBytes;
    const base = {
      host: target.host,
      containerId: target.containerId,
      containerName: target.containerName,
      pid: detail.pid,
      comm: detail.comm,
      state: detail.state,
      paused,
      caseId: kase.id,
      caseName: kase.name,
      memoryBytes,
      regions: regions.length,
      unreadable,
      transport,
      ...(typeof attributes.readWindowSeconds === 'number' ? { readWindowSeconds: attributes.readWindowSeconds } : {}),
    };
    if (!complete) {
      const reason =
        freezer && !freezer.frozeOnce
          ? `the container could not be paused for the read: ${freezer.failure?.message ?? 'the reader stopped before'}`
          : run.cancelled
            ? 'cancelled by the examiner'
            : run.stalled
              ? "the engine stopped relaying the memory reader's output for a minute (a client attached to the helper that does not read holds the engine's stream): the helper was stopped"
              : run.timedOut
                ? 'the memory reader timed out'
                : (framer.failure ??
                  run.error?.message ??
                  `the memory reader exited with ${run.exitCode ?? 'no status'} after ${framer.bytes} of ${memoryBytes} bytes${
                    run.exitCode === 137
                      ? " (killed: when the container's PID 1 exits, the kernel kills every process in its PID namespace, the reader too; did the container stop?)"
                      : ''
                  }${run.stderr ? `: ${run.stderr.trim().slice(0, 300)}` : ''}`);
      const kept = await writer.abandon(reason, attributes);
      this.deps.audit(
        'memory.image-incomplete',
        {
          host: target.host,
          containerId: target.containerId,
          containerName: target.containerName,
          pid: detail.pid,
          artifactId: kept.id,
          reason,
        },
        kase.id,
      );
      return { ...base, artifactId: kept.id, sha256: kept.sha256, bytes: kept.size, incomplete: reason };
    }
    const stored = await writer.finish(attributes);
    this.deps.audit(
      'memory.acquired',
      {
        host: target.host,
        containerId: target.containerId,
        containerName: target.containerName,
        pid: detail.pid,
        artifactId: stored.id,
        sha256: stored.sha256,
        bytes: stored.size,
        paused,
      },
      kase.id,
    );
    return { ...base, artifactId: stored.id, sha256: stored.sha256, bytes: stored.size };
  }
}

/**
 * Freezes a container (docker pause) for one memory read and thaws it after, whatever happens;
 * both are audited. Thawing twice is harmless; a failed thaw is audited and kept as `failure`, so the
 * acquisition fails loudly: a container left frozen is a trace nobody asked for.
 */
class Freezer {
  private frozen = false;
  frozeOnce = false;
  failure: DrydockFailure | undefined;

  constructor(
    private readonly target: Target,
    private readonly caseId: string,
    private readonly acquisitionId: string,
    private readonly audit: AuditFn,
  ) {}

  private get details() {
    return {
      host: this.target.host,
      containerId: this.target.containerId,
      containerName: this.target.containerName,
      acquisitionId: this.acquisitionId,
    };
  }

  async freeze(): Promise<void> {
    const where = { host: this.target.host, container: this.target.containerName };
    try {
      await engineCall({ ...where, action: 'pause the container' }, () => this.target.docker.getContainer(this.target.containerId).pause());
    } catch (err) {
      this.failure = err instanceof DrydockFailure ? err : new DrydockFailure('engine', (err as Error).message, where);
      throw err;
    }
    this.frozen = true;
    this.frozeOnce = true;
    this.audit('memory.container-paused', this.details, this.caseId);
  }

  async thaw(): Promise<void> {
    if (!this.frozen) return;
    this.frozen = false;
    const where = { host: this.target.host, container: this.target.containerName };
    try {
      await engineCall({ ...where, action: 'unpause the container' }, () =>
        this.target.docker.getContainer(this.target.containerId).unpause(),
      );
      this.audit('memory.container-unpaused', this.details, this.caseId);
    } catch (err) {
      this.audit('memory.unpause-failed', { ...this.details, message: (err as Error).message }, this.caseId);
      this.failure = new DrydockFailure(
        'engine',
        `Container ${this.target.containerName} on host ${this.target.host} could not be unpaused after the memory read: ${(err as Error).message}`,
        where,
      );
    }
  }
}

function roundTimings(t: ChunkTimings): ChunkTimings {
  const r = (n: number) => Number(n.toFixed(3));
  return {
    chunks: t.chunks,
    waitHelper: r(t.waitHelper),
    archive: r(t.archive),
    store: r(t.store),
    fetchedDuringRead: t.fetchedDuringRead,
    unreserved: t.unreserved,
  };
}
