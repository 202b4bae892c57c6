import type Dockerode from 'dockerode';
import type { ConnectionState, EngineFacts, HostProfile, HostStatus } from '../../../shared/domain/hosts';
import { isoNow, type Clock } from '../clock';
import { toDrydockError } from '../errors';
import { createDockerClient } from './docker-client';
import { engineFailure } from './engine-errors';
import { EngineEventParser, sinceParameter, type EngineEvent } from './engine-events';
import { probeEngine } from './engine-probe';

export interface ConnectionHooks {
  clock: Clock;
  onStatus(status: HostStatus): void;
  onEvent(event: EngineEvent): void;
  onResync(): void;
  audit(action: string, details: Record<string, unknown>): void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * One host's live link: probe, then hold the engine's event stream open. The stream ending is how
 * a dead daemon or a dropped network shows; the link then retries with backoff and, once back,
 * replays missed events (`since`) and asks listeners to re-read.
 */
export class EngineConnection {
  readonly docker: Dockerode;
  status: HostStatus;
  facts: EngineFacts | undefined;
  private stream: NodeJS.ReadableStream | undefined;
  private opening: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private lastEventNano: bigint | undefined;
  private closed = false;

  constructor(
    private readonly profile: HostProfile,
    private readonly hooks: ConnectionHooks,
  ) {
    this.docker = createDockerClient(profile);
    this.status = { name: profile.name, state: 'disconnected', since: isoNow(hooks.clock) };
  }

  /** Resolves once connected; rejects (state 'failed') when the first attempt fails. */
  async open(): Promise<void> {
    if (this.status.state === 'connected' || this.status.state === 'reconnecting') return;
    this.opening ??= this.firstConnect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  async close(reason: string, options: { quiet?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.stopStream();
    if (this.status.state !== 'disconnected' && !options.quiet) this.hooks.audit('host.disconnected', { reason });
    this.status = { name: this.profile.name, state: 'disconnected', since: isoNow(this.hooks.clock) };
  }

  private async firstConnect(): Promise<void> {
    this.setState('connecting');
    try {
      this.facts = await probeEngine(this.docker, this.profile.name, this.profile.tls?.verify);
      await this.startStream();
    } catch (err) {
      const error = toDrydockError(err);
      this.setState('failed', { kind: error.kind, message: error.message });
      this.hooks.audit('host.connect-failed', { url: this.profile.url, error: error.kind, message: error.message });
      throw err;
    }
    this.setState('connected');
    this.hooks.audit('host.connected', {
      url: this.profile.url,
      engineVersion: this.facts.engineVersion,
      apiVersion: this.facts.apiVersion,
      hostname: this.facts.hostname,
      swarmRole: this.facts.swarmRole,
      ...(this.profile.tls ? { tlsVerify: this.profile.tls.verify } : {}),
      ...(this.facts.inconsistencies ? { inconsistencies: this.facts.inconsistencies } : {}),
    });
  }

  private async startStream(): Promise<void> {
    const options = this.lastEventNano !== undefined ? { since: sinceParameter(this.lastEventNano) } : {};
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents(options as Dockerode.GetEventsOptions);
    } catch (err) {
      throw engineFailure(err, { host: this.profile.name, action: 'subscribing to engine events' });
    }
    if (this.closed) {
      destroy(stream);
      return;
    }
    this.stream = stream;
    const parser = new EngineEventParser();
    let dropped = false;
    const onDrop = (why: string) => {
      if (dropped || this.stream !== stream) return;
      dropped = true;
      this.stream = undefined;
      this.connectionLost(why);
    };
    stream.on('data', (chunk: Buffer) =>
      parser.push(chunk, (event) => {
        if (this.lastEventNano === undefined || event.timeNano > this.lastEventNano) this.lastEventNano = event.timeNano;
        this.hooks.onEvent(event);
      }),
    );
    stream.on('end', () => onDrop('the engine closed its event stream'));
    stream.on('close', () => onDrop('the connection to the engine closed'));
    stream.on('error', (err: Error) => onDrop(err.message));
  }

  private connectionLost(why: string): void {
    if (this.closed) return;
    this.attempt = 0;
    this.setState('reconnecting', { kind: 'disconnected', message: `Lost host ${this.profile.name}: ${why}` });
    this.hooks.audit('host.connection-lost', { reason: why });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
    this.attempt++;
    this.retryTimer = setTimeout(() => void this.retry(), delay);
    this.retryTimer.unref?.();
  }

  private async retry(): Promise<void> {
    if (this.closed) return;
    try {
      this.facts = await probeEngine(this.docker, this.profile.name, this.profile.tls?.verify);
      await this.startStream();
    } catch (err) {
      const error = toDrydockError(err);
      this.setState('reconnecting', { kind: error.kind, message: error.message });
      this.scheduleRetry();
      return;
    }
    if (this.closed) return;
    this.setState('connected');
    this.hooks.audit('host.reconnected', { attempts: this.attempt, engineVersion: this.facts.engineVersion });
    this.hooks.onResync();
  }

  private stopStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) destroy(stream);
  }

  private setState(state: ConnectionState, lastError?: { kind: string; message: string }): void {
    this.status = { name: this.profile.name, state, since: isoNow(this.hooks.clock), ...(lastError ? { lastError } : {}) };
    if (!this.closed) this.hooks.onStatus(this.status);
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  s.removeAllListeners?.('data');
  s.destroy?.();
}
