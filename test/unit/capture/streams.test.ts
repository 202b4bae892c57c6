import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { AttachDemuxer } from '../../../main/core/helper/attach-demux';
import { PcapFramer } from '../../../main/core/capture/pcap-framer';
import { TcpdumpStderr } from '../../../main/core/capture/tcpdump-stderr';
import { ethernet, ipv4, pcapHeader, pcapRecord, udp } from './pcap-builder';

function frame(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function chunked(buffer: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < buffer.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    out.push(buffer.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

function collect(): { sink: Writable; data: () => Buffer } {
  const parts: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _e, cb) {
        parts.push(Buffer.from(chunk));
        cb();
      },
    }),
    data: () => Buffer.concat(parts),
  };
}

function samplePcap(packets: number): Buffer {
  const records = [];
  for (let i = 0; i < packets; i++) {
    records.push(pcapRecord(ethernet(ipv4('10.0.0.1', '10.0.0.2', udp(4000 + i, 53, Buffer.alloc(i % 300, i)))), 1700000000 + i, i));
  }
  return Buffer.concat([pcapHeader(1), ...records]);
}

test('demuxer separates stdout and stderr whatever the chunking, byte for byte', async () => {
  const stdoutPayload = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const frames = Buffer.concat([
    frame(1, stdoutPayload.subarray(0, 1000)),
    frame(2, Buffer.from('tcpdump: listening on eth0\n')),
    frame(1, stdoutPayload.subarray(1000, 1001)),
    frame(1, Buffer.alloc(0)),
    frame(1, stdoutPayload.subarray(1001)),
    frame(2, Buffer.from('1 packet captured\n')),
  ]);
  for (const sizes of [[1], [3, 7], [8], [9, 1, 4096], [frames.length]]) {
    const out = collect();
    const errs: Buffer[] = [];
    const demux = new AttachDemuxer(out.sink, (c) => errs.push(Buffer.from(c)));
    await pipeline(Readable.from(chunked(frames, sizes)), demux);
    out.sink.end();
    assert.deepEqual(out.data(), stdoutPayload, `chunk sizes ${sizes.join(',')}`);
    assert.equal(Buffer.concat(errs).toString(), 'tcpdump: listening on eth0\n1 packet captured\n');
    assert.equal(demux.midFrame, false);
    assert.deepEqual(demux.bytes, { stdout: 5000, stderr: 45 });
  }
});

test('demuxer rejects a stream that is not multiplexed, and reports a cut frame', async () => {
  const demux = new AttachDemuxer(new PassThrough(), () => undefined);
  await assert.rejects(pipeline(Readable.from([Buffer.from('\xd4\xc3\xb2\xa1 raw pcap bytes', 'latin1')]), demux), /not multiplexed/);
  const cut = new AttachDemuxer(collect().sink, () => undefined);
  await pipeline(Readable.from([frame(1, Buffer.alloc(100)).subarray(0, 50)]), cut);
  assert.equal(cut.midFrame, true);
});

test('demuxer holds the source while stdout is backed up', async () => {
  let release: () => void = () => undefined;
  let written = 0;
  const slow = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _e, cb) {
      written += chunk.length;
      release = cb;
    },
  });
  const demux = new AttachDemuxer(slow, () => undefined);
  const accepted = demux.write(frame(1, Buffer.alloc(64)));
  assert.equal(accepted, true, 'the demuxer itself buffers one chunk');
  await new Promise((r) => setImmediate(r));
  // The slow sink has not drained: the demuxer must not have called back for the chunk yet.
  assert.equal(demux.writableLength, 72);
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(demux.writableLength, 0);
  assert.equal(written, 64);
});

test('framer passes the pcap through unchanged and counts packets across any chunking', async () => {
  const pcap = samplePcap(200);
  for (const sizes of [[1], [5, 17, 3], [16], [24, 16], [4096], [pcap.length]]) {
    const out = collect();
    const framer = new PcapFramer();
    await pipeline(Readable.from(chunked(pcap, sizes)), framer, out.sink);
    assert.ok(out.data().equals(pcap), `chunk sizes ${sizes.join(',')}`);
    assert.equal(framer.packets, 200);
    assert.equal(framer.bytes, pcap.length);
    assert.equal(framer.trailingPartialBytes, 0);
    assert.equal(framer.fileHeaderInfo?.linkType, 1);
  }
});

test('framer stops at a byte cap on a packet boundary and keeps a valid pcap', async () => {
  const pcap = samplePcap(100);
  const cap = Math.floor(pcap.length / 2);
  let capped = 0;
  const out = collect();
  const framer = new PcapFramer({ maxBytes: cap, onCap: () => capped++ });
  await pipeline(Readable.from(chunked(pcap, [777])), framer, out.sink);
  const stored = out.data();
  assert.equal(capped, 1);
  assert.ok(stored.length <= cap && stored.length > cap - 400);
  assert.ok(pcap.subarray(0, stored.length).equals(stored), 'a prefix of the original');
  // The prefix ends exactly at a record boundary: walk it.
  let offset = 24;
  let packets = 0;
  while (offset < stored.length) {
    offset += 16 + stored.readUInt32LE(offset + 8);
    packets++;
  }
  assert.equal(offset, stored.length);
  assert.equal(packets, framer.packets);
});

test('framer keeps a trailing partial record when the stream is cut (interrupted capture)', async () => {
  const pcap = samplePcap(10);
  const cut = pcap.subarray(0, pcap.length - 5);
  const out = collect();
  const framer = new PcapFramer();
  await pipeline(Readable.from(chunked(cut, [100])), framer, out.sink);
  assert.ok(out.data().equals(cut));
  assert.equal(framer.packets, 9);
  assert.ok(framer.trailingPartialBytes > 0);
});

test('framer refuses a stream that is not pcap', async () => {
  await assert.rejects(
    pipeline(Readable.from([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]), new PcapFramer(), collect().sink),
    /not a pcap stream/,
  );
  const bogus = Buffer.concat([pcapHeader(1), Buffer.alloc(16, 0xff)]);
  await assert.rejects(pipeline(Readable.from([bogus]), new PcapFramer(), collect().sink), /claims/);
});

test('tcpdump stderr: listening line, closing counters and error text', () => {
  const stderr = new TcpdumpStderr();
  let listening = 0;
  stderr.onListening(() => listening++);
  const text =
    'tcpdump: data link type LINUX_SLL2\ntcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n' +
    '1152 packets captured\r\n2425 packets received by filter\n0 packets dropped by kernel\n3 packets dropped by interface\n';
  for (const piece of chunked(Buffer.from(text), [7])) stderr.push(piece);
  stderr.end();
  assert.equal(listening, 1);
  assert.equal(stderr.linkType, 'LINUX_SLL2');
  assert.deepEqual(stderr.counters, { captured: 1152, receivedByFilter: 2425, droppedByKernel: 0, droppedByInterface: 3 });
  assert.equal(stderr.messages, '');

  const failed = new TcpdumpStderr();
  failed.push(Buffer.from('tcpdump: eth9: No such device exists\n(SIOCGIFHWADDR: No such device)\n'));
  failed.end();
  assert.equal(failed.listening, false);
  assert.equal(failed.hasFinalCounters, false);
  assert.match(failed.messages, /eth9: No such device exists/);
  assert.equal(failed.lastMessage, '(SIOCGIFHWADDR: No such device)');
});

test("tcpdump stderr: running counters (tcpdump's answer to SIGUSR1) go to their listeners, not to the messages", () => {
  const stderr = new TcpdumpStderr();
  const seen: unknown[] = [];
  stderr.onRunningCounters((c) => seen.push(c));
  stderr.push(Buffer.from('tcpdump: 1 packet captured, 9797 packets received by filter, 2 packets dropped by kernel\n'));
  stderr.push(Buffer.from('tcpdump: 5 packets captured, 9800 packets received by filter, 2 packets dropped by kernel\n'));
  stderr.end();
  assert.deepEqual(seen, [{ captured: 1, receivedByFilter: 9797, droppedByKernel: 2 }], 'a listener hears one answer');
  assert.equal(stderr.messages, '');
  assert.equal(stderr.hasFinalCounters, false, 'running counters are not the closing ones');
});

test('tcpdump stderr keeps a bounded tail of endless output', () => {
  const stderr = new TcpdumpStderr();
  for (let i = 0; i < 200; i++) stderr.push(Buffer.alloc(1024, 0x41));
  assert.ok(stderr.messages.length <= 16 * 1024);
});
