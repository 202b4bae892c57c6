import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import type Dockerode from 'dockerode';
import type { HostInput } from '../../../shared/contract/hosts';
import type { DockerContextInfo, EngineFacts, HostProfile, HostResolution, HostStatus } from '../../../shared/domain/hosts';
import type { AuditFn } from '../audit-fn';
import { isoNow, type Clock } from '../clock';
import { DrydockFailure, toDrydockError } from '../errors';
import type { EventHub } from '../event-hub';
import type { Db } from '../store/database';
import { createDockerClient } from './docker-client';
import { type DockerEnvironment, listDockerContexts } from './docker-context';
import type { EngineEvent } from './engine-events';
import { EngineConnection } from './engine-connection';
import { probeEngine } from './engine-probe';
import { HostProfiles } from './host-profiles';
import { adoptEndpoint, type ProfileBook, resolveHost } from './host-resolution';
import { parseHostUrl } from './host-url';

export interface HostServiceDeps {
  db: Db;
  clock: Clock;
  events: EventHub;
  audit: AuditFn;
  /** Where DOCKER_HOST, DOCKER_CONTEXT and ~/.docker are read (default: this process). */
  environment?: DockerEnvironment;
}

export type EngineListener = (host: string, event: EngineEvent) => void;
/** Called after a reconnect: whatever a listener derived from events must be re-read. */
export type ResyncListener = (host: string) => void;

/**
 * Saved host profiles and live connections. A connection holds one dockerode client and the
 * engine's event stream; when the stream drops the host shows as reconnecting, and on the way
 * back listeners are told to re-read, so the UI keeps what it had and catches up.
 */
export class HostService {
  private readonly profiles: HostProfiles;
  private readonly connections = new Map<string, EngineConnection>();
  private readonly engineListeners = new Set<EngineListener>();
  private readonly resyncListeners = new Set<ResyncListener>();
  private readonly resolutions = new Map<string, HostResolution>();

  constructor(private readonly deps: HostServiceDeps) {
    this.profiles = new HostProfiles(deps.db);
  }

  /**
   * The saved host profiles (connection settings, never secrets), by name.
   */
  list(): HostProfile[] {
    return this.profiles.list();
  }

  /**
   * Which engine `ref` means — a saved profile, an endpoint URL, a Docker context name — or, with
   * no ref, the one the docker CLI would use (DOCKER_HOST, DOCKER_CONTEXT, current context, local
   * socket). An endpoint that has no profile gets one only once its engine answered (probed as
   * `hosts add` does), so a dead endpoint leaves no profile behind; audits the choice with its reason.
   * @throws DrydockFailure('not-found') for an unknown name; ('invalid-input') for a bad URL or docker
   *   configuration; for a new endpoint whose engine does not answer, the probe's failure
   *   ('unreachable', 'tls', 'permission-denied', 'not-docker', 'api-too-old'...) naming the endpoint
   *   and why it was chosen, with nothing saved.
   */
  async resolve(ref: string | undefined): Promise<HostResolution> {
    let pending: HostInput | undefined;
    // Resolved against a book that does not save: a new endpoint's profile is written after its engine answers.
    const dry: ProfileBook = {
      list: () => this.list(),
      find: (name) => this.profiles.find(name),
      add: (input) => {
        pending = input;
        return this.toProfile(input);
      },
    };
    let resolution = resolveHost(dry, this.environment(), ref);
    if (resolution.created && pending) {
      const candidate = resolution.profile;
      try {
        await probeEngine(createDockerClient(candidate), candidate.url, candidate.tls?.verify);
      } catch (err) {
        const failure = err instanceof DrydockFailure ? err : new DrydockFailure('engine', toDrydockError(err).message, { cause: err });
        throw new DrydockFailure(failure.kind, `${failure.message}; no host profile saved (${resolution.reason})`, {
          host: candidate.url,
          ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
          cause: err,
        });
      }
      resolution = { ...resolution, profile: this.add(pending) };
    }
    this.resolutions.set(resolution.profile.name, resolution);
    this.auditResolution(resolution);
    return resolution;
  }

  /**
   * Writes how a host was chosen into the audit log (of `caseId`, else the current case): used again
   * when the acquisition that follows opens an ad-hoc case, so that case's own chain says which
   * engine it came from and why.
   */
  auditResolution(resolution: HostResolution, caseId?: string): void {
    this.deps.audit(
      'host.resolved',
      {
        host: resolution.profile.name,
        url: resolution.profile.url,
        source: resolution.source,
        ...(resolution.context !== undefined ? { context: resolution.context } : {}),
        reason: resolution.reason,
        profileCreated: resolution.created,
      },
      caseId,
    );
  }

  /** The last resolution of this process that chose `host`, if any. */
  lastResolution(host: string): HostResolution | undefined {
    return this.resolutions.get(host);
  }

  /**
   * The docker CLI's contexts, each with the saved profile of the same endpoint if there is one.
   * @throws DrydockFailure('invalid-input') when the docker CLI's configuration is unreadable.
   */
  contexts(): DockerContextInfo[] {
    const profiles = this.list();
    return listDockerContexts(this.environment()).map((context) => {
      let url: string;
      try {
        url = parseHostUrl(context.url).normalized;
      } catch {
        // An endpoint Drydock cannot connect to (e.g. npipe://) is listed as the CLI has it, with no profile to match.
        return context;
      }
      const profile = profiles.find((p) => p.url === url);
      return profile ? { ...context, profile: profile.name } : context;
    });
  }

  /**
   * Saves the docker CLI's contexts as host profiles (all, or those named), skipping any whose
   * endpoint already has a profile or that Drydock cannot use, each with the reason.
   */
  importContexts(names?: string[]): { imported: HostProfile[]; skipped: { context: string; why: string }[] } {
    const imported: HostProfile[] = [];
    const skipped: { context: string; why: string }[] = [];
    for (const context of this.contexts()) {
      if (names && !names.includes(context.name)) continue;
      if (context.profile) {
        skipped.push({ context: context.name, why: `already saved as host ${context.profile}` });
        continue;
      }
      try {
        const endpoint = {
          url: context.url,
          ...(context.tls ? { tls: context.tls } : {}),
          source: 'argument-context' as const,
          // The implicit "default" context is the local socket (or DOCKER_HOST): named like it, not "default".
          ...(context.name !== 'default' ? { context: context.name } : {}),
          reason: `imported from the Docker context ${context.name} (${context.url})`,
        };
        const resolution = adoptEndpoint(this.book(), endpoint);
        if (!resolution.created) {
          skipped.push({ context: context.name, why: `already saved as host ${resolution.profile.name}` });
          continue;
        }
        this.deps.audit('host.imported', { host: resolution.profile.name, url: resolution.profile.url, context: context.name });
        imported.push(resolution.profile);
      } catch (err) {
        skipped.push({ context: context.name, why: toDrydockError(err).message });
      }
    }
    if (names)
      for (const name of names)
        if (!this.contexts().some((c) => c.name === name)) skipped.push({ context: name, why: 'no such Docker context' });
    return { imported, skipped };
  }

  private book(): ProfileBook {
    return { list: () => this.list(), find: (name) => this.profiles.find(name), add: (input) => this.add(input) };
  }

  private environment(): DockerEnvironment {
    return this.deps.environment ?? { env: process.env, home: homedir() };
  }

  /**
   * The saved profile named `name`.
   * @throws DrydockFailure('not-found') when no host has that name.
   */
  profile(name: string): HostProfile {
    return this.profiles.get(name);
  }

  /**
   * Saves a host profile (audited, announced by hosts.changed) without connecting to it.
   * @throws DrydockFailure('invalid-input') for a bad URL, TLS/SSH settings on the wrong kind of endpoint or an unreadable certificate file; ('conflict') when a host of that name exists.
   */
  add(input: HostInput): HostProfile {
    const profile = this.toProfile(input);
    this.profiles.insert(profile);
    this.deps.audit('host.added', {
      host: profile.name,
      url: profile.url,
      kind: profile.kind,
      ...(profile.tls ? { tlsVerify: profile.tls.verify } : {}),
    });
    this.deps.events.emit('hosts.changed', { name: profile.name, change: 'added' });
    return profile;
  }

  /**
   * Disconnects and deletes a host profile; `removed` is false when there was none of that name. Its evidence stays.
   */
  async remove(name: string): Promise<{ removed: boolean }> {
    await this.disconnect(name);
    const removed = this.profiles.delete(name);
    if (removed) {
      this.deps.audit('host.removed', { host: name });
      this.deps.events.emit('hosts.changed', { name, change: 'removed' });
    }
    return { removed };
  }

  /**
   * Connects with a saved profile or an unsaved one, reports the engine (versions, OS, the facts
   * that disagree) and leaves no connection behind. Audited either way.
   * @throws DrydockFailure('not-found') for an unknown name; ('invalid-input') for bad settings;
   * ('unreachable'), ('tls'), ('permission-denied') or ('engine') when the engine cannot be spoken to.
   */
  async test(target: { name: string } | HostInput): Promise<EngineFacts> {
    const profile = 'url' in target ? this.toProfile(target) : this.profiles.get(target.name);
    const docker = createDockerClient(profile);
    try {
      const facts = await probeEngine(docker, profile.name, profile.tls?.verify);
      this.deps.audit('host.tested', {
        host: profile.name,
        url: profile.url,
        engineVersion: facts.engineVersion,
        apiVersion: facts.apiVersion,
        ok: true,
        ...(facts.inconsistencies ? { inconsistencies: facts.inconsistencies } : {}),
      });
      return facts;
    } catch (err) {
      const error = toDrydockError(err);
      this.deps.audit('host.tested', { host: profile.name, url: profile.url, ok: false, error: error.kind, message: error.message });
      throw err;
    }
  }

  /**
   * Opens (or joins) the host's connection and its event stream; the status says how it went
   * (state, `since` as ISO 8601 UTC, `lastError` while reconnecting). A first connection that fails
   * leaves the host reconnecting rather than throwing.
   * @throws DrydockFailure('not-found') when no host has that name.
   */
  async connect(name: string): Promise<HostStatus> {
    const profile = this.profiles.get(name);
    let connection = this.connections.get(name);
    if (!connection) {
      connection = new EngineConnection(profile, {
        clock: this.deps.clock,
        onStatus: (status) => this.deps.events.emit('host.status', status),
        onEvent: (event) => this.engineListeners.forEach((listener) => safely(() => listener(name, event))),
        onResync: () => this.resyncListeners.forEach((listener) => safely(() => listener(name))),
        audit: (action, details) => this.deps.audit(action, { host: name, ...details }),
      });
      this.connections.set(name, connection);
    }
    await connection.open();
    return connection.status;
  }

  /**
   * Closes the host's connection (a no-op when there is none) and returns its idle status.
   */
  async disconnect(name: string): Promise<HostStatus> {
    const connection = this.connections.get(name);
    if (!connection) return this.idleStatus(name);
    this.connections.delete(name);
    await connection.close('disconnected by the examiner');
    const status = this.idleStatus(name);
    this.deps.events.emit('host.status', status);
    return status;
  }

  /**
   * Every saved host's connection status (`since`: ISO 8601 UTC).
   */
  statuses(): HostStatus[] {
    return this.profiles.list().map((profile) => this.connections.get(profile.name)?.status ?? this.idleStatus(profile.name));
  }

  /**
   * The connected client for a host, connecting on first use; refuses while the host is away.
   * @throws DrydockFailure('not-found') for an unknown host; ('disconnected') while it is reconnecting or could not be connected.
   */
  async docker(name: string): Promise<Dockerode> {
    const connection = this.connections.get(name);
    if (connection?.status.state === 'connected') return connection.docker;
    if (connection?.status.state === 'reconnecting') {
      throw new DrydockFailure(
        'disconnected',
        `Host ${name} is disconnected and Drydock is reconnecting (${connection.status.lastError?.message ?? 'engine went away'})`,
        { host: name },
      );
    }
    await this.connect(name);
    const ready = this.connections.get(name);
    if (!ready || ready.status.state !== 'connected')
      throw new DrydockFailure('disconnected', `Host ${name} is not connected`, { host: name });
    return ready.docker;
  }

  /**
   * True while the host's connection is up (false for an unknown host).
   */
  isConnected(name: string): boolean {
    return this.connections.get(name)?.status.state === 'connected';
  }

  /**
   * Calls `listener` with every engine event of every connected host; returns the unsubscribe.
   */
  onEngineEvent(listener: EngineListener): () => void {
    this.engineListeners.add(listener);
    return () => this.engineListeners.delete(listener);
  }

  /**
   * Calls `listener` after a host reconnects (events may have been missed meanwhile); returns the unsubscribe.
   */
  onResync(listener: ResyncListener): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /**
   * Closes every connection quietly (no status events).
   */
  async close(): Promise<void> {
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(open.map((connection) => connection.close('Drydock closed', { quiet: true })));
  }

  private idleStatus(name: string): HostStatus {
    return { name, state: 'disconnected', since: isoNow(this.deps.clock) };
  }

  private toProfile(input: HostInput): HostProfile {
    const parsed = parseHostUrl(input.url);
    if (parsed.kind !== 'tcp' && input.tls)
      throw new DrydockFailure('invalid-input', `Host ${input.name}: TLS settings apply to tcp:// hosts only`, { host: input.name });
    if (parsed.kind !== 'ssh' && input.ssh)
      throw new DrydockFailure('invalid-input', `Host ${input.name}: SSH settings apply to ssh:// hosts only`, { host: input.name });
    const tls = input.tls ? { ...input.tls, verify: input.tls.verify ?? true } : undefined;
    for (const [what, file] of [
      ['CA certificate', tls?.caFile],
      ['client certificate', tls?.certFile],
      ['client key', tls?.keyFile],
      ['SSH key', input.ssh?.keyFile],
    ] as const) {
      if (file) assertReadable(input.name, what, file);
    }
    if (tls && Boolean(tls.certFile) !== Boolean(tls.keyFile))
      throw new DrydockFailure('invalid-input', `Host ${input.name}: a client certificate needs its key, and a key its certificate`, {
        host: input.name,
      });
    return {
      name: input.name,
      url: parsed.normalized,
      kind: parsed.kind,
      ...(tls ? { tls } : {}),
      ...(input.ssh ? { ssh: input.ssh } : {}),
      createdAt: isoNow(this.deps.clock),
    };
  }
}

function assertReadable(host: string, what: string, file: string): void {
  if (!file.startsWith('/'))
    throw new DrydockFailure('invalid-input', `Host ${host}: the ${what} path must be absolute: ${file}`, { host });
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new DrydockFailure(
      'invalid-input',
      `Host ${host}: cannot read the ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      { host, cause: err },
    );
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // One failing listener must not starve the others of engine events.
  }
}
