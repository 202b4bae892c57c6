import type Dockerode from 'dockerode';
import type { LogsAcquisition } from '../../../shared/domain/logs';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { ArtifactWriterPort, EvidencePort } from '../evidence/port';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import { engineFailure } from '../hosts/engine-errors';
import { counted } from '../../../shared/counted';
import { acquisitionCounts, LOG_FORMAT, LogFrameSplitter, LogLineWriter } from './log-lines';
import { engineTimeParameter } from './log-time';

export interface LogsServiceDeps {
  hosts: DockerSource;
  evidence: EvidencePort;
  clock: Clock;
}

export interface LogsRequest {
  host: string;
  container: string;
  caseRef?: string;
  /** Seconds since the epoch, an RFC 3339 date or a duration back from now (see engineTimeParameter). */
  since?: string;
  until?: string;
  /** Only the last N lines (the engine counts messages). */
  tail?: number;
  /**
   * Keep reading until the container stops (the engine ends a followed stream when the container
   * exits), as the journal does from a container's start; `until` cannot be combined with it.
   */
  follow?: boolean;
  /** Stops a followed read: the lines read so far are kept as an incomplete artifact saying why. */
  signal?: AbortSignal;
  /** What started the acquisition, recorded in the artifact and the audit entry (e.g. the journal's start event). */
  trigger?: string;
  /** Called once the engine's logs stream is open (the lines are being read from then on). */
  onStreaming?: () => void;
}

/** Drivers whose logs the engine reads itself, from files it keeps. */
const FILE_DRIVERS = new Set(['json-file', 'local']);

/**
 * Container logs as evidence: the engine's logs endpoint (GET /containers/{id}/logs, stdout and
 * stderr, timestamps=true, since/until/tail as asked), demultiplexed when the container has no TTY
 * and read raw when it has, streamed into the store as one 'logs' artifact in LOG_FORMAT (see
 * log-lines.ts) with the driver, the window and the line counts in its attributes.
 */
export class LogsService {
  constructor(private readonly deps: LogsServiceDeps) {}

  /**
   * Acquires one container's logs into the case (`caseRef`, else the current case, else an
   * ad-hoc case for the host).
   * @throws DrydockFailure: 'not-found' (no such container on the host), 'unsupported' (a driver
   *   whose logs cannot be read: none, or one the engine refuses to read back), 'invalid-input'
   *   (a since/until that is not a time), 'engine'/'unreachable' when the stream breaks (the
   *   bytes read so far are then kept as an incomplete artifact).
   */
  async acquire(request: LogsRequest): Promise<LogsAcquisition> {
    const { host } = request;
    const now = this.deps.clock.now();
    const since =
      request.since !== undefined
        ? engineTimeParameter(request.since, now, `Logs of ${request.container} on host ${host}: --since`)
        : undefined;
    const until =
      request.until !== undefined
        ? engineTimeParameter(request.until, now, `Logs of ${request.container} on host ${host}: --until`)
        : undefined;
    if (request.follow && until !== undefined)
      throw new DrydockFailure('invalid-input', `Logs of ${request.container} on host ${host}: --until cannot be combined with following`, {
        host,
        container: request.container,
      });
    const docker = await this.deps.hosts.docker(host);
    const info = await engineCall({ host, container: request.container, action: 'inspecting the container' }, () =>
      docker.getContainer(request.container).inspect(),
    );
    const name = info.Name.replace(/^\//, '');
    const driver = info.HostConfig.LogConfig?.Type ?? 'json-file';
    const tty = info.Config.Tty === true;
    const where = `container ${name} on host ${host}`;
    if (driver === 'none') {
      throw new DrydockFailure(
        'unsupported',
        `The logs of ${where} cannot be acquired: its logging driver is 'none', so the engine kept no logs`,
        { host, container: name },
      );
    }
    const limitations = driverLimitations(driver);
    // The stream first: a driver the engine cannot read back must not open an ad-hoc case for nothing.
    const stream = await this.openStream(docker, info.Id, {
      host,
      container: name,
      driver,
      since,
      until,
      tail: request.tail,
      follow: request.follow === true,
    });
    request.onStreaming?.();
    let kase: { id: string; name: string };
    let writer: ArtifactWriterPort;
    try {
      kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host });
      writer = await this.openWriter({
        caseId: kase.id,
        host,
        containerId: info.Id,
        name,
        driver,
        tty,
        driverOptions: info.HostConfig.LogConfig?.Config ?? {},
        since,
        until,
        tail: request.tail,
        follow: request.follow === true,
        trigger: request.trigger,
      });
    } catch (err) {
      destroy(stream);
      throw err;
    }
    const stopped = new DrydockFailure('cancelled', `Following the logs of ${where} was stopped before the container stopped`, {
      host,
      container: name,
    });
    const onAbort = () => (stream as NodeJS.ReadableStream & { destroy?: (e?: Error) => void }).destroy?.(stopped);
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
    const lines = new LogLineWriter((record) => writer.write(record));
    const splitter = new LogFrameSplitter();
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (tty) await lines.push('tty', chunk, false);
        else await splitter.push(chunk, (s, payload) => lines.push(s, payload));
      }
      if (splitter.midFrame) throw new Error('the logs stream ended inside a frame');
      if (request.signal?.aborted) throw stopped;
    } catch (err) {
      request.signal?.removeEventListener('abort', onAbort);
      destroy(stream);
      // The stream already failed: the bytes read are kept below whatever the line writer says, and the
      // failure that matters is the stream's (reported); without counts the artifact just lacks its line count.
      const counts = await lines.end().catch(() => undefined);
      const failure = err instanceof DrydockFailure ? err : engineFailure(err, { host, container: name, action: 'reading the logs' });
      const kept = await writer.abandon(failure.message, counts ? { lines: counts.lines } : {});
      throw new DrydockFailure(
        failure.kind,
        `${failure.message} (the ${kept.size} bytes read before are kept as incomplete artifact ${kept.id})`,
        { host, container: name, cause: err },
      );
    }
    request.signal?.removeEventListener('abort', onAbort);
    const counts = await lines.end();
    if (counts.unterminated.length)
      limitations.push(`The last line of ${counts.unterminated.join(' and ')} had no newline; one was added when storing it`);
    if (counts.splitLines)
      limitations.push(
        `${counted(counts.splitLines, 'line')} longer than 16 MiB ${counts.splitLines === 1 ? 'is' : 'are'} stored in pieces (records tagged stream+)`,
      );
    const stored = await writer.finish({
      lines: counts.lines,
      perStream: counts.perStream,
      joinedPieces: counts.joinedPieces,
      splitLines: counts.splitLines,
      unterminated: counts.unterminated,
      ...(counts.firstTimestamp ? { firstTimestamp: counts.firstTimestamp, lastTimestamp: counts.lastTimestamp } : {}),
      limitations,
    });
    this.deps.evidence.audit(
      'logs.acquired',
      {
        host,
        containerId: info.Id,
        containerName: name,
        driver,
        artifactId: stored.id,
        lines: counts.lines,
        bytes: stored.size,
        ...(request.follow ? { followed: true } : {}),
        ...(request.trigger !== undefined ? { trigger: request.trigger } : {}),
      },
      kase.id,
    );
    return {
      host,
      containerId: info.Id,
      containerName: name,
      driver,
      tty,
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(request.tail !== undefined ? { tail: request.tail } : {}),
      ...(request.follow ? { followed: true } : {}),
      artifactId: stored.id,
      sha256: stored.sha256,
      caseId: kase.id,
      caseName: kase.name,
      bytes: stored.size,
      ...acquisitionCounts(counts),
      limitations,
    };
  }

  /** The artifact writer of one acquisition: the driver, the TTY and the window asked for in its attributes. */
  private async openWriter(o: {
    caseId: string;
    host: string;
    containerId: string;
    name: string;
    driver: string;
    tty: boolean;
    driverOptions: Record<string, string>;
    since: string | undefined;
    until: string | undefined;
    tail: number | undefined;
    follow: boolean;
    trigger: string | undefined;
  }): Promise<ArtifactWriterPort> {
    return this.deps.evidence.openWriter({
      caseId: o.caseId,
      kind: 'logs',
      source: { host: o.host, containerId: o.containerId, containerName: o.name },
      method: `engine logs endpoint (GET /containers/{id}/logs, stdout and stderr, timestamps=true${o.follow ? ', follow=true' : ''}), ${o.tty ? 'raw TTY stream' : 'demultiplexed'}, driver ${o.driver}`,
      mediaType: 'text/plain',
      attributes: {
        format: LOG_FORMAT,
        driver: o.driver,
        driverOptions: o.driverOptions,
        tty: o.tty,
        ...(o.since !== undefined ? { since: o.since } : {}),
        ...(o.until !== undefined ? { until: o.until } : {}),
        ...(o.tail !== undefined ? { tail: o.tail } : {}),
        ...(o.follow ? { followed: true } : {}),
        ...(o.trigger !== undefined ? { trigger: o.trigger } : {}),
      },
    });
  }

  /** Opens the logs body as a stream (dockerode buffers it whole unless following). */
  private async openStream(
    docker: Dockerode,
    id: string,
    o: {
      host: string;
      container: string;
      driver: string;
      since: string | undefined;
      until: string | undefined;
      tail: number | undefined;
      follow: boolean;
    },
  ): Promise<NodeJS.ReadableStream> {
    // docker-modem builds the query from `options` (a path ending in '?' says there is one).
    const query: Record<string, string> = { stdout: '1', stderr: '1', timestamps: '1', follow: o.follow ? '1' : '0' };
    if (o.since !== undefined) query.since = o.since;
    if (o.until !== undefined) query.until = o.until;
    if (o.tail !== undefined) query.tail = String(o.tail);
    try {
      return await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
        docker.modem.dial(
          {
            path: `/containers/${encodeURIComponent(id)}/logs?`,
            options: query,
            method: 'GET',
            isStream: true,
            statusCodes: { 200: true, 404: 'no such container', 501: 'not implemented', 500: 'server error' },
          },
          (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
        );
      });
    } catch (err) {
      const text = engineText(err);
      if (/does not support reading|not implemented|configured logging driver/i.test(text)) {
        throw new DrydockFailure(
          'unsupported',
          `The logs of container ${o.container} on host ${o.host} cannot be read through the engine: its logging driver '${o.driver}' does not support reading back (${text.trim()})`,
          { host: o.host, container: o.container, detail: text, cause: err },
        );
      }
      throw engineFailure(err, { host: o.host, container: o.container, action: 'opening the logs stream' });
    }
  }
}

/** What a driver's logs read through the engine do not show (json-file and local: nothing). */
function driverLimitations(driver: string): string[] {
  if (FILE_DRIVERS.has(driver)) return [];
  if (driver === 'journald')
    return ["Read through the engine's journald reader (journald is not available on Drydock's test engines, so this path is untested)"];
  return [
    `The '${driver}' driver ships logs elsewhere; what is stored here is what the engine's local cache of them (dual logging, Engine 20.10 and later) still held, not what '${driver}' received`,
  ];
}

function engineText(err: unknown): string {
  const e = (err ?? {}) as { json?: unknown; message?: unknown; reason?: unknown };
  if (e.json && typeof e.json === 'object' && typeof (e.json as { message?: unknown }).message === 'string')
    return (e.json as { message: string }).message;
  if (Buffer.isBuffer(e.json)) return e.json.toString('utf8');
  if (typeof e.json === 'string') return e.json;
  return typeof e.message === 'string' ? e.message : String(err);
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
