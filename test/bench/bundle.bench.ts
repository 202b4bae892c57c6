// Case-bundle export (`drydock case export`) at two sizes of evidence, each in a child process of
// its own (bundle-child.ts) so the RSS it reports is the export's: the export streams blobs from the
// store through tar into an fsync'd file, so its peak RSS must not grow with the size of the case.
// Goal (issue #18): peak RSS during the larger export within 32 MB of the smaller one's. Prints the
// export rate against a durable copy of the same number of bytes (dd conv=fsync) as a floor.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { BundleChildResult } from './bundle-child';

const SMALL_MB = Number(process.env.DRYDOCK_BENCH_BUNDLE_SMALL_MB ?? 64);
const LARGE_MB = Number(process.env.DRYDOCK_BENCH_BUNDLE_LARGE_MB ?? 512);
/** RSS growth from the small case to the large one above this means the export holds data in memory. */
const GROWTH_LIMIT = 32e6;

function exportCase(root: string, mb: number): BundleChildResult {
  const storeDir = path.join(root, `store-${mb}`);
  spawnSync('sync');
  try {
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'bundle-child.ts'), String(mb * 2 ** 20), storeDir],
      { encoding: 'utf8', maxBuffer: 1024 * 1024 },
    );
    if (run.error || run.status !== 0) throw new Error(`the bundle child failed: ${run.error?.message ?? run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as BundleChildResult;
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
}

/** Seconds to write `mb` MiB and fsync it with dd: the disk's floor for any durable export. */
function durableWrite(root: string, mb: number): number {
  const file = path.join(root, 'floor.bin');
  spawnSync('sync');
  const start = process.hrtime.bigint();
  const run = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mb}`, 'conv=fsync'], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(file, { force: true });
  if (run.error || run.status !== 0) throw new Error(`dd failed: ${run.error?.message ?? run.stderr}`);
  return seconds;
}

function main(): void {
  const root = mkdtempSync(path.join(tmpdir(), 'drydock-bench-bundle-'));
  process.once('SIGINT', () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    console.log(`== case bundle export of a case holding ${SMALL_MB} MiB, then ${LARGE_MB} MiB of evidence`);
    const peaks: number[] = [];
    for (const mb of [SMALL_MB, LARGE_MB]) {
      const result = exportCase(root, mb);
      const floor = durableWrite(root, mb);
      peaks.push(result.peakRss);
      console.log(
        `export of ${mb} MiB: ${result.seconds.toFixed(2)}s (${(mb / result.seconds).toFixed(0)} MiB/s, bundle ${(result.bytes / 2 ** 20).toFixed(1)} MiB; durable write of as many bytes ${(mb / floor).toFixed(0)} MiB/s, ratio ${(floor / result.seconds).toFixed(2)}); peak RSS ${(result.peakRss / 1e6).toFixed(1)} MB (${(result.rssBefore / 1e6).toFixed(1)} MB before)`,
      );
    }
    const growth = (peaks[1] ?? 0) - (peaks[0] ?? 0);
    const ok = growth < GROWTH_LIMIT;
    console.log(
      `GOAL peak RSS growth from ${SMALL_MB} to ${LARGE_MB} MiB < ${GROWTH_LIMIT / 1e6} MB: ${(growth / 1e6).toFixed(1)} MB ${ok ? 'PASS' : 'MISS'}`,
    );
    console.log(
      `load average (1, 5, 15 min): ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} on ${cpus().length} cores`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
