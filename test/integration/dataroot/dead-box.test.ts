// Dead-box analysis end to end, through the built `drydock`: a second dockerd (overlay2, its own
// data root) holds a small intrusion scene — a three-layer image, a container that drops an
// executable, adds an account, deletes a file and a directory, replaces a directory (opaque) and
// rewrites a file with its modification time put back (touch -r), a named volume, a stopped
// container and one logging through the local driver. It is read live, the daemon is stopped, and
// the data root is read as a directory and as a tar archive: same containers and risk flags, same
// drift entries and hashes, same log bytes; and the data root is untouched (contents, mode, size,
// mtime, ctime of every entry, and the access time of every file, set far in the past first so any
// read without O_NOATIME would show). Directory access times are not compared: listing a directory
// cannot be done with O_NOATIME from Node, which is why the reader warns about such mounts (asserted).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataRootDriftResult, DataRootInventory, DataRootLogsResult } from '../../../shared/domain/dataroot';
import type { DriftEntry, DriftReport } from '../../../shared/domain/drift';
import type { InventorySnapshot } from '../../../shared/domain/inventory';
import { drydock } from '../../helpers/cli';
import { diffTrees, snapshotTree } from '../../helpers/data-root-fixture';
import { BUSYBOX } from '../../helpers/docker';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';
import { waitFor } from '../../helpers/wait';

const OLD_ATIME = '2000-01-01T00:00:00Z';

function json<T>(store: string, args: string[]): T {
  const run = drydock(store, [...args, '--json']);
  assert.equal(run.code, 0, `drydock ${args.join(' ')}: ${run.err}`);
  return JSON.parse(run.out) as T;
}

/** Everything a comparison of drift entries must agree on (artifact IDs and sizes of directories aside). */
function entryKey(e: DriftEntry): string {
  return JSON.stringify([
    e.path,
    e.change,
    e.verdict,
    e.severity,
    [...e.classes].sort(),
    e.container?.type ?? null,
    e.container?.sha256 ?? null,
    e.image?.type ?? null,
    e.image?.sha256 ?? null,
  ]);
}

/** Found on disk only: in the upper directory but not in the engine's (metadata) change list. */
function hiddenFromEngine(e: DriftEntry): boolean {
  return e.reasons.some((r) => r.reason.includes("not in the engine's change list"));
}

function entryKeys(report: DriftReport): string[] {
  return report.entries
    .filter((e) => !hiddenFromEngine(e))
    .map(entryKey)
    .sort();
}

/** A stored logs artifact's records by stream tag (latin1 keeps every byte). */
function storedLogLines(store: string, artifactId: string): Record<string, string[]> {
  const byStream: Record<string, string[]> = {};
  for (const record of exported(store, artifactId).toString('latin1').split('\n').slice(0, -1)) {
    const space = record.indexOf(' ');
    (byStream[record.slice(0, space)] ??= []).push(record.slice(space + 1));
  }
  return byStream;
}

function exported(store: string, artifactId: string): Buffer {
  const file = path.join(store, `${artifactId}.out`);
  const run = drydock(store, ['artifact', 'export', artifactId, '--out', file]);
  assert.equal(run.code, 0, run.err);
  return readFileSync(file);
}

describe('dead-box analysis: a data root read with no daemon, against the live engine it came from', () => {
  let engine: SecondEngine;
  let store: string;
  let work: string;
  let dataRoot: string;
  let tarball: string;
  const suffix = String(process.pid);
  const names = { intr: `ddx-intr-${suffix}`, stopped: `ddx-stopped-${suffix}`, local: `ddx-local-${suffix}` };
  const volume = `ddx-vol-${suffix}`;
  let live: {
    inventory: InventorySnapshot;
    drift: DriftReport[];
    logs: { json: Record<string, string[]>; local: Record<string, string[]> };
  };
  let treeBefore: Map<string, string>;
  let tarBefore: string;

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'ddx-store-'));
    work = mkdtempSync(path.join(tmpdir(), 'ddx-work-'));
    engine = await startSecondEngine('ddx', [BUSYBOX], { daemonArgs: ['--storage-driver', 'overlay2'] });
    dataRoot = path.join(engine.dir, 'data');
    const d = (args: string[]) =>
      execFileSync('docker', ['-H', `unix://${engine.socket}`, ...args], {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
      }).trim();
    assert.match(d(['info', '--format', '{{.Driver}}']), /^overlay2$/);
    // An image of three layers: busybox, then two RUN steps.
    const ctxDir = path.join(work, 'image');
    mkdirSync(ctxDir);
    writeFileSync(
      path.join(ctxDir, 'Dockerfile'),
      [
        `FROM ${BUSYBOX}`,
        'RUN mkdir -p /etc /opt/app /srv/data /usr/local/bin && echo app > /opt/app/main.sh && echo conf > /opt/app/conf && echo keep > /srv/data/a && echo keep > /srv/data/b && echo "root:x:0:0:root:/root:/bin/sh" > /etc/passwd',
        'RUN echo "welcome" > /etc/motd && echo "secret" > /etc/shadow && chmod 600 /etc/shadow',
        '',
      ].join('\n'),
    );
    d(['build', '-q', '-t', `ddx-app:${suffix}`, ctxDir]);
    assert.equal(JSON.parse(d(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', `ddx-app:${suffix}`])).length, 3);
    const script = [
      'cp /bin/busybox /usr/local/bin/implant',
      'echo "backdoor:x:0:0::/root:/bin/sh" >> /etc/passwd',
      'rm /etc/motd',
      'rm -rf /srv/data',
      'rm -rf /opt/app && mkdir /opt/app && echo replaced > /opt/app/main.sh',
      // The same size, the modification time put back: only the content tells.
      'cp -p /etc/shadow /tmp/.ref && printf "tamper\\n" > /etc/shadow && touch -r /tmp/.ref /etc/shadow && rm /tmp/.ref',
      'echo stolen > /data/loot',
      'echo out-1; echo err-1 >&2; echo ready',
      'exec sleep 3600',
    ].join('; ');
    d(['run', '-d', '--name', names.intr, '-v', `${volume}:/data`, `ddx-app:${suffix}`, 'sh', '-c', script]);
    d(['run', '--name', names.stopped, BUSYBOX, 'sh', '-c', 'echo bye; echo gone >&2; touch /tmp/left']);
    d(['run', '--name', names.local, '--log-driver', 'local', BUSYBOX, 'sh', '-c', 'echo local-1; echo local-2 >&2']);
    await waitFor(() => d(['logs', names.intr]).includes('ready'), { what: 'the intrusion container to finish its changes' });

    const host = `unix://${engine.socket}`;
    const inventory = json<InventorySnapshot>(store, ['inventory', '--host', host]);
    const drift = json<{ reports: DriftReport[] }>(store, ['drift', names.intr, names.stopped, names.local, '--host', host]).reports;
    // The live logs as the engine's logs endpoint serves them (what `drydock logs --host` stores, byte
    // for byte: test/integration/logs/logs-cli.test.ts), per stream.
    const dockerLogs = (container: string) => {
      execFileSync('sh', ['-c', `docker -H unix://${engine.socket} logs --timestamps "$1" >"$2/o" 2>"$2/e"`, 'sh', container, work]);
      const lines = (file: string) => readFileSync(path.join(work, file), 'latin1').split('\n').slice(0, -1);
      return { stdout: lines('o'), stderr: lines('e') };
    };
    live = { inventory, drift, logs: { json: dockerLogs(names.intr), local: dockerLogs(names.local) } };

    // The daemon goes: its containers stopped first (PID 1 ignores SIGTERM), then dockerd itself.
    d(['stop', '-t', '1', names.intr]);
    const pid = Number(readFileSync(path.join(engine.dir, 'docker.pid'), 'utf8').trim());
    process.kill(pid, 'SIGTERM');
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      { what: 'the second dockerd to exit', timeoutMs: 60_000 },
    );
    tarball = path.join(work, 'data-root.tar');
    execFileSync('tar', ['--xattrs', '--xattrs-include=trusted.*', '--atime-preserve=system', '-C', dataRoot, '-cf', tarball, '.']);
    execFileSync('sh', ['-c', `find "$1" "$2" -type f -exec touch -a -d ${OLD_ATIME} {} +`, 'sh', dataRoot, tarball]);
    treeBefore = snapshotTree(dataRoot);
    tarBefore = snapshotTree(work).get('/data-root.tar') ?? '';
  });

  after(async () => {
    await engine?.stop();
    rmSync(store, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  for (const form of ['directory', 'tarball'] as const) {
    describe(`read as a ${form}`, () => {
      const source = () => (form === 'directory' ? dataRoot : tarball);

      it('lists the same containers with the same risk flags, volumes and log drivers', () => {
        const disk = json<DataRootInventory>(store, ['inventory', '--data-root', source()]);
        assert.equal(disk.source.kind, form);
        assert.deepEqual(disk.problems, []);
        const flags = (c: { id: string; name: string; risks: { id: string }[] }) =>
          `${c.id} ${c.name} ${c.risks
            .map((r) => r.id)
            .sort()
            .join(',')}`;
        assert.deepEqual(disk.containers.map(flags).sort(), live.inventory.containers.map(flags).sort());
        const intr = disk.containers.find((c) => c.name === names.intr);
        assert.ok(intr?.mountId, 'the writable layer is found');
        assert.deepEqual(
          intr.volumes.map((v) => [v.destination, v.name, v.type, v.presentInDataRoot]),
          [['/data', volume, 'volume', true]],
        );
        assert.equal(disk.containers.find((c) => c.name === names.local)?.logDriver, 'local');
        assert.equal(disk.containers.find((c) => c.name === names.stopped)?.state, 'exited');
        if (form === 'directory')
          assert.ok(
            disk.source.warnings.some((w) => /without noatime/.test(w)),
            'the relatime mount is warned about',
          );
        assert.ok(disk.stored, 'stored in the case');
      });

      it('reports the same drift entries and hashes as the live engine, the touch -r change included', () => {
        const disk = json<DataRootDriftResult>(store, ['drift', names.intr, names.stopped, names.local, '--data-root', source()]);
        for (const liveReport of live.drift) {
          const report = disk.reports.find((r) => r.containerId === liveReport.containerId);
          assert.ok(report, `a report for ${liveReport.containerName}`);
          assert.equal(report.readFrom?.kind, 'upper-dir');
          assert.deepEqual(entryKeys(report), entryKeys(liveReport), `the entries of ${liveReport.containerName}`);
          assert.deepEqual(report.risks.map((r) => r.id).sort(), liveReport.risks.map((r) => r.id).sort());
          assert.deepEqual(report.config, liveReport.config);
        }
        const intr = disk.reports.find((r) => r.containerName === names.intr);
        const at = (p: string) => intr?.entries.find((e) => e.path === p);
        const shadow = at('/etc/shadow');
        assert.equal(shadow?.verdict, 'content-changed', 'the rewrite with its mtime put back is found by its content');
        assert.ok(shadow && hiddenFromEngine(shadow), 'and said to be missing from the engine change list');
        const liveIntr = live.drift.find((r) => r.containerName === names.intr);
        assert.equal(
          liveIntr?.entries.find((e) => e.path === '/etc/shadow'),
          undefined,
          'the live engine did not list it',
        );
        assert.deepEqual(
          intr?.entries.filter(hiddenFromEngine).map((e) => e.path),
          ['/etc/shadow'],
          'nothing else is hidden',
        );
        assert.equal(shadow?.container?.mtime, shadow?.image?.mtime, 'its modification time was indeed restored');
        assert.equal(shadow?.container?.sha256, createHash('sha256').update('tamper\n').digest('hex'));
        assert.equal(at('/etc/motd')?.verdict, 'deleted', 'a whiteout is a deletion');
        assert.equal(at('/srv/data/a')?.impliedBy, '/srv/data', 'a deleted directory lists what it held');
        assert.equal(at('/opt/app/conf')?.verdict, 'deleted', 'the replaced (opaque) directory hides what the image had in it');
        assert.equal(at('/opt/app/main.sh')?.verdict, 'content-changed');
        assert.equal(at('/usr/local/bin/implant')?.container?.executable, 'elf');
        assert.ok(at('/usr/local/bin/implant')?.content.artifactId, 'the dropped executable is stored');
        assert.ok(!intr?.entries.some((e) => e.path.startsWith('/data/')), "the volume's files are not in the writable layer");
        assert.equal(at('/data')?.reasons[0]?.class, 'change', 'its mount point is, as the engine lists it');
      });

      it('stores the same log lines, with the same timestamps, as the live logs endpoint: json-file and local', () => {
        const jsonLogs = json<DataRootLogsResult>(store, ['logs', names.intr, '--data-root', source()]);
        assert.equal(jsonLogs.driver, 'json-file');
        assert.deepEqual(storedLogLines(store, jsonLogs.artifactId), live.logs.json);
        const localLogs = json<DataRootLogsResult>(store, ['logs', names.local, '--data-root', source()]);
        assert.equal(localLogs.driver, 'local');
        assert.deepEqual(storedLogLines(store, localLogs.artifactId), live.logs.local);
      });
    });
  }

  it('names a layer directory by its container and image, by mount ID, prefix or path', () => {
    const disk = json<DataRootInventory>(store, ['inventory', '--data-root', dataRoot, '--no-record']);
    const intr = disk.containers.find((c) => c.name === names.intr);
    const mount = intr?.mountId ?? '';
    const owner = json<{ owners: { matchedAs: string; containers: { id: string }[] }[] }>(store, [
      'layer-owner',
      `/var/lib/docker/overlay2/${mount.slice(0, 12)}/diff/usr/local/bin/implant`,
      '--data-root',
      dataRoot,
    ]);
    assert.equal(owner.owners[0]?.matchedAs, 'container-mount');
    assert.equal(owner.owners[0]?.containers[0]?.id, intr?.id);
    const images = json<{ images: { tags: string[]; layers: { cacheId?: string }[] }[] }>(store, ['images', '--data-root', tarball]);
    const app = images.images.find((i) => i.tags.includes(`ddx-app:${suffix}`));
    assert.equal(app?.layers.length, 3);
    const top = app?.layers[2]?.cacheId ?? '';
    const layer = json<{ owners: { matchedAs: string; containers: { id: string }[] }[] }>(store, [
      'layer-owner',
      top,
      '--data-root',
      tarball,
    ]);
    assert.equal(layer.owners[0]?.matchedAs, 'image-layer');
    assert.deepEqual(
      layer.owners[0]?.containers.map((c) => c.id),
      [intr?.id],
    );
  });

  it('audited every read as one from a read-only data root', () => {
    const audit = drydock(store, ['case', 'audit', '--json']);
    assert.equal(audit.code, 0, audit.err);
    const text = audit.out;
    for (const action of ['dataroot.inventory-read', 'dataroot.drift-read', 'dataroot.logs-read', 'dataroot.layer-owner'])
      assert.ok(text.includes(action), `audited: ${action}`);
    assert.match(text, /"kind":"data-root"[^}]*"readOnly":true/);
  });

  it("builds the dead box's timeline and prints its processes' last known configuration, from the tarball", () => {
    const run = drydock(store, ['timeline', '--data-root', tarball, '--format', 'jsonl']);
    assert.equal(run.code, 0, run.err);
    const rows = run.out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { message: string; datetime: string; source: string; container?: string; filename?: string; hostname?: string },
      );
    assert.ok(rows.every((r) => r.hostname === `data-root:${tarball}`));
    const intr = live.inventory.containers.find((c) => c.name === names.intr);
    const created = rows.find((r) => r.source === 'lifecycle' && r.container === names.intr && r.message.includes(' created '));
    // The engine writes RFC 3339 with nanoseconds (trailing zeros trimmed); the export keeps all nine digits.
    assert.equal(created?.datetime.replace(/0*\+00:00$/, '').replace(/\.$/, ''), intr?.createdAt.replace(/0*Z$/, '').replace(/\.$/, ''));
    assert.ok(rows.some((r) => r.source === 'logs' && r.container === names.intr && r.message === 'stdout: out-1'));
    assert.ok(rows.some((r) => r.source === 'logs' && r.container === names.local && r.message === 'stderr: local-2'));
    assert.ok(rows.some((r) => r.source === 'file' && r.container === names.intr && r.filename === '/usr/local/bin/implant'));
    assert.ok(
      rows.some((r) => r.source === 'file' && r.container === names.intr && r.filename === '/etc/motd' && r.message.startsWith('deleted')),
    );
    const ps = drydock(store, ['ps', names.intr, '--data-root', tarball]);
    assert.equal(ps.code, 0, ps.err);
    assert.match(ps.out, /command {6}\["sh","-c","cp \/bin\/busybox \/usr\/local\/bin\/implant; /);
    assert.match(ps.out, /No process list exists on disk/);
  });

  it('left the data root and the tarball exactly as they were', () => {
    assert.deepEqual(diffTrees(treeBefore, snapshotTree(dataRoot)), []);
    assert.equal(snapshotTree(work).get('/data-root.tar'), tarBefore);
  });
});
