import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parseDnsMessage } from '../../../main/core/capture/dns-message';
import { summarizePcap, FlowSummarizer } from '../../../main/core/capture/flow-summary';
import { httpRequestHost } from '../../../main/core/capture/http-request-host';
import { tlsServerName } from '../../../main/core/capture/tls-client-hello';
import { wireText } from '../../../main/core/capture/wire-text';
import { dnsMessage, ethernet, ipv4, ipv6, pcapHeader, pcapRecord, sll2, tcp, tlsClientHello, udp } from './pcap-builder';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;

function conversationPcap(): Buffer {
  const client = '172.18.0.3';
  const server = '172.18.0.2';
  const get = Buffer.from('GET /index.html HTTP/1.1\r\nHost: web.internal:8080\r\nUser-Agent: Wget\r\n\r\n');
  const packets = [
    ipv4(client, server, tcp(40000, 8080, SYN)),
    ipv4(server, client, tcp(8080, 40000, SYN | ACK)),
    ipv4(client, server, tcp(40000, 8080, ACK)),
    ipv4(client, server, tcp(40000, 8080, ACK | PSH, get)),
    ipv4(server, client, tcp(8080, 40000, ACK | PSH, Buffer.from('HTTP/1.1 200 OK\r\n\r\nhello'))),
    ipv4(client, '10.0.0.53', udp(5555, 53, dnsMessage(0x1234, 'example.com', 1, false))),
    ipv4('10.0.0.53', client, udp(53, 5555, dnsMessage(0x1234, 'example.com', 1, true, ['93.184.216.34']))),
    ipv4(client, '93.184.216.34', tcp(40001, 443, ACK | PSH, tlsClientHello('example.com'))),
    ipv6('fd00::3', 'fd00::2', udp(9999, 7777, Buffer.from('v6'))),
  ];
  return Buffer.concat([pcapHeader(1), ...packets.map((p, i) => pcapRecord(ethernet(p), 1700000000, i * 1000))]);
}

const chunks = (buffers: Buffer[]): Readable => Readable.from(buffers);

test('flow summary: conversations with direction, DNS, TLS SNI and HTTP Host', async () => {
  const pcap = conversationPcap();
  const summary = await summarizePcap(chunks([pcap.subarray(0, 100), pcap.subarray(100)]), 'f'.repeat(64));
  assert.equal(summary.linkTypeName, 'EN10MB');
  assert.equal(summary.packets, 9);
  assert.equal(summary.undecodedPackets, 0);
  assert.equal(summary.truncated, false);
  assert.equal(summary.firstSeen, '2023-11-14T22:13:20.000000Z');
  const http = summary.flows.find((f) => f.server.port === 8080);
  assert.ok(http);
  assert.deepEqual(http.client, { ip: '172.18.0.3', port: 40000 });
  assert.deepEqual(http.server, { ip: '172.18.0.2', port: 8080 });
  assert.equal(http.packetsToServer, 3);
  assert.equal(http.packetsToClient, 2);
  assert.deepEqual(http.httpHosts, ['web.internal:8080']);
  const dns = summary.dns.find((d) => d.name === 'example.com');
  assert.deepEqual(dns, { name: 'example.com', type: 'A', answers: ['93.184.216.34'], responseCode: 'NOERROR', queries: 1, responses: 1 });
  assert.deepEqual(summary.tlsServerNames, [{ name: 'example.com', flows: 1 }]);
  assert.deepEqual(summary.httpHosts, [{ name: 'web.internal:8080', flows: 1 }]);
  const v6 = summary.flows.find((f) => f.client.ip === 'fd00::3');
  assert.ok(v6);
  assert.equal(v6.protocol, 'udp');
  assert.equal(v6.server.ip, 'fd00::2');
});

test(
  'flow summary agrees with tcpdump on which packets exist (when tcpdump is installed)',
  { skip: spawnSync('tcpdump', ['--version']).status !== 0 && 'tcpdump not installed' },
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dde-unit-'));
    try {
      const file = path.join(dir, 'x.pcap');
      writeFileSync(file, conversationPcap());
      const read = spawnSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8' });
      assert.equal(read.status, 0, read.stderr);
      const lines = read.stdout.trim().split('\n');
      assert.equal(lines.length, 9);
      assert.match(lines[3] ?? '', /172\.18\.0\.3\.40000 > 172\.18\.0\.2\.8080: Flags \[P\.\]/);
      assert.match(lines[6] ?? '', /A 93\.184\.216\.34/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('flow summary reads Linux cooked v2 (tcpdump -i any), big-endian and nanosecond files', async () => {
  const packet = ipv4('127.0.0.1', '127.0.0.1', tcp(33000, 8080, SYN));
  const sll = await summarizePcap(chunks([Buffer.concat([pcapHeader(276), pcapRecord(sll2(packet), 1, 5)])]), 'a'.repeat(64));
  assert.equal(sll.linkTypeName, 'LINUX_SLL2');
  assert.equal(sll.flows.length, 1);
  assert.equal(sll.flows[0]?.server.port, 8080);
  const be = await summarizePcap(
    chunks([Buffer.concat([pcapHeader(1, { bigEndian: true, nano: true }), pcapRecord(ethernet(packet), 1, 123456789, undefined, true)])]),
    'b'.repeat(64),
  );
  assert.equal(be.packets, 1);
  assert.equal(be.firstSeen, '1970-01-01T00:00:01.123456789Z');
});

test('flow summary on a truncated file and on undecodable packets', async () => {
  const pcap = conversationPcap();
  const cut = await summarizePcap(chunks([pcap.subarray(0, pcap.length - 3)]), 'c'.repeat(64));
  assert.equal(cut.truncated, true);
  assert.equal(cut.packets, 8);
  const junk = await summarizePcap(
    chunks([Buffer.concat([pcapHeader(1), pcapRecord(Buffer.alloc(10, 1), 1), pcapRecord(ethernet(Buffer.from([0x45, 0, 0])), 2)])]),
    'd'.repeat(64),
  );
  assert.equal(junk.undecodedPackets, 2);
  assert.equal(junk.flows.length, 0);
});

test('flow cap: a flood of flows is counted, not listed', () => {
  const summarizer = new FlowSummarizer({ maxFlows: 10, maxNames: 10, maxPerFlowNames: 2 });
  summarizer.push(pcapHeader(1));
  for (let i = 0; i < 50; i++) summarizer.push(pcapRecord(ethernet(ipv4('10.0.0.1', '10.0.0.2', tcp(10000 + i, 80, SYN))), 1));
  const summary = summarizer.finish('e'.repeat(64));
  assert.equal(summary.flows.length, 10);
  assert.equal(summary.flowsNotListed, 40);
  assert.equal(summary.packetsNotInListedFlows, 40);
});

test('hostile names from the wire are escaped, loops and overruns rejected', () => {
  assert.equal(wireText(Buffer.from('a\x1b[31mb\\c\n<script>')), 'a\\x1b[31mb\\\\c\\x0a<script>');
  const evil = dnsMessage(1, [Buffer.from('ev\x00il'), Buffer.from('a.b'), Buffer.from('com')], 1, false);
  assert.equal(parseDnsMessage(evil)?.questions[0]?.name, 'ev\\x00il.a\\x2eb.com');
  // A compression pointer to itself (a loop) must not hang or parse.
  const loop = Buffer.concat([dnsMessage(1, 'x', 1, false).subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
  assert.equal(parseDnsMessage(loop), null);
  // Counts larger than the message: answers stop where the bytes stop.
  const short = dnsMessage(2, 'example.com', 1, true, ['1.2.3.4']);
  short.writeUInt16BE(60, 6);
  assert.equal(parseDnsMessage(short)?.answers.length, 1);
  // A ClientHello cut by snaplen yields no name rather than a wrong one.
  const hello = tlsClientHello('very.long.server.name.example');
  assert.equal(tlsServerName(hello), 'very.long.server.name.example');
  assert.equal(tlsServerName(hello.subarray(0, hello.length - 5)), null);
  assert.equal(httpRequestHost(Buffer.from('GET / HTTP/1.1\r\nHost: \x1b]0;pwn\x07\r\n\r\n')), '\\x1b]0;pwn\\x07');
  assert.equal(httpRequestHost(Buffer.from('HTTP/1.1 200 OK\r\nHost: no\r\n\r\n')), null);
});
