// `drydock ps` and `drydock logs` count with the noun agreeing: "1 process", "1 log line", never
// "1 processes" or "1 log lines".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeLogs } from '../../../main/cli/commands/logs';
import { renderSnapshot } from '../../../main/cli/commands/processes';
import type { LogsAcquisition } from '../../../shared/domain/logs';
import type { ProcessEntry, ProcessSnapshot } from '../../../shared/domain/processes';

function proc(pid: number): ProcessEntry {
  return {
    pid,
    ppid: 0,
    hostPid: null,
    nsPid: pid,
    seenBy: ['pid-namespace'],
    pgid: null,
    sid: null,
    uid: '0',
    user: 'root',
    elapsedSeconds: 5,
    startedAt: null,
    state: 'S',
    args: 'sleep 1',
    program: 'sleep',
    isInit: pid === 1,
    inEntrypointLineage: true,
    parent: null,
    children: [],
    depth: 0,
    flags: [],
  };
}

function snapshot(n: number): ProcessSnapshot {
  return {
    host: 'local',
    containerId: 'c'.repeat(64),
    containerName: 'web',
    image: 'busybox',
    takenAt: '2026-12-01T00:00:00Z',
    initPid: 42,
    source: 'pid-namespace',
    psArgs: '-o pid',
    processes: Array.from({ length: n }, (_, i) => proc(i + 1)),
    roots: [1],
    flagged: [],
    drift: { checked: false },
    limitations: [],
  };
}

function logs(lines: number): LogsAcquisition {
  return {
    host: 'local',
    containerId: 'c'.repeat(64),
    containerName: 'web',
    driver: 'json-file',
    tty: false,
    artifactId: 'a1',
    sha256: 'f'.repeat(64),
    caseId: 'k1',
    caseName: 'case',
    bytes: 10,
    lines,
    stdoutLines: lines,
    stderrLines: 0,
    ttyLines: 0,
    limitations: [],
  };
}

describe('ps and logs headlines', () => {
  it('says 1 process and 2 processes', () => {
    assert.match(renderSnapshot(snapshot(1)), / — 1 process at /);
    assert.match(renderSnapshot(snapshot(2)), / — 2 processes at /);
  });

  it('says 1 log line and 3 log lines', () => {
    assert.match(describeLogs(logs(1)), /^1 log line \(1 stdout, 0 stderr\) of web/);
    assert.match(describeLogs(logs(3)), /^3 log lines \(3 stdout, 0 stderr\) of web/);
  });
});
