import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { mergeProcessTables } from '../../../main/core/processes/process-merge';
import { buildProcessTree } from '../../../main/core/processes/process-tree';
import {
  displayText,
  MAX_PROCESSES,
  parseProcTable,
  parseStat,
  PROC_FILE_CAPS,
  procTableCommand,
} from '../../../main/core/processes/proc-table';
import { parseTop } from '../../../main/core/processes/ps-table';
import { params, within } from '../fuzz/fuzz-kit';

const hex = (bytes: Buffer | string) => Buffer.from(bytes).toString('hex');

/** One record as the helper prints it. */
function record(pid: number, stat: Buffer | string, status: string, cmdline: Buffer | string): string {
  return [`@${pid} stat`, hex(stat), `@${pid} status`, hex(status), `@${pid} cmdline`, hex(cmdline)].join('\n');
}

function statLine(pid: number, comm: Buffer | string, state: string, ppid: number, startTicks: number): Buffer {
  const tail = ` ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 ${startTicks} 2322432 346 0\n`;
  return Buffer.concat([Buffer.from(`${pid} (`), Buffer.from(comm), Buffer.from(`)${tail}`)]);
}

const status = (uid: number, ...nsPids: number[]) =>
  `Name:\tx\nState:\tS (sleeping)\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nNSpid:\t${nsPids.join('\t')}\n`;

// What the helper printed for `sh -c 'sleep 1 & exec sleep 1d'` on engine 20.10 (its own shell is PID 8).
const ZOMBIE_CASE = [
  '@self 8',
  '@uptime 2829.25',
  record(1, statLine(1, 'sleep', 'S', 0, 275999), status(0, 1), 'sleep\u00001d\u0000'),
  record(7, statLine(7, 'sleep', 'Z', 1, 276028), status(0, 7), ''),
  record(8, statLine(8, 'sh', 'S', 0, 282000), status(0, 8), 'sh\u0000-c\u0000…\u0000'),
  record(12, statLine(12, 'hexdump', 'R', 8, 282001), status(0, 12), 'hexdump\u0000'),
  '@end',
  '',
].join('\n');

test('reads the zombie case and leaves out the helper and its children', () => {
  const table = parseProcTable(ZOMBIE_CASE);
  assert.equal(table.complete, true);
  assert.equal(table.self, 8);
  assert.equal(table.uptimeSeconds, 2829.25);
  assert.deepEqual(
    table.rows.map((r) => [r.pid, r.ppid, r.state, r.args]),
    [
      [1, 0, 'S', 'sleep 1d'],
      [7, 1, 'Z', '[sleep]'],
    ],
  );
});

test("comm with spaces, ')' and a newline that imitates a marker cannot forge a record", () => {
  const comm = Buffer.from('a) Z 1 (b\n@99 stat');
  const out = [
    '@self 50',
    record(5, statLine(5, comm, 'S', 1, 10), status(1000, 5), Buffer.from('x\n@end\n@6 stat\n\u001b[2J')),
    '@end',
  ].join('\n');
  const table = parseProcTable(out);
  assert.equal(table.rows.length, 1);
  const [row] = table.rows;
  assert.equal(row?.comm, 'a) Z 1 (b\n@99 stat', 'comm runs to the last )');
  assert.equal(row?.state, 'S');
  assert.equal(row?.ppid, 1);
  assert.equal(row?.uid, '1000');
  assert.equal(row?.args, 'x\n@end\n@6 stat\n\u001b[2J', 'the raw command line, rendered safely by the views');
  assert.equal(row?.key, 'x?@end?@6 stat?[2J', 'as the host ps would print it');
});

test('hostile records are dropped and counted, never guessed', () => {
  const out = [
    '@self 1000',
    record(2, statLine(3, 'liar', 'S', 1, 1), status(0), ''), // stat names another PID
    record(4, '4 no-parens S 1', status(0), ''),
    record(6, statLine(6, 'x', '?', 1, 1), status(0), ''), // not a state letter
    '@9 stat',
    'zz', // not hex
    '@10 stat',
    'ab'.repeat(PROC_FILE_CAPS.stat + 1), // longer than the helper ever prints
    '@11 passwd',
    hex('root'),
    '@12345678901 stat', // not a PID
    hex('x'),
    record(13, statLine(13, 'ok', 'R', 1, 5), 'NSpid:\t13\t-1\nUid:\tnope\n', Buffer.alloc(0)),
  ].join('\n');
  const table = parseProcTable(out);
  assert.deepEqual(
    table.rows.map((r) => r.pid),
    [13],
  );
  assert.equal(table.rows[0]?.uid, '');
  assert.deepEqual(table.rows[0]?.nsPids, [], 'a malformed NSpid line is not half-read');
  assert.equal(table.skipped, 5);
  assert.equal(table.complete, false, 'no @end: the output was cut');
});

test('invalid UTF-8 in a command line is shown as \\xNN, valid UTF-8 as text', () => {
  assert.equal(displayText([0x68, 0xe4]), 'h\\xe4');
  assert.equal(displayText([...Buffer.from('häh')]), 'häh');
  const stat = parseStat(statLine(3, Buffer.from([0xff, 0x29, 0x29]), 'S', 1, 1));
  assert.equal(stat?.comm, '\\xff))');
});

test('the helper program caps every file and the number of processes', () => {
  const script = procTableCommand()[2] ?? '';
  for (const [file, cap] of Object.entries(PROC_FILE_CAPS)) assert.ok(script.includes(`-n ${cap} -e '/1 "%02x"' "$d/${file}"`), file);
  assert.ok(script.includes(`-gt ${MAX_PROCESSES}`));
});

test('any output: no crash, bounded time, no more rows than records', () => {
  const line = fc.oneof(
    fc.constantFrom('@end', '@limit', '@self 8', '@uptime 12.5', '@1 stat', '@2 cmdline', '@3 status'),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('hex')),
    fc.string({ maxLength: 80 }),
    fc
      .tuple(
        fc.integer({ min: 1, max: 40 }),
        fc.uint8Array({ maxLength: 20 }),
        fc.constantFrom('S', 'Z', 'R', 'x', ''),
        fc.integer({ min: 0, max: 40 }),
      )
      .map(([pid, comm, state, ppid]) =>
        record(pid, statLine(pid, Buffer.from(comm), state, ppid, pid), status(0, pid), Buffer.from(comm)),
      ),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
      const table = within('parseProcTable', () => parseProcTable(lines.join('\n')));
      assert.ok(table.rows.length <= lines.length);
      for (const row of table.rows) assert.ok(Number.isInteger(row.pid) && Number.isInteger(row.ppid) && /^[A-Za-z]$/.test(row.state));
    }),
    params(300),
  );
});

test('merge: the zombie top cannot see is kept, flagged not-in-top and zombie, under its parent', () => {
  const table = parseProcTable(ZOMBIE_CASE);
  const top = parseTop({
    Titles: ['PID', 'PPID', 'PGID', 'SID', 'UID', 'ELAPSED', 'STAT', 'COMMAND'],
    Processes: [['21844', '21824', '21844', '21844', '0', '5', 'Ss', 'sleep 1d']],
  }).rows;
  const merged = mergeProcessTables({ proc: table, top, initHostPid: 21844, ownNamespace: true });
  const tree = buildProcessTree({
    rows: merged.rows,
    initPid: merged.initPid,
    execSessions: new Map(),
    users: new Map(),
    takenAt: new Date(0),
    extraFlags: merged.flags,
    seen: merged.seen,
    foreign: merged.foreign,
  });
  assert.deepEqual(
    tree.processes.map((p) => [
      p.pid,
      p.hostPid,
      p.parent,
      p.seenBy.join('+'),
      p.flags
        .map((f) => f.kind)
        .sort()
        .join(','),
    ]),
    [
      [1, 21844, null, 'pid-namespace+engine-top', ''],
      [7, null, 1, 'pid-namespace', 'not-in-top,zombie'],
    ],
  );
  assert.equal(tree.processes[1]?.elapsedSeconds, 2829 - 2761, 'uptime minus the start time in ticks');
});

test('merge: identical workers pair oldest first; what only top lists is flagged and kept apart', () => {
  const proc = parseProcTable(
    [
      '@self 99',
      '@uptime 100',
      record(1, statLine(1, 'nginx', 'S', 0, 100), status(0, 1), 'nginx: master'),
      record(5, statLine(5, 'nginx', 'S', 1, 200), status(33, 5), 'nginx: worker'),
      record(6, statLine(6, 'nginx', 'S', 1, 300), status(33, 6), 'nginx: worker'),
      '@end',
    ].join('\n'),
  );
  const top = parseTop({
    Titles: ['PID', 'PPID', 'UID', 'ELAPSED', 'STAT', 'COMMAND'],
    Processes: [
      ['500', '400', '0', '99', 'Ss', 'nginx: master'],
      ['502', '500', '33', '97', 'S', 'nginx: worker'],
      ['501', '500', '33', '98', 'S', 'nginx: worker'],
      ['1', '400', '0', '1', 'S', 'sleep 5'],
    ],
  }).rows;
  const merged = mergeProcessTables({ proc, top, initHostPid: 500, ownNamespace: true });
  assert.equal(merged.seen.get(5)?.hostPid, 501, 'the older worker is the lower host PID');
  assert.equal(merged.seen.get(6)?.hostPid, 502);
  assert.deepEqual(merged.limitations, [
    "1 process listed only by the engine's top is not shown: its host PID equals a PID in the namespace",
  ]);
  const alone = mergeProcessTables({ proc, top: [...top.slice(0, 3), { ...top[3]!, pid: 777 }], initHostPid: 500, ownNamespace: true });
  assert.deepEqual(alone.seen.get(777), { hostPid: 777, nsPid: null, seenBy: ['engine-top'] });
  assert.equal(alone.flags.get(777)?.[0]?.kind, 'not-in-namespace');
  assert.ok(alone.foreign.has(777));
});
