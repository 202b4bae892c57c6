import type { LogStream } from '../../../shared/domain/logs';
import type { Clock } from '../clock';
import { LogFrameSplitter } from './log-lines';

/**
 * What a container wrote while Drydock was attached to it from its `create` event: the fallback
 * for a container so short-lived (`docker run --rm` of a one-second dropper) that the engine had
 * already removed it, or marked it for removal, when its logs were asked for after `start`.
 * The attach stream (POST /containers/{id}/attach, stream=1, stdout and stderr, no stdin) carries
 * the same frames as the logs endpoint but no timestamps, so each line is stamped with the time
 * Drydock received it (RFC 3339 UTC, milliseconds) and the artifact says so. Records are kept in
 * memory up to `capBytes` (the fallback is for short-lived containers; a long-lived one is
 * followed through the logs endpoint and this capture is dropped); beyond it lines are counted.
 */
export class AttachCapture {
  readonly records: Buffer[] = [];
  bytes = 0;
  lines = 0;
  droppedLines = 0;
  private readonly open = new Map<LogStream, Buffer[]>();
  private readonly splitter = new LogFrameSplitter();

  constructor(
    private readonly clock: Clock,
    private readonly tty: boolean,
    private readonly capBytes = 4 * 1024 * 1024,
  ) {}

  /** One chunk of the attach body (multiplexed frames, or the raw TTY stream). */
  async push(chunk: Buffer): Promise<void> {
    if (this.tty) this.add('tty', chunk);
    else await this.splitter.push(chunk, async (stream, payload) => this.add(stream, payload));
  }

  /** Ends the open lines (a last line without a newline is ended here). */
  end(): void {
    for (const [stream, parts] of this.open) if (parts.length) this.emit(stream, Buffer.concat(parts));
    this.open.clear();
  }

  private add(stream: LogStream, bytes: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(0x0a, start);
      if (nl < 0) break;
      const parts = this.open.get(stream) ?? [];
      parts.push(bytes.subarray(start, nl));
      this.open.set(stream, []);
      this.emit(stream, Buffer.concat(parts));
      start = nl + 1;
    }
    if (start < bytes.length) {
      const parts = this.open.get(stream) ?? [];
      parts.push(Buffer.from(bytes.subarray(start)));
      this.open.set(stream, parts);
    }
  }

  private emit(stream: LogStream, line: Buffer): void {
    const record = Buffer.concat([Buffer.from(`${stream} ${this.clock.now().toISOString()} `, 'latin1'), line, Buffer.from('\n')]);
    if (this.bytes + record.length > this.capBytes) {
      this.droppedLines++;
      return;
    }
    this.records.push(record);
    this.bytes += record.length;
    this.lines++;
  }
}
