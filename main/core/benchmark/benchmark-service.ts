import type Dockerode from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import type { BenchmarkReport } from '../../../shared/domain/benchmark';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { RiskFlag } from '../../../shared/domain/inventory';
import type { AuditFn } from '../audit-fn';
import { isoNow, type Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { NewArtifact } from '../evidence/port';
import type { HelperLedger } from '../helper/ledger';
import { engineCall } from '../hosts/engine-call';
import type { DockerSource } from '../hosts/engine-call';
import { countVerdicts, evaluateBenchmark } from './evaluate';
import { readHostFiles, type HostFiles } from './host-files';
import {
  normalizeInfo,
  stringOptions,
  type ContainerFacts,
  type EngineFacts,
  type ExecFacts,
  type ImageFacts,
  type NetworkFacts,
  type SwarmFacts,
} from './facts';

/** The inventory's risk assessment (inventory/risk-flags.ts), passed in by core.ts so section 5 does not compute it twice. */
export type ContainerRiskFn = (inspect: ContainerInspectInfo, image: { missing: boolean; dangling: boolean }) => RiskFlag[];

export interface BenchmarkEvidence {
  resolveWritableCase(ref?: string, acquisition?: { host: string }): { id: string };
  ingestJson(meta: NewArtifact, value: unknown): Promise<ArtifactInfo>;
}

export interface BenchmarkServiceDeps {
  hosts: DockerSource;
  evidence: BenchmarkEvidence;
  audit: AuditFn;
  clock: Clock;
  risks: ContainerRiskFn;
  /** Drydock's own helpers (recorded IDs) are not the host's containers and are left out of section 5; the host-file helper is recorded here. */
  helpers?: HelperLedger;
  /** The helper image the examiner chose (capture settings), read at each run. */
  helperImageOverride?: () => string | null;
}

const CONCURRENCY = 8;

async function inBatches<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY) out.push(...(await Promise.all(items.slice(i, i + CONCURRENCY).map(run))));
  return out;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The engine's answers as plain records (dockerode types several as any). */
interface TopAnswer {
  Titles?: string[];
  Processes?: string[][];
}
interface ExecAnswer {
  ID?: string;
  ProcessConfig?: { privileged?: boolean; user?: string; entrypoint?: string; arguments?: string[] };
}
interface ImageInspectAnswer {
  Id: string;
  RepoTags?: string[] | null;
  Config?: { User?: string; Healthcheck?: { Test?: string[] } | null; Env?: string[] | null } | null;
}
interface HistoryAnswer {
  CreatedBy?: string;
}
interface SwarmAnswer {
  Spec?: { EncryptionConfig?: { AutoLockManagers?: boolean }; CAConfig?: { NodeCertExpiry?: number } };
}

/**
 * The CIS Docker Benchmark audit of one host, from what the Engine API shows (read-only: info,
 * version, networks, container and image inspects, container top, exec inspects, Swarm). Host-file
 * checks are could-not-check. The report is stored in the case as a 'benchmark-report' artifact.
 */
/** How long one container's inspect may take before the audit goes on without it. */
const INSPECT_TIMEOUT_MS = 20_000;

export class BenchmarkService {
  constructor(private readonly deps: BenchmarkServiceDeps) {}

  /**
   * Audits one host. With `hostFiles`, sections 1 and 3 are read from the host's files by a
   * short-lived read-only helper (host-files.ts); without, they are could-not-check.
   * @throws DrydockFailure from the engine calls (unreachable, engine) or the case resolution.
   */
  async run(host: string, options: { record: boolean; caseRef?: string; hostFiles?: boolean }): Promise<BenchmarkReport> {
    const kase = options.record ? this.deps.evidence.resolveWritableCase(options.caseRef, { host }) : undefined;
    const docker = await this.deps.hosts.docker(host);
    const takenAt = isoNow(this.deps.clock);
    // Containers this run could not inspect (section 5 could not judge them).
    const skipped: string[] = [];
    const facts = await this.gather(host, docker, skipped);
    if (options.hostFiles && this.deps.helpers) facts.hostFiles = await this.hostFiles(host, docker, this.deps.helpers, kase?.id);
    const checks = evaluateBenchmark(facts);
    const report: BenchmarkReport = {
      benchmark: 'CIS Docker Benchmark',
      benchmarkVersion: '1.6.0',
      host,
      takenAt,
      engine: {
        serverVersion: facts.info.ServerVersion ?? '',
        apiVersion: facts.apiVersion,
        operatingSystem: facts.info.OperatingSystem ?? '',
        name: facts.info.Name ?? '',
      },
      checks,
      counts: countVerdicts(checks),
      ...(skipped.length
        ? {
            limitations: skipped.map(
              (s) =>
                `Section 5 could not judge ${s} (the engine did not answer its inspect within ${INSPECT_TIMEOUT_MS / 1000} s); the other containers were audited`,
            ),
          }
        : {}),
    };
    if (!kase) return report;
    const artifact = await this.deps.evidence.ingestJson(
      {
        caseId: kase.id,
        kind: 'benchmark-report',
        source: { host },
        method: `CIS Docker Benchmark v1.6.0 from the Docker Engine API: info, version, networks, container and image inspect, image history, container top, exec inspect, Swarm${facts.hostFiles ? "; sections 1 and 3 from the host's files through a read-only helper binding only the checked paths" : ''}`,
        mediaType: 'application/json',
        attributes: { ...report.counts },
      },
      report,
    );
    this.deps.audit('benchmark.run', { host, ...report.counts, artifactId: artifact.id, sha256: artifact.sha256 }, kase.id);
    return { ...report, stored: { caseId: kase.id, artifactId: artifact.id, sha256: artifact.sha256 } };
  }

  /** The host's files, or why they could not be read (the report says so on each check). */
  private async hostFiles(host: string, docker: Dockerode, ledger: HelperLedger, caseId?: string): Promise<HostFiles | { error: string }> {
    // The engine's own socket when it listens on a unix socket here; else where Docker puts it.
    const url = (docker.modem as { socketPath?: unknown }).socketPath;
    const dockerSocket = typeof url === 'string' && url.startsWith('/') ? url : '/var/run/docker.sock';
    try {
      return await readHostFiles(docker, {
        host,
        ledger,
        audit: this.deps.audit,
        dockerSocket,
        ...(caseId !== undefined ? { caseId } : {}),
        helperImageOverride: this.deps.helperImageOverride?.() ?? null,
      });
    } catch (err) {
      return { error: message(err) };
    }
  }

  private async gather(host: string, docker: Dockerode, skipped: string[]): Promise<EngineFacts> {
    const info = normalizeInfo(await engineCall({ host, action: 'reading the engine info' }, () => docker.info() as Promise<unknown>));
    const version = await engineCall({ host, action: 'reading the engine version' }, () => docker.version());
    const networks: NetworkFacts[] = (await engineCall({ host, action: 'listing networks' }, () => docker.listNetworks())).map((n) => ({
      id: n.Id,
      name: n.Name,
      driver: n.Driver,
      options: stringOptions(n.Options),
    }));
    const defaultBridge = networks.find((n) => n.options['com.docker.network.bridge.default_bridge'] === 'true');
    const listed = await engineCall({ host, action: 'listing containers' }, () => docker.listContainers({ all: true }));
    const allImages = await engineCall({ host, action: 'listing images' }, () => docker.listImages({ all: true }));
    const imageState = new Map(
      allImages.map((i) => [i.Id, { missing: false, dangling: !(i.RepoTags ?? []).some((t) => t !== '<none>:<none>') }]),
    );
    const running = listed.filter((c) => c.State === 'running');
    const containers = (await inBatches(running, (c) => this.container(host, docker, c.Id, imageState, skipped))).filter(
      (c): c is ContainerFacts => c !== undefined,
    );
    const topImages = await engineCall({ host, action: 'listing images' }, () => docker.listImages());
    const images = (await inBatches(topImages, (i) => this.image(host, docker, i.Id))).filter((i): i is ImageFacts => i !== undefined);
    const swarm =
      info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true ? await this.swarm(host, docker) : undefined;
    return {
      info,
      apiVersion: typeof version.ApiVersion === 'string' ? version.ApiVersion : '',
      defaultBridge,
      networks,
      containers,
      containerTotal: listed.length,
      images,
      imagesInUse: new Set(listed.map((c) => c.ImageID)),
      swarm,
    };
  }

  /** undefined when the container went away meanwhile, or is one of Drydock's own helpers. */
  private async container(
    host: string,
    docker: Dockerode,
    id: string,
    images: Map<string, { missing: boolean; dangling: boolean }>,
    skipped: string[],
  ): Promise<ContainerFacts | undefined> {
    let inspect: ContainerInspectInfo;
    try {
      // A container the engine cannot answer for (a wedged one) must not cost the whole audit.
      inspect = await engineCall({ host, container: id.slice(0, 12), action: 'inspecting the container' }, () =>
        docker.getContainer(id).inspect({ abortSignal: AbortSignal.timeout(INSPECT_TIMEOUT_MS) }),
      );
    } catch (err) {
      if (err instanceof DrydockFailure && err.kind === 'not-found') return undefined;
      // An engine that is gone altogether fails the next call (the image list) and the audit with it.
      skipped.push(`container ${id.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    if (
      this.deps.helpers?.judge({ id: inspect.Id, imageId: inspect.Image, name: inspect.Name, labels: inspect.Config.Labels ?? {} }).kind ===
      'helper'
    )
      return undefined;
    const risks = this.deps.risks(inspect, images.get(inspect.Image) ?? { missing: true, dangling: false });
    let processes: ContainerFacts['processes'];
    try {
      const top = (await docker.getContainer(id).top()) as TopAnswer;
      const column = (top.Titles ?? []).findIndex((t) => t === 'CMD' || t === 'COMMAND');
      processes = { commands: (top.Processes ?? []).map((p) => p[column < 0 ? p.length - 1 : column] ?? '') };
    } catch (err) {
      processes = { error: message(err) };
    }
    const execs: ExecFacts[] = [];
    for (const execId of inspect.ExecIDs ?? []) {
      try {
        const exec = (await docker.getExec(execId).inspect()) as ExecAnswer;
        const pc = exec.ProcessConfig ?? {};
        execs.push({
          id: exec.ID ?? execId,
          privileged: pc.privileged === true,
          user: pc.user ?? '',
          command: [pc.entrypoint ?? '', ...(pc.arguments ?? [])].join(' ').trim(),
        });
      } catch {
        // The exec ended and was forgotten between the inspect and now.
      }
    }
    return { inspect, risks, processes, execs };
  }

  private async image(host: string, docker: Dockerode, id: string): Promise<ImageFacts | undefined> {
    let inspect: ImageInspectAnswer;
    try {
      inspect = await engineCall(
        { host, action: `inspecting image ${id.slice(7, 19)}` },
        () => docker.getImage(id).inspect() as Promise<ImageInspectAnswer>,
      );
    } catch (err) {
      if (err instanceof DrydockFailure && err.kind === 'not-found') return undefined;
      throw err;
    }
    let history: ImageFacts['history'];
    try {
      history = ((await docker.getImage(id).history()) as HistoryAnswer[]).map((h) => h.CreatedBy ?? '');
    } catch (err) {
      history = { error: message(err) };
    }
    const config = inspect.Config ?? {};
    return {
      id: inspect.Id,
      tags: (inspect.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      user: config.User ?? '',
      healthcheck: config.Healthcheck?.Test ?? null,
      env: config.Env ?? [],
      history,
    };
  }

  private async swarm(host: string, docker: Dockerode): Promise<SwarmFacts> {
    const spec = ((await engineCall({ host, action: 'inspecting the swarm' }, () => docker.swarmInspect())) as SwarmAnswer).Spec;
    const secrets = await engineCall({ host, action: 'listing swarm secrets' }, () => docker.listSecrets()).then(
      (list) => list.length,
      () => undefined,
    );
    return { autoLockManagers: spec?.EncryptionConfig?.AutoLockManagers, nodeCertExpiryNs: spec?.CAConfig?.NodeCertExpiry, secrets };
  }
}
