// The timeline's export formats on hostile text and across time zones: l2tcsv fields quoted per
// RFC 4180 (read back by a CSV parser written here to the RFC, not by our writer's own logic),
// '-' for empty fields, 17 columns always; zone offsets across DST changes against Intl itself;
// Timesketch's required fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimelineRow } from '../../../shared/domain/timeline';
import { L2TCSV_HEADER, l2tcsvLine, timesketchLine, zonedIso } from '../../../shared/timeline-formats';

function row(partial: Partial<TimelineRow>): TimelineRow {
  return {
    key: 'k',
    time: '2026-11-30T13:00:00.123456789Z',
    timeNano: (BigInt(Date.parse('2026-11-30T13:00:00Z')) * 1_000_000n + 123_456_789n).toString(),
    source: 'drift',
    timestampDesc: 'Content Modification Time',
    macb: 'M...',
    severity: 'high',
    message: 'm',
    ...partial,
  };
}

/** RFC 4180 records of one line (no embedded newline handling needed beyond quotes). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

describe('timeline export formats', () => {
  it('writes 17 l2tcsv columns, quotes commas and quotes, and makes control characters visible', () => {
    const hostile = '/tmp/a,"b"\nc\u001b[31m';
    const line = l2tcsvLine(row({ path: hostile, message: `added ${hostile}`, host: 'h', user: '' }));
    const [header, record] = parseCsv(`${L2TCSV_HEADER}\n${line}\n`);
    assert.equal(header?.length, 17);
    assert.equal(record?.length, 17);
    assert.equal(record?.[0], '11/30/2026');
    assert.equal(record?.[1], '13:00:00');
    assert.equal(record?.[2], 'UTC');
    assert.equal(record?.[3], 'M...');
    assert.equal(record?.[4], 'FILE');
    assert.equal(record?.[7], '-', 'an empty user is "-"');
    assert.equal(record?.[12], '/tmp/a,"b"\\x0ac\\x1b[31m', 'quotes and commas survive; newline and ESC are visible escapes');
    assert.ok(![...line].some((c) => c.charCodeAt(0) < 0x20 && c !== '\t'), 'no raw control character reaches a terminal');
    assert.match(record?.[16] ?? '', /nanoseconds: 123456789/);
  });

  it('converts to a named zone with its offset, across daylight-saving changes, as Intl does', () => {
    for (const [utc, zone, expected] of [
      ['2026-03-29T00:59:59Z', 'Europe/Berlin', '2026-03-29T01:59:59.000000000+01:00'],
      ['2026-03-29T01:00:00Z', 'Europe/Berlin', '2026-03-29T03:00:00.000000000+02:00'],
      ['2026-10-25T00:30:00Z', 'Europe/Berlin', '2026-10-25T02:30:00.000000000+02:00'],
      ['2026-10-25T01:30:00Z', 'Europe/Berlin', '2026-10-25T02:30:00.000000000+01:00'],
      ['2026-11-30T13:00:00Z', 'Asia/Kathmandu', '2026-11-30T18:45:00.000000000+05:45'],
      ['2026-11-30T13:00:00Z', 'America/St_Johns', '2026-11-30T09:30:00.000000000-03:30'],
    ] as const) {
      const timeNano = (BigInt(Date.parse(utc)) * 1_000_000n).toString();
      assert.equal(zonedIso({ timeNano }, zone), expected, `${utc} in ${zone}`);
      const intl = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(utc));
      assert.equal(expected.slice(0, 19).replace('T', ' '), intl);
    }
    const line = l2tcsvLine(row({}), 'Asia/Kathmandu');
    assert.deepEqual(parseCsv(line)[0]?.slice(0, 3), ['11/30/2026', '18:45:00', 'Asia/Kathmandu']);
  });

  it("carries Timesketch's required fields", () => {
    const parsed = JSON.parse(timesketchLine(row({ host: 'h' }), 'UTC')) as Record<string, unknown>;
    assert.equal(parsed.message, 'm');
    assert.equal(parsed.datetime, '2026-11-30T13:00:00.123456789+00:00');
    assert.equal(parsed.timestamp_desc, 'Content Modification Time');
    assert.equal(parsed.timestamp, Date.parse('2026-11-30T13:00:00Z') * 1000 + 123456);
  });

  it('marks rows read from a data root as from disk, and only those', () => {
    const disk = row({ source: 'file', host: 'data-root:/mnt/ev/var/lib/docker', path: '/tmp/x' });
    const live = row({ source: 'drift', host: 'prod', path: '/tmp/x' });
    const diskJson = JSON.parse(timesketchLine(disk)) as Record<string, unknown>;
    assert.equal(diskJson.evidence_origin, 'disk');
    assert.equal(diskJson.data_root, '/mnt/ev/var/lib/docker');
    assert.equal((JSON.parse(timesketchLine(live)) as Record<string, unknown>).evidence_origin, undefined);
    const [diskCsv] = parseCsv(l2tcsvLine(disk));
    assert.equal(diskCsv?.[5], 'Container writable layer entry (mtime), from a data root on disk');
    assert.match(diskCsv?.[14] ?? '', /ctime and atime not used/);
    assert.match(diskCsv?.[16] ?? '', /evidence_origin: disk; data_root: \/mnt\/ev\/var\/lib\/docker/);
    const [liveCsv] = parseCsv(l2tcsvLine(live));
    assert.equal(liveCsv?.[5], 'Container upper layer (drift)');
    assert.doesNotMatch(liveCsv?.[16] ?? '', /evidence_origin/);
    const audit = row({ source: 'audit', host: 'data-root:/mnt/ev/var/lib/docker' });
    assert.equal(
      (JSON.parse(timesketchLine(audit)) as Record<string, unknown>).evidence_origin,
      undefined,
      "Drydock's own audit rows are not from disk",
    );
  });
});
