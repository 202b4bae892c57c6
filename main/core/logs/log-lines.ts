import type { LogStream } from '../../../shared/domain/logs';

/**
 * Drydock's stored log format ('drydock-log-lines/1'), one record per log line:
 *
 *     <stream> <engine timestamp> <message bytes>\n
 *
 * where <stream> is `stdout`, `stderr` or `tty`, and "<engine timestamp> <message bytes>" is the
 * line exactly as `docker logs --timestamps` prints it for that stream (the engine's RFC 3339
 * timestamp with nanoseconds, a space, the message's bytes as the container wrote them, escape
 * codes and invalid UTF-8 included), without its terminating newline. Two departures, both kept
 * in the artifact's attributes:
 * - a message the engine split into pieces (json-file and local store a line longer than 16 KiB
 *   as partial messages; the logs endpoint repeats the message's timestamp on every piece) is
 *   joined again: the repeated timestamps are dropped, so the message's bytes are stored whole;
 * - a line longer than `splitBytes` (default 16 MiB) is stored in pieces so memory stays bounded:
 *   the second and later pieces are records tagged `<stream>+`.
 * A last line with no newline (a container that printed without one) is ended by a newline here
 * and its stream listed in `unterminated`.
 */
export const LOG_FORMAT = 'drydock-log-lines/1';

/** RFC 3339 timestamp and the space the engine puts before a message (timestamps=true). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}) /;
const NEWLINE = 0x0a;

export interface LogLineCounts {
  lines: number;
  perStream: Record<LogStream, number>;
  /** Lines stored in more than one record (longer than the split size). */
  splitLines: number;
  /** Pieces whose repeated engine timestamp was dropped when a partial message was joined. */
  joinedPieces: number;
  unterminated: LogStream[];
  firstTimestamp?: string;
  lastTimestamp?: string;
}

/** The line counts of an acquisition as LogsAcquisition reports them (live and from a data root alike). */
export function acquisitionCounts(counts: LogLineCounts): {
  lines: number;
  stdoutLines: number;
  stderrLines: number;
  ttyLines: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
} {
  return {
    lines: counts.lines,
    stdoutLines: counts.perStream.stdout,
    stderrLines: counts.perStream.stderr,
    ttyLines: counts.perStream.tty,
    ...(counts.firstTimestamp ? { firstTimestamp: counts.firstTimestamp } : {}),
    ...(counts.lastTimestamp ? { lastTimestamp: counts.lastTimestamp } : {}),
  };
}

interface StreamState {
  parts: Buffer[];
  size: number;
  /** The last piece of this stream ended inside a line: the next frame continues it. */
  open: boolean;
  /** Part of the current line was already written as a record (a split line). */
  continued: boolean;
}

/**
 * Turns the engine's log pieces into stored records (see LOG_FORMAT) and hands each record to
 * `sink`; awaiting the sink is the backpressure. Memory is bounded by `splitBytes` per stream.
 */
export class LogLineWriter {
  private readonly states = new Map<LogStream, StreamState>();
  private readonly counts: LogLineCounts = {
    lines: 0,
    perStream: { stdout: 0, stderr: 0, tty: 0 },
    splitLines: 0,
    joinedPieces: 0,
    unterminated: [],
  };

  constructor(
    private readonly sink: (record: Buffer) => Promise<void> | void,
    private readonly splitBytes = 16 * 1024 * 1024,
  ) {}

  /**
   * One frame of a multiplexed stream (a whole log message or one piece of it), or any chunk of
   * a TTY's raw stream (`frame` false: the raw stream has no frames, pieces are not joined).
   */
  async push(stream: LogStream, bytes: Buffer, frame = true): Promise<void> {
    const state = this.state(stream);
    let data = bytes;
    if (frame && state.open) {
      const head = TIMESTAMP.exec(data.subarray(0, 48).toString('latin1'));
      if (head) {
        data = data.subarray(head[0].length);
        this.counts.joinedPieces++;
      }
    }
    let start = 0;
    for (;;) {
      const nl = data.indexOf(NEWLINE, start);
      if (nl < 0) break;
      await this.append(stream, state, data.subarray(start, nl));
      await this.emit(stream, state);
      start = nl + 1;
    }
    if (start < data.length) await this.append(stream, state, data.subarray(start));
    state.open = data.length > 0 ? data[data.length - 1] !== NEWLINE : state.open;
  }

  /** Writes what is still open (a last line without a newline) and returns the counts. */
  async end(): Promise<LogLineCounts> {
    for (const [stream, state] of this.states) {
      if (state.size > 0 || state.continued) {
        this.counts.unterminated.push(stream);
        await this.emit(stream, state);
      }
    }
    return { ...this.counts, perStream: { ...this.counts.perStream }, unterminated: [...this.counts.unterminated] };
  }

  private state(stream: LogStream): StreamState {
    let state = this.states.get(stream);
    if (!state) {
      state = { parts: [], size: 0, open: false, continued: false };
      this.states.set(stream, state);
    }
    return state;
  }

  private async append(stream: LogStream, state: StreamState, bytes: Buffer): Promise<void> {
    let rest = bytes;
    while (state.size + rest.length > this.splitBytes) {
      const take = this.splitBytes - state.size;
      state.parts.push(Buffer.from(rest.subarray(0, take)));
      state.size += take;
      rest = rest.subarray(take);
      await this.write(stream, state);
      if (!state.continued) this.counts.splitLines++;
      state.continued = true;
    }
    if (rest.length) {
      // Copied: the engine's chunk buffers may be reused once this returns.
      state.parts.push(Buffer.from(rest));
      state.size += rest.length;
    }
  }

  /** Ends the current line of `stream`. */
  private async emit(stream: LogStream, state: StreamState): Promise<void> {
    await this.write(stream, state);
    state.continued = false;
  }

  private async write(stream: LogStream, state: StreamState): Promise<void> {
    const line = Buffer.concat(state.parts, state.size);
    state.parts = [];
    state.size = 0;
    if (!state.continued) {
      this.counts.lines++;
      this.counts.perStream[stream]++;
      const stamp = TIMESTAMP.exec(line.subarray(0, 48).toString('latin1'));
      if (stamp) {
        const at = stamp[0].slice(0, -1);
        this.counts.firstTimestamp ??= at;
        this.counts.lastTimestamp = at;
      }
    }
    await this.sink(Buffer.concat([Buffer.from(`${stream}${state.continued ? '+' : ''} `, 'latin1'), line, Buffer.from('\n')]));
  }
}

/**
 * Splits the logs endpoint's multiplexed body (no TTY) into frames: an 8-byte header (stream
 * type 1 = stdout, 2 = stderr; three zero bytes; big-endian payload length), then the payload
 * (Engine API, "Attach to a container", stream format). Each whole frame is handed on, since a
 * frame is one log message or one piece of it; a frame longer than `maxFrame` is refused.
 */
export class LogFrameSplitter {
  private readonly header = Buffer.alloc(8);
  private headerHave = 0;
  private frame: Buffer | undefined;
  private frameHave = 0;
  private frameStream: LogStream = 'stdout';

  constructor(private readonly maxFrame = 8 * 1024 * 1024) {}

  /** Calls `onFrame` for every frame completed by `chunk`, in order, awaiting each. */
  async push(chunk: Buffer, onFrame: (stream: LogStream, payload: Buffer) => Promise<void>): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.frame) {
        const take = Math.min(8 - this.headerHave, chunk.length - offset);
        chunk.copy(this.header, this.headerHave, offset, offset + take);
        this.headerHave += take;
        offset += take;
        if (this.headerHave < 8) return;
        this.headerHave = 0;
        const type = this.header.readUInt8(0);
        if ((type !== 1 && type !== 2) || this.header.readUInt8(1) !== 0 || this.header.readUInt16BE(2) !== 0) {
          throw new Error(`the logs stream is not multiplexed as the Engine API says (frame header ${this.header.toString('hex')})`);
        }
        const length = this.header.readUInt32BE(4);
        if (length > this.maxFrame)
          throw new Error(
            `a log frame of ${length} bytes exceeds the ${this.maxFrame}-byte limit (the engine's frames hold one message of at most 1 MiB)`,
          );
        this.frameStream = type === 2 ? 'stderr' : 'stdout';
        this.frame = Buffer.allocUnsafe(length);
        this.frameHave = 0;
      }
      const take = Math.min(this.frame.length - this.frameHave, chunk.length - offset);
      chunk.copy(this.frame, this.frameHave, offset, offset + take);
      this.frameHave += take;
      offset += take;
      if (this.frameHave === this.frame.length) {
        const payload = this.frame;
        this.frame = undefined;
        await onFrame(this.frameStream, payload);
      }
    }
  }

  /** Whether the body ended inside a frame (a dropped connection). */
  get midFrame(): boolean {
    return this.frame !== undefined || this.headerHave > 0;
  }
}
