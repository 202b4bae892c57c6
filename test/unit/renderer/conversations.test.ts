import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Flow } from '../../../shared/domain/capture';
import { conversations, portsText } from '../../../renderer/src/views/capture/conversations';

function flow(clientPort: number, extra: Partial<Flow> = {}): Flow {
  return {
    protocol: 'tcp',
    ipProtocol: 6,
    client: { ip: '172.18.0.3', port: clientPort },
    server: { ip: '172.18.0.2', port: 8080 },
    packetsToServer: 5,
    packetsToClient: 4,
    bytesToServer: 300,
    bytesToClient: 900,
    firstSeen: `2025-01-31T10:02:0${clientPort % 10}.000Z`,
    lastSeen: `2025-01-31T10:02:0${clientPort % 10}.500Z`,
    tlsServerNames: [],
    httpHosts: [],
    dnsQueries: [],
    ...extra,
  };
}

describe('flow summary conversations', () => {
  it('folds the connections of one client to one service into one row, whatever the client port', () => {
    const rows = conversations([flow(40001, { httpHosts: ['web'] }), flow(40003), flow(40002, { httpHosts: ['web', 'web:8080'] })]);
    assert.equal(rows.length, 1);
    const [c] = rows;
    assert.ok(c);
    assert.equal(c.connections, 3);
    assert.deepEqual(c.clientPorts, [40001, 40002, 40003]);
    assert.equal(c.packetsToServer, 15);
    assert.equal(c.bytesToClient, 2700);
    assert.equal(c.firstSeen, '2025-01-31T10:02:01.000Z');
    assert.equal(c.lastSeen, '2025-01-31T10:02:03.500Z');
    assert.deepEqual(c.httpHosts, ['web', 'web:8080']);
  });

  it('keeps apart another client, another server port and another protocol', () => {
    const rows = conversations([
      flow(40001),
      flow(40001, { client: { ip: '172.18.0.9', port: 40001 } }),
      flow(40001, { server: { ip: '172.18.0.2', port: 443 } }),
      flow(40001, { protocol: 'udp', ipProtocol: 17 }),
    ]);
    assert.equal(rows.length, 4);
  });

  it('describes the client ports briefly', () => {
    assert.equal(portsText([]), '—');
    assert.equal(portsText([1, 2]), '1, 2');
    assert.equal(portsText([40000, 40001, 40002, 40031]), '40000–40031 (4 ports)');
  });
});
