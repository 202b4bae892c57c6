import { Writable } from 'node:stream';

/**
 * Splits the Engine's multiplexed attach stream (8-byte frame header: stream type, 3 zero bytes,
 * big-endian payload length) into stdout and stderr, linearly and with backpressure.
 *
 * Why not docker-modem's demuxStream: it re-copies the whole unread buffer for every frame
 * (quadratic in frames per chunk; tcpdump -U writes one frame per packet, so at 50k packets/s
 * that is gigabytes of memcpy a second) and ignores the return value of stdout.write, so a slow
 * disk would let the pcap pile up in memory. Here, stdout payloads are zero-copy slices written to
 * `stdout`; when it reports backpressure this writable withholds its callback, which pauses the
 * socket that is piped into it.
 */
export class AttachDemuxer extends Writable {
  private readonly header = Buffer.alloc(8);
  private headerHave = 0;
  private frameType = 0;
  private frameRemaining = 0;
  private stdoutBytes = 0;
  private stderrBytes = 0;

  constructor(
    private readonly stdout: NodeJS.WritableStream & { writableNeedDrain?: boolean },
    private readonly onStderr: (chunk: Buffer) => void,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  get bytes(): { stdout: number; stderr: number } {
    return { stdout: this.stdoutBytes, stderr: this.stderrBytes };
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let offset = 0;
    let mustWait = false;
    try {
      while (offset < chunk.length) {
        if (this.frameRemaining === 0) {
          const take = Math.min(8 - this.headerHave, chunk.length - offset);
          chunk.copy(this.header, this.headerHave, offset, offset + take);
          this.headerHave += take;
          offset += take;
          if (this.headerHave < 8) break;
          this.headerHave = 0;
          this.frameType = this.header.readUInt8(0);
          if (this.frameType > 2 || this.header.readUInt8(1) !== 0 || this.header.readUInt16BE(2) !== 0) {
            throw new Error(`attach stream is not multiplexed as expected (frame header ${this.header.toString('hex')})`);
          }
          this.frameRemaining = this.header.readUInt32BE(4);
          continue;
        }
        const take = Math.min(this.frameRemaining, chunk.length - offset);
        const payload = chunk.subarray(offset, offset + take);
        offset += take;
        this.frameRemaining -= take;
        if (this.frameType === 2) {
          this.stderrBytes += take;
          this.onStderr(payload);
        } else if (this.frameType === 1) {
          this.stdoutBytes += take;
          if (!this.stdout.write(payload)) mustWait = true;
        }
        // Type 0 (stdin echo) never carries anything we asked for; it is dropped.
      }
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (mustWait) this.stdout.once('drain', () => callback());
    else callback();
  }

  /** A frame cut off by the end of the stream (a dropped connection mid-frame). */
  get midFrame(): boolean {
    return this.frameRemaining > 0 || this.headerHave > 0;
  }
}
