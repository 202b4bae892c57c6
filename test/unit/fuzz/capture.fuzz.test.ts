// Fuzzing the capture parsers: the pcap framer (tcpdump's stream, passed through) and reader, the
// packet decoder, and the DNS and TLS ClientHello parsers that name flows. Bytes on a suspect
// container's network are hostile. Properties: no exception but the documented pcap errors, bounded
// time, and round trips from the test pcap builder (test/unit/capture/pcap-builder.ts).
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDnsMessage } from '../../../main/core/capture/dns-message';
import { decodePacket } from '../../../main/core/capture/packet-decode';
import { PcapFramer } from '../../../main/core/capture/pcap-framer';
import { PcapReader } from '../../../main/core/capture/pcap-reader';
import { tlsServerName } from '../../../main/core/capture/tls-client-hello';
import { dnsMessage, ethernet, ipv4, ipv6, pcapHeader, pcapRecord, tcp, tlsClientHello, udp } from '../capture/pcap-builder';
import { corpus, hex, onlyDocumented, params, within } from './fuzz-kit';

/** The pcap parsers' documented failures: a plain Error naming pcap (bad magic, a record claiming too much). */
const pcapError = (err: Error) => err.constructor === Error && /pcap/.test(err.message);
const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];

function split(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes.length ? (sizes[i % sizes.length] as number) : data.length);
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

async function frame(data: Buffer, sizes: number[]): Promise<{ out: Buffer; packets: number }> {
  const framer = new PcapFramer();
  const parts: Buffer[] = [];
  framer.on('data', (c: Buffer) => parts.push(c));
  await new Promise<void>((resolve, reject) => {
    framer.on('end', resolve);
    framer.on('error', reject);
    Readable.from(split(data, sizes)).pipe(framer);
  });
  return { out: Buffer.concat(parts), packets: framer.packets };
}

function readPcap(data: Buffer, sizes: number[]): Buffer[] {
  const packets: Buffer[] = [];
  const reader = new PcapReader((p) => packets.push(Buffer.from(p.data)));
  for (const chunk of split(data, sizes)) reader.push(chunk);
  reader.end();
  return packets;
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 6 });
const octet = fc.integer({ min: 0, max: 255 });
const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const port = fc.integer({ min: 0, max: 65535 });
const payload = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
/** A well-formed frame, before mutation: Ethernet, IPv4/IPv6, TCP/UDP. */
const frameBytes = fc.oneof(
  fc.tuple(v4, v4, port, port, payload).map(([s, d, sp, dp, p]) => ethernet(ipv4(s, d, tcp(sp, dp, 0x18, p)))),
  fc.tuple(v4, v4, port, port, payload).map(([s, d, sp, dp, p]) => ethernet(ipv4(s, d, udp(sp, dp, p)))),
  fc.tuple(port, port, payload).map(([sp, dp, p]) => ethernet(ipv6('fd00::1', '2001:db8::2', tcp(sp, dp, 0x02, p)))),
);
const mutated = (base: fc.Arbitrary<Buffer>) =>
  fc.tuple(base, fc.array(fc.tuple(fc.nat(), octet), { maxLength: 6 }), fc.nat()).map(([b, flips, cut]) => {
    const data = Buffer.from(b.subarray(0, b.length ? (cut % b.length) + 1 : 0));
    for (const [at, value] of flips) if (data.length) data[at % data.length] = value;
    return data;
  });

describe('fuzz: capture parsers', () => {
  it('replays the corpus (pcap streams)', async () => {
    for (const { name, bytes } of corpus('pcap')) {
      for (const sizes of [[], [1, 5, 17]]) {
        await frame(bytes, sizes).catch((err: unknown) => onlyDocumented(err, pcapError, `corpus ${name}`));
        try {
          readPcap(bytes, sizes);
        } catch (err) {
          onlyDocumented(err, pcapError, `corpus ${name}`);
        }
      }
    }
  });

  it('packet decoder: any bytes on any link type decode or yield null, never throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...LINK_TYPES), fc.nat({ max: 300 })),
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          mutated(frameBytes),
        ),
        (linkType, data) => {
          const decoded = within('decodePacket', () => decodePacket(linkType, data));
          if (decoded) assert.ok(decoded.payload.length <= data.length);
        },
      ),
      params(500),
    );
  });

  it('packet decoder round trip: the builder’s addresses and ports come back', () => {
    fc.assert(
      fc.property(v4, v4, port, port, payload, (src, dst, sp, dp, p) => {
        const decoded = decodePacket(1, ethernet(ipv4(src, dst, tcp(sp, dp, 0x18, p))));
        assert.deepEqual(
          decoded && { src: decoded.src, dst: decoded.dst, sp: decoded.srcPort, dp: decoded.dstPort, p: decoded.payload.toString('hex') },
          { src, dst, sp, dp, p: p.toString('hex') },
        );
      }),
      params(200),
    );
  });

  it('DNS: any payload parses or yields null; bounded questions and answers; names round-trip', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    const dns = fc
      .tuple(fc.nat({ max: 65535 }), fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom(1, 28, 5, 16), fc.boolean())
      .map(([id, labels, type, resp]) => ({ id, name: labels.join('.'), bytes: dnsMessage(id, labels.join('.'), type, resp) }));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
          mutated(dns.map((d) => d.bytes)),
        ),
        (data) => {
          const message = within('parseDnsMessage', () => parseDnsMessage(data));
          if (message) assert.ok(message.questions.length <= 8 && message.answers.length <= 64);
        },
      ),
      params(500),
    );
    fc.assert(
      fc.property(dns, (d) => {
        const message = parseDnsMessage(d.bytes);
        assert.equal(message?.id, d.id);
        assert.equal(message?.questions[0]?.name, d.name);
      }),
      params(200),
    );
  });

  it('TLS ClientHello: any payload gives a name or null; a built ClientHello gives its name back', () => {
    const host = fc.stringMatching(/^[a-z0-9.-]{1,60}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
          mutated(host.map(tlsClientHello)),
        ),
        (data) => {
          const name = within('tlsServerName', () => tlsServerName(data));
          assert.ok(name === null || typeof name === 'string');
        },
      ),
      params(500),
    );
    fc.assert(
      fc.property(host, (name) => assert.equal(tlsServerName(tlsClientHello(name)), name)),
      params(200),
    );
  });

  it('pcap streams: random and mutated bytes end in packets or a documented error (framer and reader)', async () => {
    const stream = fc
      .tuple(fc.constantFrom(1, 113, 276), fc.array(frameBytes, { maxLength: 4 }), fc.boolean())
      .map(([link, frames, big]) =>
        Buffer.concat([pcapHeader(link, { bigEndian: big }), ...frames.map((f, i) => pcapRecord(f, 1_700_000_000 + i, 0, f.length, big))]),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 800 }).map((b) => Buffer.from(b)),
          mutated(stream),
        ),
        chunkSizes,
        async (data, sizes) => {
          await frame(data, sizes).catch((err: unknown) => onlyDocumented(err, pcapError, hex(data)));
          try {
            within('PcapReader', () => readPcap(data, sizes));
          } catch (err) {
            onlyDocumented(err, pcapError, hex(data));
          }
        },
      ),
      params(300),
    );
  });

  it('pcap round trip: built records frame byte for byte and read back as the same packets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameBytes, { maxLength: 5 }), fc.boolean(), chunkSizes, async (frames, big, sizes) => {
        const file = Buffer.concat([
          pcapHeader(1, { bigEndian: big }),
          ...frames.map((f, i) => pcapRecord(f, 1_700_000_000 + i, i, f.length, big)),
        ]);
        const framed = await frame(file, sizes);
        assert.equal(framed.packets, frames.length);
        assert.ok(framed.out.equals(file), 'the framer passes every byte through unchanged');
        assert.deepEqual(
          readPcap(file, sizes).map((p) => p.toString('hex')),
          frames.map((f) => f.toString('hex')),
        );
      }),
      params(200),
    );
  });

  it('a record claiming 4 GiB is refused at its header, before any buffering', async () => {
    const claim = Buffer.concat([pcapHeader(1), Buffer.from('0000000000000000ffffffffffffffff', 'hex'), Buffer.alloc(64)]);
    await assert.rejects(frame(claim, [7]), (err: unknown) => err instanceof Error && /claims 4294967295 bytes/.test(err.message));
    assert.throws(() => readPcap(claim, [7]), /claims 4294967295 bytes/);
  });
});
