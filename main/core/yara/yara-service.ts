import type Dockerode from 'dockerode';
import { extract } from 'tar-stream';
import { counted } from '../../../shared/counted';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import {
  YARA_MAX_MATCHES,
  type YaraEngineInfo,
  type YaraMatch,
  type YaraScanReport,
  type YaraScanTarget,
} from '../../../shared/domain/yara';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { EvidencePort } from '../evidence/port';
import { ensureHelperImage } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { runHelper } from '../helper/run';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import { ChunkedScanner, previewBytes, OVERLAP_BYTES, CHUNK_BYTES, type StreamMatch } from './chunk-scan';
import { fileScanCommand, memoryScanCommand, parseHelperOutput } from './helper-scan';
import { compileRules, starterRules, type CompiledRules, type RuleFile } from './rules';
import { WASM_ENGINE } from './wasm-engine';
import { YaraWorker } from './yara-worker';

/** The changed files a drift scan found, per container, with the artifact holding each one's bytes when it was stored. */
export interface DriftScanFiles {
  host: string;
  caseId: string;
  containers: {
    containerId: string;
    containerName: string;
    reportArtifactId: string | null;
    files: { path: string; pathBase64?: string; artifactId?: string; notStored?: string }[];
  }[];
}

export interface YaraServiceDeps {
  hosts: DockerSource;
  evidence: EvidencePort;
  clock: Clock;
  audit: AuditFn;
  helpers: HelperLedger;
  /** The user's own helper image from the capture settings; null = the bundled one. */
  helperImageOverride?: () => string | null;
  /** The drift capability's changed files of one scan. */
  driftFiles: (scanId: string) => Promise<DriftScanFiles>;
}

export type YaraScanRequest = {
  rules: { name: string; text: string }[];
  starter: boolean;
  caseRef?: string;
} & (
  | { target: 'artifact'; artifactId: string }
  | { target: 'drift-scan'; scanId: string }
  | { target: 'container'; host: string; container: string; memory: boolean; pids?: number[] }
);

/** Files larger than this are not scanned in a container's filesystem (listed as skipped). */
export const SKIP_LARGER_BYTES = 512 * 1024 * 1024;
const HELPER_OUTPUT_MAX = 64 * 1024 * 1024;
const PTRACE_READ = ['SYS_PTRACE', 'DAC_READ_SEARCH'] as const;
/** Said only when some file or region was in fact scanned in more than one window (a smaller one is one YARA file). */
const CHUNKING = `files and regions larger than ${CHUNK_BYTES / 1024 / 1024} MiB are scanned by the in-app engine in ${CHUNK_BYTES / 1024 / 1024} MiB windows overlapping by ${OVERLAP_BYTES / 1024} KiB: a match up to ${OVERLAP_BYTES / 1024} KiB long across a window boundary is found, but conditions (filesize, #count, at/in offsets) see one window at a time`;

/** Collects matches up to YARA_MAX_MATCHES and counts the rest (`strings`: those of a string, not a rule's condition alone). */
class Findings {
  readonly matches: YaraMatch[] = [];
  count = 0;
  strings = 0;
  add(match: YaraMatch): void {
    this.count++;
    if (match.string !== '') this.strings++;
    if (this.matches.length < YARA_MAX_MATCHES) this.matches.push(match);
  }
}

/**
 * YARA scans with a real engine: Debian's yara in a helper container on the host for a running
 * container's files (/proc/1/root) and its processes' live memory; libyara compiled to WebAssembly
 * in the app for artifacts in the store (memory images per region), a drift scan's stored files,
 * and a stopped container's filesystem streamed from the archive endpoint. Every scan is stored
 * as a 'yara-report' artifact linked to what it scanned, and audited.
 */
export class YaraService {
  constructor(private readonly deps: YaraServiceDeps) {}

  /**
   * Scans the target with the given rules (and the starter set when `starter`).
   * @returns the report, stored in the case (the artifact's or the scan's case for stored evidence).
   * @throws DrydockFailure('invalid-input') for rules that do not compile; ('not-found') for an
   *   unknown artifact, scan, host or container; ('conflict') for live memory of a stopped
   *   container; ('engine') when the helper fails; the store's kinds.
   */
  async scan(request: YaraScanRequest): Promise<YaraScanReport> {
    const files: RuleFile[] = [
      ...request.rules.map((r) => ({ ...r, origin: 'user' as const })),
      ...(request.starter ? starterRules() : []),
    ];
    const rules = await compileRules(files);
    const startedAt = this.deps.clock.now().toISOString();
    let partial: Omit<YaraScanReport, 'rules' | 'rulesMatched' | 'startedAt' | 'finishedAt' | 'warnings' | 'stored'>;
    let caseId: string;
    let source: ArtifactInfo['source'] = {};
    if (request.target === 'artifact') {
      const info = await this.deps.evidence.getArtifact(request.artifactId);
      if (!info) throw new DrydockFailure('not-found', `No artifact ${request.artifactId} in the store`);
      caseId = (await this.deps.evidence.resolveWritableCase(request.caseRef ?? info.caseId)).id;
      source = info.source;
      partial = await this.scanArtifacts([{ info }], rules, { kind: 'artifact', artifactId: info.id });
    } else if (request.target === 'drift-scan') {
      const drift = await this.deps.driftFiles(request.scanId);
      caseId = (await this.deps.evidence.resolveWritableCase(request.caseRef ?? drift.caseId)).id;
      source = { host: drift.host };
      partial = await this.scanDrift(drift, rules, request.scanId);
    } else {
      caseId = (await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host })).id;
      partial = await this.scanContainer(request, rules, caseId);
      source = {
        host: request.host,
        ...(partial.containerId ? { containerId: partial.containerId } : {}),
        ...(partial.containerName ? { containerName: partial.containerName } : {}),
      };
    }
    const report: YaraScanReport = {
      ...partial,
      rules: rules.sources,
      rulesMatched: [...new Set(partial.matches.map((m) => m.rule))].sort(),
      startedAt,
      finishedAt: this.deps.clock.now().toISOString(),
      warnings: rules.warnings,
    };
    const stored = await this.deps.evidence.ingestJson(
      {
        caseId,
        kind: 'yara-report',
        source,
        method: `YARA rules (${rules.sources.map((s) => s.name).join(', ')}) run by ${report.engine.name} ${report.engine.version} ${report.engine.where === 'helper' ? "in a helper container joined to the container's PID namespace (SYS_PTRACE, DAC_READ_SEARCH, read-only root; rules on stdin)" : 'in the app (libyara compiled to WebAssembly)'}`,
        mediaType: 'application/json',
        attributes: {
          target: report.target,
          engine: report.engine,
          rules: report.rules,
          rulesMatched: report.rulesMatched,
          matchCount: report.matchCount,
          stringHits: report.stringHits ?? report.matchCount,
          truncated: report.truncated,
          scannedArtifactIds: report.scanned.artifactIds,
          pids: report.scanned.pids,
          ...(report.containerId ? { containerId: report.containerId } : {}),
        },
      },
      report,
    );
    this.deps.audit(
      'yara.scan',
      {
        ...(report.host ? { host: report.host } : {}),
        ...(report.containerId ? { containerId: report.containerId, containerName: report.containerName } : {}),
        target: report.target,
        engine: `${report.engine.name} ${report.engine.version}`,
        rules: report.rules.map((r) => `${r.name} ${r.sha256}`),
        scannedArtifactIds: report.scanned.artifactIds,
        matches: report.matchCount,
        artifactId: stored.id,
      },
      caseId,
    );
    return { ...report, stored: { artifactId: stored.id, sha256: stored.sha256, caseId } };
  }

  /** The artifacts scanned in one YARA worker (off the main thread), ended whatever happens. */
  private async scanArtifacts(
    items: { info: ArtifactInfo; path?: string; pathBase64?: string }[],
    rules: CompiledRules,
    target: YaraScanTarget,
    extra: { skipped?: { what: string; reason: string }[]; host?: string } = {},
  ) {
    const worker = new YaraWorker(rules.text);
    try {
      return await this.scanArtifactsIn(worker, items, target, extra);
    } finally {
      await worker.close();
    }
  }

  private async scanArtifactsIn(
    worker: YaraWorker,
    items: { info: ArtifactInfo; path?: string; pathBase64?: string }[],
    target: YaraScanTarget,
    extra: { skipped?: { what: string; reason: string }[]; host?: string },
  ) {
    const findings = new Findings();
    const skipped = [...(extra.skipped ?? [])];
    const limitations: string[] = [];
    let windowed = false;
    let bytes = 0;
    let regions = 0;
    const pids: number[] = [];
    for (const { info, path, pathBase64 } of items) {
      if (info.status === 'incomplete')
        limitations.push(
          `artifact ${info.id} is incomplete (${info.statusReason ?? 'no reason recorded'}): only what it holds was scanned`,
        );
      const where = {
        artifactId: info.id,
        ...(path !== undefined ? { path } : info.source.path !== undefined ? { path: info.source.path } : {}),
        ...(pathBase64 !== undefined ? { pathBase64 } : {}),
      };
      const layout = memoryRegions(info);
      if (layout) {
        const pid = typeof info.attributes.pid === 'number' ? info.attributes.pid : undefined;
        if (pid !== undefined) pids.push(pid);
        regions += layout.length;
        const read = await this.scanRegions(worker, info.id, layout, (m, region) => {
          const rel = m.offset - region.imageOffset;
          findings.add({
            ...toMatch(m),
            offset: m.offset,
            ...where,
            ...(pid !== undefined ? { pid } : {}),
            ...(m.string !== '' ? { address: (region.start + BigInt(rel)).toString(16) } : {}),
          });
        });
        bytes += read.bytes;
        windowed ||= read.windowed;
      } else {
        const stream = await this.deps.evidence.openArtifact(info.id);
        const what = `artifact ${info.id}${where.path !== undefined ? ` (${where.path})` : ''}`;
        const scanner = new ChunkedScanner(
          (b) => worker.scan(b, what),
          (m) => findings.add({ ...toMatch(m), ...where }),
        );
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          await scanner.push(chunk);
        }
        await scanner.end();
        windowed ||= scanner.scanned > 1;
      }
    }
    if (windowed) limitations.unshift(CHUNKING);
    return {
      target,
      ...(extra.host ? { host: extra.host } : {}),
      engine: { ...WASM_ENGINE } as YaraEngineInfo,
      scanned: { files: items.length, bytes, pids, regions, artifactIds: items.map((i) => i.info.id) },
      matches: findings.matches,
      matchCount: findings.count,
      stringHits: findings.strings,
      truncated: findings.count > findings.matches.length,
      skipped,
      limitations,
    };
  }

  /**
   * Streams a memory image once, each read region through its own chunked scan.
   * @returns the bytes scanned, and whether any region took more than one window.
   */
  private async scanRegions(
    worker: YaraWorker,
    artifactId: string,
    layout: Region[],
    found: (m: StreamMatch, region: Region) => void,
  ): Promise<{ bytes: number; windowed: boolean }> {
    const stream = (await this.deps.evidence.openArtifact(artifactId)) as AsyncIterable<Buffer> & { destroy?: () => void };
    let pos = 0;
    let index = 0;
    let scanned = 0;
    let windowed = false;
    let scanner: ChunkedScanner | null = null;
    const open = (r: Region) =>
      new ChunkedScanner(
        (b) => worker.scan(b, `memory image ${artifactId} (region at ${r.start.toString(16)})`),
        (m) => found({ ...m, offset: m.offset + r.imageOffset }, r),
      );
    for await (const chunk of stream) {
      let at = 0;
      while (at < chunk.length && index < layout.length) {
        const r = layout[index] as Region;
        if (pos < r.imageOffset) {
          const skip = Math.min(r.imageOffset - pos, chunk.length - at);
          pos += skip;
          at += skip;
          continue;
        }
        scanner ??= open(r);
        const take = Math.min(r.imageOffset + r.size - pos, chunk.length - at);
        await scanner.push(chunk.subarray(at, at + take));
        pos += take;
        at += take;
        scanned += take;
        if (pos === r.imageOffset + r.size) {
          await scanner.end();
          windowed ||= scanner.scanned > 1;
          scanner = null;
          index++;
        }
      }
      if (index >= layout.length) break;
    }
    if (scanner) {
      await scanner.end();
      windowed ||= scanner.scanned > 1;
    }
    return { bytes: scanned, windowed };
  }

  private async scanDrift(drift: DriftScanFiles, rules: CompiledRules, scanId: string) {
    const items: { info: ArtifactInfo; path?: string; pathBase64?: string }[] = [];
    const skipped: { what: string; reason: string }[] = [];
    for (const c of drift.containers) {
      if (!c.reportArtifactId)
        skipped.push({ what: `container ${c.containerName}`, reason: 'no drift report (the scan did not finish it)' });
      for (const f of c.files) {
        const info = f.artifactId ? await this.deps.evidence.getArtifact(f.artifactId) : undefined;
        if (!info) {
          skipped.push({ what: `${c.containerName}:${f.path}`, reason: f.notStored ?? 'its bytes are not in the store' });
          continue;
        }
        items.push({ info, path: f.path, ...(f.pathBase64 !== undefined ? { pathBase64: f.pathBase64 } : {}) });
      }
    }
    const report = await this.scanArtifacts(items, rules, { kind: 'drift-scan', scanId }, { skipped, host: drift.host });
    const one = drift.containers.length === 1 ? drift.containers[0] : undefined;
    return { ...report, ...(one ? { containerId: one.containerId, containerName: one.containerName } : {}) };
  }

  private async scanContainer(request: Extract<YaraScanRequest, { target: 'container' }>, rules: CompiledRules, caseId: string) {
    const { host } = request;
    const docker = await this.deps.hosts.docker(host);
    const inspect = await engineCall({ host, container: request.container, action: 'inspect the container' }, () =>
      docker.getContainer(request.container).inspect(),
    );
    const name = inspect.Name.replace(/^\//, '');
    const where = { host, container: name };
    const target: YaraScanTarget = { kind: 'container', memory: request.memory };
    const base = { target, host, containerId: inspect.Id, containerName: name };
    if (!inspect.State.Running || inspect.State.Paused) {
      if (request.memory)
        throw new DrydockFailure(
          'conflict',
          `Container ${name} on host ${host} is ${inspect.State.Paused ? 'paused' : 'not running'}: it has no live memory to scan`,
          where,
        );
      return { ...base, ...(await this.scanArchive(docker, where, inspect.Id, rules)) };
    }
    const image = (await ensureHelperImage(docker, { host, override: this.deps.helperImageOverride?.() ?? null, audit: this.deps.audit }))
      .image;
    const ruleBytes = Buffer.from(rules.text, 'utf8');
    const run = await runHelper(docker, {
      ledger: this.deps.helpers,
      host,
      caseId,
      image,
      targetId: inspect.Id,
      joinPid: true,
      tmp: true,
      stdin: ruleBytes,
      cmd: request.memory ? memoryScanCommand(ruleBytes.length, request.pids ?? []) : fileScanCommand(ruleBytes.length, SKIP_LARGER_BYTES),
      purpose: request.memory ? 'yara-memory' : 'yara-files',
      capabilities: PTRACE_READ,
      timeoutMs: 3600_000,
      maxOutputBytes: HELPER_OUTPUT_MAX,
    });
    const stderr = run.stderr.toString('utf8').slice(0, 2000);
    if (run.timedOut) throw new DrydockFailure('engine', `The YARA scan of container ${name} on host ${host} timed out`, where);
    const parsed = parseHelperOutput(run.stdout, request.memory ? 'memory' : 'files', YARA_MAX_MATCHES);
    if (parsed.noRules || (!parsed.ended && !run.truncated))
      throw new DrydockFailure(
        'engine',
        `The YARA helper for container ${name} on host ${host} ${parsed.noRules ? 'did not receive the rules' : `exited with ${run.exitCode ?? 'no status'} before its end`}${stderr ? `: ${stderr.trim()}` : ''}`,
        { ...where, detail: stderr },
      );
    if (parsed.noRoot)
      throw new DrydockFailure('engine', `The YARA helper could not open the root filesystem of container ${name} on host ${host}`, where);
    const limitations: string[] = [];
    const skipped: { what: string; reason: string }[] = [];
    if (request.memory) {
      limitations.push(
        'yara attaches to each process with ptrace while it reads its memory (the process is stopped for the scan); offsets are virtual addresses; regions are read in 16 MiB pieces, so a match across two pieces is not found',
      );
      for (const f of parsed.failures) skipped.push({ what: `PID ${f.pid}`, reason: f.reason });
    } else {
      limitations.push(
        "only the container's root filesystem is scanned (find -xdev: volumes and other mounts are not crossed); symbolic links are not followed; files are read while the container runs",
        `files over ${SKIP_LARGER_BYTES / 1024 / 1024} MiB are skipped`,
      );
      // yara names each file it could not read on stderr ("error scanning FILE: ..."): counted, not trusted as names.
      const unread = (stderr.match(/error scanning/g) ?? []).length;
      if (unread) skipped.push({ what: counted(unread, 'file'), reason: `yara could not read ${unread === 1 ? 'it' : 'them'}` });
      if (parsed.big) skipped.push({ what: counted(parsed.big, 'file'), reason: `larger than ${SKIP_LARGER_BYTES / 1024 / 1024} MiB` });
      if (parsed.exitCode !== 0 && unread === 0)
        throw new DrydockFailure(
          'engine',
          `yara in the helper for container ${name} on host ${host} exited with ${parsed.exitCode ?? 'no status'}${stderr ? `: ${stderr.trim().slice(0, 300)}` : ''}`,
          { ...where, detail: stderr },
        );
      if (parsed.exitCode !== 0) limitations.push(`yara exited with ${parsed.exitCode ?? 'no status'} after reporting unreadable files`);
    }
    if (run.truncated) limitations.push("the helper's output was cut at 64 MiB: matches after the cut are missing");
    if (parsed.malformed)
      limitations.push(
        `${counted(parsed.malformed, 'line')} of the helper's output ${parsed.malformed === 1 ? 'was' : 'were'} not in any shape yara prints and ${parsed.malformed === 1 ? 'was' : 'were'} ignored`,
      );
    const matchCount = parsed.matches.length + parsed.dropped;
    return {
      ...base,
      engine: { name: 'yara' as const, version: parsed.version || 'unknown', where: 'helper' as const },
      scanned: { files: parsed.files, bytes: 0, pids: parsed.pids, regions: 0, artifactIds: [] },
      matches: parsed.matches,
      matchCount,
      stringHits: parsed.stringHits,
      truncated: parsed.dropped > 0,
      skipped,
      limitations,
    };
  }

  /** A stopped container: its filesystem streamed from the archive endpoint, each regular file scanned in the app. */
  private async scanArchive(docker: Dockerode, where: { host: string; container: string }, id: string, rules: CompiledRules) {
    const worker = new YaraWorker(rules.text);
    try {
      return await this.scanArchiveIn(worker, docker, where, id);
    } finally {
      await worker.close();
    }
  }

  private async scanArchiveIn(worker: YaraWorker, docker: Dockerode, where: { host: string; container: string }, id: string) {
    const findings = new Findings();
    const skipped: { what: string; reason: string }[] = [];
    let files = 0;
    let bytes = 0;
    let windowed = false;
    const archive = (await engineCall({ ...where, action: 'read the filesystem through the archive endpoint' }, () =>
      docker.getContainer(id).getArchive({ path: '/' }),
    )) as NodeJS.ReadableStream;
    const tar = extract({ filenameEncoding: 'latin1' } as Parameters<typeof extract>[0]);
    const consume = async () => {
      for await (const entry of tar) {
        const header = entry.header;
        if (header.type !== 'file' && header.type !== 'contiguous-file') {
          entry.resume();
          continue;
        }
        const raw = Buffer.from(header.name, 'latin1');
        const text = `/${raw.toString('utf8').replace(/^(\.\/|\/)+/, '')}`;
        const exact = Buffer.concat([Buffer.from('/'), Buffer.from(raw.toString('latin1').replace(/^(\.\/|\/)+/, ''), 'latin1')]);
        const pathFields = Buffer.from(text, 'utf8').equals(exact) ? { path: text } : { path: text, pathBase64: exact.toString('base64') };
        if ((header.size ?? 0) > SKIP_LARGER_BYTES) {
          skipped.push({ what: text, reason: `larger than ${SKIP_LARGER_BYTES / 1024 / 1024} MiB` });
          entry.resume();
          continue;
        }
        files++;
        const scanner = new ChunkedScanner(
          (b) => worker.scan(b, `file ${text} of container ${where.container} on host ${where.host}`),
          (m) => findings.add({ ...toMatch(m), ...pathFields }),
        );
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          await scanner.push(chunk);
        }
        await scanner.end();
        windowed ||= scanner.scanned > 1;
      }
    };
    archive.pipe(tar);
    await engineCall({ ...where, action: 'read the filesystem through the archive endpoint' }, () => consume());
    return {
      engine: { ...WASM_ENGINE } as YaraEngineInfo,
      scanned: { files, bytes, pids: [], regions: 0, artifactIds: [] },
      matches: findings.matches,
      matchCount: findings.count,
      stringHits: findings.strings,
      truncated: findings.count > findings.matches.length,
      skipped,
      limitations: [
        'the container is not running: its filesystem was streamed from the archive endpoint (volumes mounted in it included) and scanned in the app; hard links are scanned once, under the first name the archive gives',
        ...(windowed ? [CHUNKING] : []),
      ],
    };
  }
}

interface Region {
  start: bigint;
  imageOffset: number;
  size: number;
}

/** The read regions of a memory image (its `regions` attribute, docs/memory-image.md), in image order; null for any other artifact. */
function memoryRegions(info: ArtifactInfo): Region[] | null {
  if (info.kind !== 'memory-image' || !Array.isArray(info.attributes.regions)) return null;
  const out: Region[] = [];
  for (const raw of info.attributes.regions as unknown[]) {
    const r = (raw ?? {}) as Record<string, unknown>;
    if (typeof r.start !== 'string' || !/^[0-9a-f]{1,16}$/.test(r.start)) continue;
    if (typeof r.imageOffset !== 'number' || typeof r.fileSize !== 'number' || r.fileSize <= 0) continue;
    out.push({ start: BigInt(`0x${r.start}`), imageOffset: r.imageOffset, size: r.fileSize });
  }
  return out.sort((a, b) => a.imageOffset - b.imageOffset);
}

function toMatch(m: StreamMatch): YaraMatch {
  return {
    rule: m.rule,
    string: m.string,
    offset: m.offset,
    length: m.length,
    ...(m.string !== '' ? { preview: previewBytes(m.head) } : {}),
  };
}
