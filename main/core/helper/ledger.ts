import type { Statement } from 'better-sqlite3';
import type Dockerode from 'dockerode';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import type { Db } from '../store/database';
import { helperLabels, ownerFromLabels } from './container';
import type { HelperOwner } from './owner';
import { DrydockFailure } from '../errors';

/** A helper container as Drydock recorded it when the engine created it. */
export interface HelperRecord {
  /** Full container ID the engine returned (64 hex). */
  containerId: string;
  /** Host profile name it was created through. */
  host: string;
  name: string;
  helperId: string;
  /** What it is for: 'capture', 'filter-check', 'sockets', 'drift-index', 'snapshot-export'. */
  purpose: string;
  /** Image ID (sha256:…) the engine reported for the created container. */
  imageId: string;
  /** The container or image it works on. */
  target: string;
  owner: HelperOwner;
  /** ISO time after which any sweeper with this record may remove it. */
  deadline: string;
  caseId?: string;
  createdAt: string;
  removedAt?: string;
}

/** What Drydock creates a helper with, besides the engine's create options. */
export interface HelperMeta {
  helperId: string;
  purpose: string;
  target: string;
  owner: HelperOwner;
  deadline: Date;
  caseId?: string;
}

/** A container as listed or inspected on a host: only what the ledger compares. */
export interface SeenContainer {
  id: string;
  /** Image ID (sha256:…) of the container. */
  imageId: string;
  name: string;
  labels: Record<string, string> | undefined;
}

export type HelperVerdict = { kind: 'helper'; record: HelperRecord } | { kind: 'impersonator'; reason: string } | { kind: 'other' };

interface Row {
  container_id: string;
  host: string;
  name: string;
  helper_id: string;
  purpose: string;
  image_id: string;
  target: string;
  owner_machine: string;
  owner_pid: number;
  owner_started: number;
  deadline: string;
  case_id: string | null;
  created_at: string;
  removed_at: string | null;
}

interface VolumeRow {
  name: string;
  host: string;
  helper_id: string;
  purpose: string;
  target: string;
  size_bytes: number;
  owner_machine: string;
  owner_pid: number;
  owner_started: number;
  deadline: string;
  case_id: string | null;
  created_at: string;
  removed_at: string | null;
}

/** Label keys only Drydock's own helpers and quarantine objects carry; on anything unrecorded they are a claim, not a fact. */
const CLAIM_LABELS = /^drydock\.(helper|owner\.|managed$|quarantine$|forensic\.export$)/;
/** Attempts to remove a scratch volume the engine says is in use, and the time they may take in all (ms). */
const VOLUME_BUSY_ATTEMPTS = 6;
const VOLUME_BUSY_BUDGET_MS = 5000;
/** Names Drydock gives its helpers (drydock-capture-…, drydock-sockets-…, drydock-drift-index-…). */
const CLAIM_NAME = /^\/?drydock-/;

/**
 * The helper containers Drydock created, kept in the store. Creation goes through `create`, which
 * records the engine's container ID, the image ID and the owner before anything else happens, and
 * audits the creation with the host named; `removed` audits the removal. Recognition (`judge`) is by
 * recorded ID with image and owner checked: a label or a name on the host proves nothing.
 */
export class HelperLedger {
  /** Helpers this process created and has not removed yet: never swept from under their user. */
  private readonly live = new Set<string>();
  /** Scratch volumes this process created and has not removed yet. */
  private readonly liveVolumes = new Set<string>();
  /** Scratch volume name → the helper containers this process created mounting it (waited on when it is still in use). */
  private readonly volumeUsers = new Map<string, Set<string>>();
  /** Prepared once: the inventory judges every container of a host. */
  private rowQuery: Statement<[string], Row> | undefined;

  constructor(private readonly deps: { db: Db; audit: AuditFn; clock: Clock }) {}

  /**
   * Creates a helper container and records it. Rejects with the engine's error (for the caller's
   * engineCall to name host and container); when the created container cannot be inspected it is
   * removed again before the error propagates.
   */
  async create(docker: Dockerode, host: string, options: Dockerode.ContainerCreateOptions, meta: HelperMeta): Promise<Dockerode.Container> {
    const container = await docker.createContainer(options);
    // A create answer without a container ID (garbage JSON from a hostile engine) names nothing to
    // inspect, record or remove: a failure of the engine, not "the container is gone".
    if (typeof container.id !== 'string' || !/^[0-9a-f]{12,64}$/.test(container.id)) {
      this.deps.audit(
        'helper.create-undone',
        {
          host,
          containerId: '',
          purpose: meta.purpose,
          target: meta.target,
          reason: 'the engine answered the creation without a container ID: nothing recorded, nothing to remove',
        },
        meta.caseId,
      );
      throw new DrydockFailure(
        'engine',
        `Host ${host} answered the creation of a ${meta.purpose} helper without a container ID (its answer is not a create answer)`,
        { host },
      );
    }
    let imageId: string;
    let name: string;
    try {
      const inspect = await container.inspect();
      imageId = inspect.Image;
      name = inspect.Name.replace(/^\//, '');
    } catch (err) {
      // Created but never recorded: undo it, and say so in the audit log (it was on the host).
      const removed = await container.remove({ force: true }).then(
        () => 'removed again',
        (removeErr: unknown) => `removing it again failed too: ${removeErr instanceof Error ? removeErr.message : String(removeErr)}`,
      );
      const why = err instanceof Error ? err.message : String(err);
      this.deps.audit(
        'helper.create-undone',
        {
          host,
          containerId: container.id,
          purpose: meta.purpose,
          target: meta.target,
          reason: `could not be inspected after creation (${why}); ${removed}`,
        },
        meta.caseId,
      );
      throw err;
    }
    const createdAt = this.deps.clock.now().toISOString();
    this.deps.db
      .prepare(
        `INSERT OR REPLACE INTO helper_containers (container_id, host, name, helper_id, purpose, image_id, target, owner_machine, owner_pid, owner_started, deadline, case_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        container.id,
        host,
        name,
        meta.helperId,
        meta.purpose,
        imageId,
        meta.target,
        meta.owner.machine,
        meta.owner.pid,
        meta.owner.startedAtMs,
        meta.deadline.toISOString(),
        meta.caseId ?? null,
        createdAt,
      );
    this.live.add(container.id);
    for (const mount of options.HostConfig?.Mounts ?? [])
      if (mount.Type === 'volume' && mount.Source) {
        const users = this.volumeUsers.get(mount.Source) ?? new Set<string>();
        users.add(container.id);
        this.volumeUsers.set(mount.Source, users);
      }
    this.deps.audit(
      'helper.created',
      { host, containerId: container.id, name, purpose: meta.purpose, imageId, target: meta.target },
      meta.caseId,
    );
    return container;
  }

  /** Force-removes a recorded helper (gone already counts as removed) and records it; engine errors other than 404/409 propagate. */
  async remove(docker: Dockerode, host: string, containerId: string, reason: string): Promise<void> {
    // Whatever the engine answers, this process no longer uses it: a later sweep may take it.
    this.live.delete(containerId);
    try {
      await docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 409) {
        // Still on the host: said in the audit log (footprint), and left for the sweeper.
        const row = this.row(containerId);
        this.deps.audit(
          'helper.remove-failed',
          {
            host,
            containerId,
            name: row?.name ?? '',
            purpose: row?.purpose ?? '',
            reason,
            error: err instanceof Error ? err.message : String(err),
          },
          row?.case_id ?? undefined,
        );
        throw err;
      }
    }
    this.removed(host, containerId, reason);
  }

  /** Records that a helper is gone (idempotent: audited once). */
  removed(host: string, containerId: string, reason: string): void {
    this.live.delete(containerId);
    const row = this.row(containerId);
    if (!row || row.removed_at !== null) return;
    this.deps.db
      .prepare('UPDATE helper_containers SET removed_at = ?, removed_reason = ? WHERE container_id = ?')
      .run(this.deps.clock.now().toISOString(), reason, containerId);
    this.deps.audit('helper.removed', { host, containerId, name: row.name, purpose: row.purpose, reason }, row.case_id ?? undefined);
  }

  isLive(containerId: string): boolean {
    return this.live.has(containerId);
  }

  get(containerId: string): HelperRecord | undefined {
    const row = this.row(containerId);
    return row ? toRecord(row) : undefined;
  }

  /** Helpers recorded on a host and not yet recorded as removed. */
  open(host: string): HelperRecord[] {
    return this.deps.db
      .prepare<[string], Row>('SELECT * FROM helper_containers WHERE host = ? AND removed_at IS NULL')
      .all(host)
      .map(toRecord);
  }

  /**
   * Ours (recorded, same image ID, same owner in its labels), an impersonator (claims to be a Drydock
   * helper by label or name, or is recorded but its image or owner no longer match), or neither.
   */
  judge(container: SeenContainer): HelperVerdict {
    const record = this.get(container.id);
    if (record) {
      const owner = ownerFromLabels(container.labels);
      const ownerMatches =
        owner !== null &&
        owner.machine === record.owner.machine &&
        owner.pid === record.owner.pid &&
        owner.startedAtMs === record.owner.startedAtMs;
      if (container.imageId === record.imageId && ownerMatches) return { kind: 'helper', record };
      return {
        kind: 'impersonator',
        reason: `its ID is recorded as Drydock's ${record.purpose} helper, but its ${container.imageId !== record.imageId ? `image (${container.imageId.slice(0, 19)}, recorded ${record.imageId.slice(0, 19)})` : 'owner labels'} no longer match the record`,
      };
    }
    const claims = Object.keys(container.labels ?? {}).filter((key) => CLAIM_LABELS.test(key));
    // Another Drydock (another store: a colleague's laptop, a CI run) leaves helpers this store never
    // recorded; they are indistinguishable from an intruder's copy, so they are shown, never trusted.
    if (claims.length)
      return {
        kind: 'impersonator',
        reason: `it carries Drydock's labels (${claims.slice(0, 4).join(', ')}) but this evidence store never created it (an intruder's container, or a helper of another Drydock installation)`,
      };
    if (CLAIM_NAME.test(container.name))
      return {
        kind: 'impersonator',
        reason: `it is named like a Drydock helper (${container.name.replace(/^\//, '').slice(0, 80)}) but this evidence store never created it (an intruder's container, or a helper of another Drydock installation)`,
      };
    return { kind: 'other' };
  }

  /**
   * Creates a tmpfs-backed local volume (`size` bytes at most, nosuid, nodev, noexec: nothing of it
   * reaches the host's disk) for one helper run to write into, named drydock-<purpose>-<helperId>,
   * labelled like a helper container, recorded before it is used and audited (helper.volume-created)
   * with the host named. Rejects with the engine's error.
   * @returns the volume's name.
   */
  async createVolume(docker: Dockerode, host: string, sizeBytes: number, meta: HelperMeta): Promise<string> {
    const name = `drydock-${meta.purpose}-${meta.helperId}`;
    await docker.createVolume({
      Name: name,
      Driver: 'local',
      DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: `size=${sizeBytes},nosuid,nodev,noexec,mode=0700` },
      Labels: helperLabels({ purpose: meta.purpose, id: meta.helperId, targetId: meta.target, owner: meta.owner, deadline: meta.deadline }),
    });
    this.deps.db
      .prepare(
        `INSERT OR REPLACE INTO helper_volumes (name, host, helper_id, purpose, target, size_bytes, owner_machine, owner_pid, owner_started, deadline, case_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        name,
        host,
        meta.helperId,
        meta.purpose,
        meta.target,
        sizeBytes,
        meta.owner.machine,
        meta.owner.pid,
        meta.owner.startedAtMs,
        meta.deadline.toISOString(),
        meta.caseId ?? null,
        this.deps.clock.now().toISOString(),
      );
    this.liveVolumes.add(name);
    this.deps.audit('helper.volume-created', { host, volume: name, purpose: meta.purpose, target: meta.target, sizeBytes }, meta.caseId);
    return name;
  }

  /**
   * Removes a recorded scratch volume (gone already counts as removed) and records it (helper.volume-removed).
   * While the engine answers 409 (the volume is in use, typically by a helper whose AutoRemove or
   * forced removal the engine has not finished), waits for the helpers this process created on it
   * and any container the engine lists as using it to be removed (the engine's wait, condition
   * 'removed'), and at least a short backoff (25 ms, doubled per attempt), then tries again: at most
   * VOLUME_BUSY_ATTEMPTS attempts within VOLUME_BUSY_BUDGET_MS. Other engine errors, or a volume
   * still in use after that, propagate, audited once as helper.volume-remove-failed (left for the sweeper).
   */
  async removeVolume(docker: Dockerode, host: string, name: string, reason: string): Promise<void> {
    this.liveVolumes.delete(name);
    const giveUp = Date.now() + VOLUME_BUSY_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await docker.getVolume(name).remove({ force: true });
        break;
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 404) break;
        const left = giveUp - Date.now();
        if (status === 409 && attempt < VOLUME_BUSY_ATTEMPTS && left > 0) {
          await this.volumeReleased(docker, name, Math.min(left, 25 * 2 ** (attempt - 1)), left);
          continue;
        }
        const row = this.volumeRow(name);
        this.deps.audit(
          'helper.volume-remove-failed',
          { host, volume: name, purpose: row?.purpose ?? '', reason, error: err instanceof Error ? err.message : String(err) },
          row?.case_id ?? undefined,
        );
        throw err;
      }
    }
    this.volumeUsers.delete(name);
    this.volumeRemoved(host, name, reason);
  }

  /**
   * Resolves once the containers using a scratch volume (those this process created on it, and
   * those the engine lists) are removed — a container already gone answers the engine's wait with
   * 404 at once — and `backoffMs` has passed (the engine lists a container no more while it still
   * releases its mounts), or after `limitMs` whatever the containers do. Never rejects.
   */
  private async volumeReleased(docker: Dockerode, name: string, backoffMs: number, limitMs: number): Promise<void> {
    const users = new Set(this.volumeUsers.get(name));
    const listed = await docker.listContainers({ all: true, filters: JSON.stringify({ volume: [name] }) }).catch(() => []);
    // An engine's answer is hostile input: only a container ID goes into a request path.
    for (const c of listed) if (typeof c.Id === 'string' && /^[0-9a-f]{12,64}$/.test(c.Id)) users.add(c.Id);
    const limit = AbortSignal.timeout(limitMs);
    const removed = Promise.all(
      [...users].map((id) =>
        (docker.getContainer(id).wait({ condition: 'removed', abortSignal: limit }) as Promise<unknown>).catch(() => undefined),
      ),
    );
    await Promise.all([removed, new Promise((resolve) => setTimeout(resolve, backoffMs))]);
  }

  /** Records that a scratch volume is gone (idempotent: audited once). */
  volumeRemoved(host: string, name: string, reason: string): void {
    this.liveVolumes.delete(name);
    const row = this.volumeRow(name);
    if (!row || row.removed_at !== null) return;
    this.deps.db
      .prepare('UPDATE helper_volumes SET removed_at = ?, removed_reason = ? WHERE name = ?')
      .run(this.deps.clock.now().toISOString(), reason, name);
    this.deps.audit('helper.volume-removed', { host, volume: name, purpose: row.purpose, reason }, row.case_id ?? undefined);
  }

  isLiveVolume(name: string): boolean {
    return this.liveVolumes.has(name);
  }

  /** Scratch volumes recorded on a host and not yet recorded as removed. */
  openVolumes(host: string): { name: string; purpose: string; helperId: string; owner: HelperOwner; deadline: string }[] {
    return this.deps.db
      .prepare<[string], VolumeRow>('SELECT * FROM helper_volumes WHERE host = ? AND removed_at IS NULL')
      .all(host)
      .map((row) => ({
        name: row.name,
        purpose: row.purpose,
        helperId: row.helper_id,
        owner: { machine: row.owner_machine, pid: row.owner_pid, startedAtMs: row.owner_started },
        deadline: row.deadline,
      }));
  }

  /**
   * A volume listed on a host is Drydock's own scratch volume when its name is recorded on that host
   * and its owner labels still match the record; anything else is left alone (null).
   */
  judgeVolume(
    host: string,
    name: string,
    labels: Record<string, string> | undefined,
  ): { owner: HelperOwner; deadline: string; purpose: string; helperId: string } | null {
    const row = this.volumeRow(name);
    if (!row || row.host !== host) return null;
    const owner = ownerFromLabels(labels);
    if (!owner || owner.machine !== row.owner_machine || owner.pid !== row.owner_pid || owner.startedAtMs !== row.owner_started)
      return null;
    return { owner, deadline: row.deadline, purpose: row.purpose, helperId: row.helper_id };
  }

  private volumeRow(name: string): VolumeRow | undefined {
    return this.deps.db.prepare<[string], VolumeRow>('SELECT * FROM helper_volumes WHERE name = ?').get(name);
  }

  private row(containerId: string): Row | undefined {
    this.rowQuery ??= this.deps.db.prepare<[string], Row>('SELECT * FROM helper_containers WHERE container_id = ?');
    return this.rowQuery.get(containerId);
  }
}

function toRecord(row: Row): HelperRecord {
  return {
    containerId: row.container_id,
    host: row.host,
    name: row.name,
    helperId: row.helper_id,
    purpose: row.purpose,
    imageId: row.image_id,
    target: row.target,
    owner: { machine: row.owner_machine, pid: row.owner_pid, startedAtMs: row.owner_started },
    deadline: row.deadline,
    ...(row.case_id !== null ? { caseId: row.case_id } : {}),
    createdAt: row.created_at,
    ...(row.removed_at !== null ? { removedAt: row.removed_at } : {}),
  };
}
