import type Dockerode from 'dockerode';
import type { ContainerSummary, InventorySnapshot, RiskFlag } from '../../../shared/domain/inventory';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { AuditFn } from '../audit-fn';
import type { NewArtifact } from '../evidence/port';
import { isoNow, type Clock } from '../clock';
import type { EventHub } from '../event-hub';
import { containerNotFound, engineFailure } from '../hosts/engine-errors';
import type { EngineEvent } from '../hosts/engine-events';
import type { HostService } from '../hosts/host-service';
import type { HelperLedger } from '../helper/ledger';
import { summarizeContainer } from './container-summary';
import { topSeverity, type ImageFacts } from './risk-flags';

export interface InventoryEvidence {
  resolveWritableCase(ref?: string, acquisition?: { host: string }): { id: string };
  ingestJson(meta: NewArtifact, value: unknown): Promise<ArtifactInfo>;
}

export interface InventoryServiceDeps {
  hosts: HostService;
  clock: Clock;
  events: EventHub;
  audit: AuditFn;
  evidence: InventoryEvidence;
  /** Drydock-side marks a container cannot carry as labels (fixed at creation), e.g. quarantine. */
  marks?: (host: string, containerId: string) => RiskFlag[];
  /** Drydock's record of its helper containers: recognises its own, flags those that only claim to be. */
  helpers?: HelperLedger;
}

/** Engine actions that do not change what the inventory shows. */
const QUIET_ACTIONS = /^(exec_|attach|resize|top|archive-path|extract-to-dir|export|commit|copy|detach)/;
const INSPECT_CONCURRENCY = 8;
const EVENT_SETTLE_MS = 150;

/**
 * Every container of a host, with risk flags, kept current from the engine's event stream: an
 * event re-inspects just that container (debounced, since a restart is several events), and a
 * reconnect re-lists the host and reports what changed while it was away.
 */
export class InventoryService {
  private readonly known = new Map<string, Map<string, ContainerSummary>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly deps: InventoryServiceDeps) {
    this.unsubscribe = [
      deps.hosts.onEngineEvent((host, event) => this.onEngineEvent(host, event)),
      deps.hosts.onResync((host) => void this.resync(host)),
    ];
  }

  /**
   * Every container of the host with risk flags. Drydock's own helpers (recorded IDs) are left out
   * unless `includeHelpers`; they are then marked `helper: true` and carry no risk; `takenAt` ISO
   * 8601 UTC. With `record`, stored as an artifact of the case and `stored` names it.
   * @throws DrydockFailure('not-found') for an unknown host; ('disconnected') or the engine kinds of
   * engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine') when the engine cannot
   * be listed; ('not-found')/('conflict') from resolveWritableCase when `record`; ('store'), ('disk-full').
   */
  async list(host: string, options: { record: boolean; caseRef?: string; includeHelpers?: boolean }): Promise<InventorySnapshot> {
    const kase = options.record ? this.deps.evidence.resolveWritableCase(options.caseRef, { host }) : undefined;
    const docker = await this.deps.hosts.docker(host);
    const taken = await this.take(host, docker);
    this.known.set(host, new Map(taken.containers.map((c) => [c.id, c])));
    const snapshot = options.includeHelpers ? taken : { ...taken, containers: taken.containers.filter((c) => c.helper !== true) };
    if (kase) {
      const flagged = snapshot.containers.filter((c) => c.topSeverity === 'critical' || c.topSeverity === 'high').length;
      const artifact = await this.deps.evidence.ingestJson(
        {
          caseId: kase.id,
          kind: 'inventory-snapshot',
          source: { host },
          method: 'Docker Engine API: list all containers, inspect each, list images',
          mediaType: 'application/json',
          attributes: { containers: snapshot.containers.length, flaggedHighOrCritical: flagged },
        },
        snapshot,
      );
      this.deps.audit(
        'inventory.taken',
        { host, containers: snapshot.containers.length, flaggedHighOrCritical: flagged, artifactId: artifact.id, sha256: artifact.sha256 },
        kase.id,
      );
      return { ...snapshot, stored: { caseId: kase.id, artifactId: artifact.id, sha256: artifact.sha256 } };
    }
    return snapshot;
  }

  /**
   * One container (by ID, ID prefix or name) with its risk flags, inspected now.
   * @throws DrydockFailure('not-found') for an unknown host or container; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine').
   */
  async get(host: string, ref: string): Promise<ContainerSummary> {
    const docker = await this.deps.hosts.docker(host);
    const images = await this.images(docker, host);
    const summary = await this.inspectOne(docker, host, ref, images);
    if (!summary) throw containerNotFound(host, ref);
    return summary;
  }

  /** Re-inspects one container and emits 'inventory.changed': for changes the engine sends no container event for. */
  refreshContainer(host: string, id: string, action: string): void {
    this.refresh(host, id, action);
  }

  /**
   * Stops following the hosts' events and drops the changes still settling.
   */
  close(): void {
    this.unsubscribe.forEach((off) => off());
    this.pending.forEach((timer) => clearTimeout(timer));
    this.pending.clear();
  }

  private async take(host: string, docker: Dockerode): Promise<InventorySnapshot> {
    const takenAt = isoNow(this.deps.clock);
    // The two lists are asked for together, then INSPECT_CONCURRENCY inspects stay in flight (a
    // slow one holds up only its own slot); the snapshot keeps the engine's list order.
    const [listed, images] = await Promise.all([
      docker.listContainers({ all: true }).catch((err: unknown) => {
        throw engineFailure(err, { host, action: 'listing containers' });
      }),
      this.images(docker, host),
    ]);
    const summaries: (ContainerSummary | undefined)[] = new Array(listed.length);
    let next = 0;
    let failed = false;
    const inspector = async (): Promise<void> => {
      for (let i = next++; i < listed.length && !failed; i = next++) {
        try {
          summaries[i] = await this.inspectOne(docker, host, (listed[i] as Dockerode.ContainerInfo).Id, images);
        } catch (err) {
          failed = true; // the others stop asking: the snapshot fails with this error
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, listed.length) }, inspector));
    const containers = summaries.filter((s): s is ContainerSummary => s !== undefined);
    return { host, takenAt, containers };
  }

  /** undefined when the container vanished between list and inspect (a normal race on a live host). */
  private async inspectOne(
    docker: Dockerode,
    host: string,
    id: string,
    images: Map<string, ImageFacts>,
  ): Promise<ContainerSummary | undefined> {
    try {
      const inspect = await docker.getContainer(id).inspect();
      const summary = summarizeContainer(host, inspect, images.get(inspect.Image) ?? { missing: true, dangling: false });
      const marks = (this.deps.marks?.(host, inspect.Id) ?? []).filter((m) => !summary.risks.some((r) => r.id === m.id));
      return this.judgeHelper(marks.length ? { ...summary, risks: [...summary.risks, ...marks] } : summary);
    } catch (err) {
      const failure = engineFailure(err, { host, container: id.slice(0, 12), action: 'inspecting the container' });
      if (failure.kind === 'not-found') return undefined;
      throw failure;
    }
  }

  /** Drydock's own helper: marked and unscored. A container that only claims to be one: flagged critical. */
  private judgeHelper(summary: ContainerSummary): ContainerSummary {
    const verdict = this.deps.helpers?.judge({ id: summary.id, imageId: summary.imageId, name: summary.name, labels: summary.labels });
    if (!verdict || verdict.kind === 'other') return summary;
    if (verdict.kind === 'helper') {
      const { topSeverity: _unscored, ...rest } = summary;
      return { ...rest, risks: [], helper: true, helperPurpose: verdict.record.purpose };
    }
    const risks: RiskFlag[] = [
      {
        id: 'impersonates-helper',
        severity: 'critical',
        reason: `Impersonates a Drydock helper: ${verdict.reason}; kept as found, never removed by Drydock`,
        evidence: [summary.name],
      },
      ...summary.risks,
    ];
    return { ...summary, risks, topSeverity: topSeverity(risks) ?? 'critical' };
  }

  private async images(docker: Dockerode, host: string): Promise<Map<string, ImageFacts>> {
    let images: Dockerode.ImageInfo[];
    try {
      images = await docker.listImages({ all: true });
    } catch (err) {
      throw engineFailure(err, { host, action: 'listing images' });
    }
    const tagged = (tags: string[] | null | undefined) => (tags ?? []).some((t) => t !== '<none>:<none>');
    return new Map(images.map((img) => [img.Id, { missing: false, dangling: !tagged(img.RepoTags) }]));
  }

  private onEngineEvent(host: string, event: EngineEvent): void {
    if (!this.known.has(host)) return;
    if (event.type === 'image' && /^(delete|untag|tag)$/.test(event.action)) {
      for (const c of this.known.get(host)?.values() ?? [])
        if (c.imageId === event.id || event.action === 'tag') this.refresh(host, c.id, event.action);
      return;
    }
    if (event.type !== 'container' || !event.id || QUIET_ACTIONS.test(event.action)) return;
    this.refresh(host, event.id, event.action.split(':')[0] ?? event.action);
  }

  private refresh(host: string, id: string, action: string): void {
    const key = `${host}\0${id}`;
    clearTimeout(this.pending.get(key));
    const timer = setTimeout(() => {
      this.pending.delete(key);
      // The host dropped meanwhile: the resync after its reconnect reports this container's change.
      void this.emitCurrent(host, id, action).catch(() => undefined);
    }, EVENT_SETTLE_MS);
    timer.unref?.();
    this.pending.set(key, timer);
  }

  private async emitCurrent(host: string, id: string, action: string): Promise<void> {
    if (!this.deps.hosts.isConnected(host)) return;
    const docker = await this.deps.hosts.docker(host);
    const summary = await this.inspectOne(docker, host, id, await this.images(docker, host));
    const known = this.known.get(host);
    if (!known) return;
    if (summary) known.set(id, summary);
    else known.delete(id);
    this.deps.events.emit('inventory.changed', {
      host,
      action,
      containerId: id,
      ...(summary ? { container: summary } : {}),
      at: isoNow(this.deps.clock),
    });
  }

  /** After a reconnect: re-list, and report every container that appeared, changed or went away meanwhile. */
  private async resync(host: string): Promise<void> {
    const before = this.known.get(host);
    if (!before) return;
    // The host dropped again: the next reconnect resyncs; until then the last list stands.
    const snapshot = await this.take(host, await this.deps.hosts.docker(host)).catch(() => undefined);
    if (!snapshot) return;
    const after = new Map(snapshot.containers.map((c) => [c.id, c]));
    this.known.set(host, after);
    const at = isoNow(this.deps.clock);
    for (const [id, summary] of after) {
      if (JSON.stringify(before.get(id)) !== JSON.stringify(summary))
        this.deps.events.emit('inventory.changed', { host, action: 'resync', containerId: id, container: summary, at });
    }
    for (const id of before.keys())
      if (!after.has(id)) this.deps.events.emit('inventory.changed', { host, action: 'resync', containerId: id, at });
  }
}
