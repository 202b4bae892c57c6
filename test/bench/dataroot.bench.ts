// Dead-box drift at disk speed, against the responder's shell baseline on the same upper
// directories in the same run: a second dockerd (overlay2, its own data root) runs N containers
// (DRYDOCK_BENCH_CONTAINERS, default 20; the figure is 100) with about 50 changed files
// each, is stopped, and its data root is read by Drydock (every container's upper directory
// against its lower layers, every changed file hashed and stored, reports written) and by
// `find UPPER_DIRS -type f -exec sha256sum {} +`. Prints files/s and MB/s of both and the ratio.
// (The live upper-dir path through a helper, issue 15's other figure, is not built yet: nothing is
// measured for it here.)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCore } from '../../main/app/core';
import { BUSYBOX } from '../helpers/docker';
import { startSecondEngine } from '../helpers/second-engine';
import { waitFor } from '../helpers/wait';

const COUNT = Number(process.env.DRYDOCK_BENCH_CONTAINERS ?? 20);
/** Content cap (bytes) for files and key evidence alike; 0 measures reading and hashing without storing contents. */
const CAP = process.env.DRYDOCK_BENCH_CAP !== undefined ? Number(process.env.DRYDOCK_BENCH_CAP) : undefined;

/** About 50 changed files each, unique bytes per container (busybox applets only). */
const CHANGES = [
  'set -e',
  'for i in $(seq 1 15); do head -c $((512 + i * 97)) /dev/urandom > /tmp/drop-$i; done',
  'head -c 262144 /dev/urandom > /tmp/big-blob',
  'mkdir -p /etc/app && for i in 1 2 3 4 5; do head -c 300 /dev/urandom | od -An -tx1 > /etc/app/conf-$i; done',
  'mkdir -p /usr/local/bin && for i in 1 2 3 4 5; do printf "#!/bin/sh\\necho %s\\n" $i$$ > /usr/local/bin/tool-$i; chmod 755 /usr/local/bin/tool-$i; done',
  'mkdir -p /var/www/html && for i in $(seq 1 8); do head -c 2048 /dev/urandom | od -An -tx1 > /var/www/html/page-$i.html; done',
  'mkdir -p /root/.ssh && echo "ssh-ed25519 AAAA$$ bench" > /root/.ssh/authorized_keys',
  'mkdir -p /var/log/app && for i in $(seq 1 14); do head -c 4096 /dev/urandom | od -An -tx1 > /var/log/app/log-$i; done',
].join('\n');

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const engine = await startSecondEngine('ddbench', [BUSYBOX], { daemonArgs: ['--storage-driver', 'overlay2'] });
  const storeDir = mkdtempSync(path.join(tmpdir(), 'drydock-bench-dataroot-'));
  try {
    const d = (args: string[]) => execFileSync('docker', ['-H', `unix://${engine.socket}`, ...args], { encoding: 'utf8' }).trim();
    console.log(`== dead-box drift of ${COUNT} stopped containers (${BUSYBOX}) against find | sha256sum on their upper directories`);
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) ids.push(d(['run', '-d', BUSYBOX, 'sh', '-c', `${CHANGES}\nexec sleep 7200`]));
    for (const id of ids)
      await waitFor(() => d(['diff', id]).includes('/root/.ssh/authorized_keys'), {
        what: `container ${id.slice(0, 12)} to finish its changes`,
      });
    const uppers = ids.map((id) => d(['inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', id]));
    d(['stop', '-t', '1', ...ids]);
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
    const dataRoot = path.join(engine.dir, 'data');
    // Warm the page cache for both sides alike.
    spawnSync('sh', ['-c', 'find "$@" -type f -exec cat {} + > /dev/null', 'warm', ...uppers]);

    const baseStart = process.hrtime.bigint();
    const base = spawnSync('sh', ['-c', 'find "$@" -type f -exec sha256sum {} +', 'base', ...uppers], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const baseSeconds = seconds(baseStart);
    const baseFiles = base.stdout.split('\n').filter(Boolean).length;
    const bytes = Number(
      execFileSync('sh', ['-c', 'find "$@" -type f -printf "%s\\n" | awk "{s+=\\$1} END {print s+0}"', 'size', ...uppers], {
        encoding: 'utf8',
      }),
    );

    const core = createCore({ storeDir, examiner: 'bench' });
    try {
      core.evidence.createCase({ name: 'Dead-box benchmark' });
      const invStart = process.hrtime.bigint();
      await core.dataRoot.inventory({ dataRoot, record: false });
      console.log(`(reading the records alone: ${seconds(invStart).toFixed(2)}s)`);
      const start = process.hrtime.bigint();
      const result = await core.dataRoot.drift({
        dataRoot,
        containers: 'all',
        contentCapBytes: CAP ?? 1024 * 1024,
        keyEvidenceCapBytes: CAP ?? 256 * 1024 * 1024,
      });
      const ddSeconds = seconds(start);
      const hashed = result.reports.reduce((n, r) => n + r.entries.filter((e) => e.container?.sha256).length, 0);
      const mb = bytes / 1e6;
      console.log(
        `find | sha256sum:  ${baseSeconds.toFixed(2)}s, ${baseFiles} files, ${(baseFiles / baseSeconds).toFixed(0)} files/s, ${(mb / baseSeconds).toFixed(1)} MB/s`,
      );
      console.log(
        `drydock dead-box:  ${ddSeconds.toFixed(2)}s, ${result.reports.length} reports, ${hashed} changed files hashed and stored, ${(hashed / ddSeconds).toFixed(0)} files/s, ${(mb / ddSeconds).toFixed(1)} MB/s (lower layers read and hashed too)`,
      );
      console.log(`RATIO dead-box drift / find | sha256sum: ${(ddSeconds / baseSeconds).toFixed(2)}`);
    } finally {
      await core.close();
    }
  } finally {
    await engine.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
