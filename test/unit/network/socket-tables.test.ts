import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressScope, canonicalIp, decodeIpv4Hex, decodeIpv6Hex } from '../../../main/core/network/ip-address';
import { parseNamespaceTables, parseSocketLine, parseSocketTable, TABLE_MARKER } from '../../../main/core/network/socket-tables';
import { namespaceReaderCommand } from '../../../main/core/network/namespace-reader';
import { byteOrderOf } from '../../../main/core/network/host-collector';

// Lines as a Linux 6.x x86_64 kernel prints them (taken from a container on this machine's engine).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0B00007F:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 118147 1 00000000dd497a73 100 0 0 10 0
   1: 0250A8C0:9AB8 0450A8C0:1B58 01 00000010:00000002 02:000000F0 00000000  1000        0 120220 1 00000000e3aa40eb 20 0 0 10 -1
`;

const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1B58 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 119227 1 00000000ef8a9ddd 100 0 0 10 0
   1: DD0000FD000099430000000002000000:1B58 DD0000FD000099430000000003000000:C690 01 00000000:00000000 00:00000000 00000000     0        0 119228 1 0000000005f7b1e1 20 0 0 10 -1
   2: 0000000000000000FFFF00000250A8C0:1B58 0000000000000000FFFF00000450A8C0:9AB8 01 00000000:00000000 00:00000000 00000000     0        0 120220 1 00000000e3aa40eb 20 0 0 10 -1
   3: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D431 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
`;

const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
15393: 0B00007F:B7E4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 118146 2 000000004dc28677 0
15394: 0300000A:D2F0 08080808:0035 01 00000000:00000000 00:00000000 00000000     0        0 118150 2 000000004dc28678 0
`;

describe('/proc/net socket tables', () => {
  it('decodes IPv4 entries: a loopback listener and an established connection with queues and uid', () => {
    const table = parseSocketTable(TCP, 'tcp', 'little');
    assert.equal(table.skipped, 0);
    assert.equal(table.entries.length, 2);
    const [listener, conn] = table.entries;
    assert.deepEqual(listener?.local, { ip: '127.0.0.11', port: 0xa139 });
    assert.equal(listener?.state, 'listen');
    assert.equal(listener?.listening, true);
    assert.deepEqual(conn?.local, { ip: '192.168.80.2', port: 39608 });
    assert.deepEqual(conn?.remote, { ip: '192.168.80.4', port: 7000 });
    assert.equal(conn?.state, 'established');
    assert.equal(conn?.listening, false);
    assert.equal(conn?.uid, 1000);
    assert.equal(conn?.inode, 120220);
    assert.equal(conn?.txQueue, 16);
    assert.equal(conn?.rxQueue, 2);
    assert.equal(conn?.family, 4);
    assert.equal(conn?.v4Mapped, false);
  });

  it('decodes IPv6: the [::] listener, a native connection, v4-mapped peers given as IPv4, and time-wait', () => {
    const table = parseSocketTable(TCP6, 'tcp6', 'little');
    assert.equal(table.skipped, 0);
    const [any, native, mapped, timeWait] = table.entries;
    assert.deepEqual(any?.local, { ip: '::', port: 7000 });
    assert.equal(any?.listening, true);
    assert.deepEqual(native?.local, { ip: 'fd00:dd:4399::2', port: 7000 });
    assert.deepEqual(native?.remote, { ip: 'fd00:dd:4399::3', port: 50832 });
    assert.equal(native?.v4Mapped, false);
    assert.equal(native?.family, 6);
    assert.deepEqual(mapped?.local, { ip: '192.168.80.2', port: 7000 });
    assert.deepEqual(mapped?.remote, { ip: '192.168.80.4', port: 39608 });
    assert.equal(mapped?.v4Mapped, true);
    assert.equal(mapped?.family, 6, 'still from the tcp6 table');
    assert.deepEqual(timeWait?.local, { ip: '::1', port: 8080 });
    assert.equal(timeWait?.state, 'time-wait');
  });

  it('treats a bound UDP socket without a peer as listening and a connected one as established', () => {
    const table = parseSocketTable(UDP, 'udp', 'little');
    assert.equal(table.entries.length, 2);
    assert.equal(table.entries[0]?.protocol, 'udp');
    assert.equal(table.entries[0]?.listening, true);
    assert.equal(table.entries[0]?.state, 'close');
    assert.deepEqual(table.entries[1]?.remote, { ip: '8.8.8.8', port: 53 });
    assert.equal(table.entries[1]?.state, 'established');
    assert.equal(table.entries[1]?.listening, false);
  });

  it('decodes with the byte order of a big-endian host (s390x)', () => {
    assert.equal(byteOrderOf('s390x'), 'big');
    assert.equal(byteOrderOf('x86_64'), 'little');
    assert.equal(byteOrderOf('aarch64'), 'little');
    assert.equal(byteOrderOf('ppc64le'), 'little');
    const entry = parseSocketLine(
      '   0: 7F00000B:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
      'tcp',
      'big',
    );
    assert.deepEqual(entry?.local, { ip: '127.0.0.11', port: 0xa139 });
    assert.equal(decodeIpv6Hex('FD0000DD439900000000000000000002', 'big')?.ip, 'fd00:dd:4399::2');
  });

  it('skips garbage, truncated and hostile lines without throwing, and keeps the good ones', () => {
    const garbage = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0B00007F:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 118147 1 0 100 0 0 10 0',
      'not a socket line at all',
      '   1: 0B00007F:A139',
      '   2: ZZZZZZZZ:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   3: 0B00007F:A13 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   4: 0B00007F:A139:FF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   5: 0B00007F:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000    -1        0 1 1',
      '   6: 0B00007F:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1e3 1',
      `   7: 0B00007F:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 ${'x'.repeat(4000)}`,
      '\u0000\u001b[31m\u202e',
      '   8: 00000000000000000000000000000000:1B58 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   9: 0100007F:0050 0100007F:C350 FF 00000000:00000000 00:00000000 00000000     0        0 9 1',
    ].join('\n');
    const table = parseSocketTable(garbage, 'tcp', 'little');
    assert.equal(table.entries.length, 2, 'the first good line and the one with an unknown state');
    assert.equal(table.entries[1]?.state, 'unknown');
    assert.equal(table.skipped, 10);
    // An IPv6-length address in the IPv4 table is not guessed at.
    assert.equal(
      parseSocketLine(
        '   0: 00000000000000000000000000000000:1B58 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1',
        'tcp',
        'little',
      ),
      null,
    );
  });

  it('is bounded: entries beyond the cap are counted, not kept', () => {
    const line = (i: number) =>
      `${i}: 0100007F:${(1000 + i).toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 ${i} 1`;
    const text = Array.from({ length: 500 }, (_, i) => line(i)).join('\n');
    const table = parseSocketTable(text, 'tcp', 'little', { maxEntries: 100 });
    assert.equal(table.entries.length, 100);
    assert.equal(table.dropped, 400);
  });

  it('splits the helper output by marker, notes missing tables, and ignores text outside the markers', () => {
    const out = [
      'stray preamble',
      `${TABLE_MARKER}tcp`,
      TCP.trimEnd(),
      `${TABLE_MARKER}tcp6 missing`,
      `${TABLE_MARKER}bogus`,
      '   0: 0B00007F:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      `${TABLE_MARKER}udp`,
      UDP.trimEnd(),
      `${TABLE_MARKER}tcp`,
      '   0: 0B00007F:A139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
    ].join('\n');
    const parsed = parseNamespaceTables(out, 'little');
    assert.deepEqual(parsed.missing, ['tcp6']);
    assert.equal(parsed.entries.filter((e) => e.protocol === 'tcp').length, 2, 'a repeated table is not read twice');
    assert.equal(parsed.entries.filter((e) => e.protocol === 'udp').length, 2);
    assert.equal(parsed.skipped, 1 + 2 + 2, 'preamble, the unknown table with its line, the repeated table with its line');
  });

  it('runs one fixed program in the helper: no value from the suspect reaches the command line', () => {
    const cmd = namespaceReaderCommand();
    assert.equal(cmd[0], 'sh');
    assert.match(cmd[2] ?? '', /for t in tcp tcp6 udp udp6; do/);
    assert.match(cmd[2] ?? '', /cat \/proc\/net\/\$t/);
  });
});

describe('IP addresses', () => {
  it('formats IPv6 per RFC 5952 and maps ::ffff:a.b.c.d to IPv4', () => {
    assert.equal(decodeIpv6Hex('00000000000000000000000001000000', 'little')?.ip, '::1');
    assert.equal(decodeIpv6Hex('0000000000000000FFFF00000100007F', 'little')?.ip, '127.0.0.1');
    assert.equal(decodeIpv6Hex('0000000000000000FFFF00000100007F', 'little')?.v4Mapped, true);
    assert.equal(decodeIpv4Hex('0100007F', 'little'), '127.0.0.1');
    assert.equal(decodeIpv4Hex('0100007', 'little'), null);
    assert.equal(canonicalIp('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp('2001:db8:0:0:0:0:2:1'), '2001:db8::2:1');
    assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1', 'a single zero group is not compressed');
    assert.equal(canonicalIp('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalIp('[fe80::1%eth0]'), 'fe80::1');
    assert.equal(canonicalIp('10.0.0.0/24'), '10.0.0.0');
    assert.equal(canonicalIp('fd00:dd:4399::2/64'), 'fd00:dd:4399::2');
    assert.equal(canonicalIp('1:2:3:4:5:6:7:8:9'), null);
    assert.equal(canonicalIp('1::2::3'), null);
    assert.equal(canonicalIp('256.1.1.1'), null);
    assert.equal(canonicalIp('<script>'), null);
  });

  it('classifies scopes', () => {
    assert.equal(addressScope('127.0.0.11'), 'loopback');
    assert.equal(addressScope('::1'), 'loopback');
    assert.equal(addressScope('0.0.0.0'), 'unspecified');
    assert.equal(addressScope('::'), 'unspecified');
    assert.equal(addressScope('172.18.0.2'), 'private');
    assert.equal(addressScope('fd00:dd::2'), 'private');
    assert.equal(addressScope('fe80::1'), 'link-local');
    assert.equal(addressScope('224.0.0.251'), 'multicast');
    assert.equal(addressScope('203.0.113.9'), 'public');
    assert.equal(addressScope('2001:db8::1'), 'public');
  });
});
