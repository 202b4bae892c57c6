// The CLI's start-up where a responder waits, timed as a responder runs it (the built bin, one
// process per command) against a baseline measured in the same run, runs alternating so a noisy
// machine weighs on both alike, medians compared:
// - `drydock --help` against `node -e 0` (goal <= 2);
// - `drydock inventory --json` (records the snapshot in a case, the default) against
//   `docker inspect $(docker ps -aq)`, which reads every container as the inventory does
//   (goal <= 1.5 at 30 and 300 containers), at each size of DRYDOCK_BENCH_CLI_SIZES (default
//   10,30,100,300: the host's containers in all, made up with `docker create` of busybox), with
//   the time per container and a fixed-plus-per-container fit to predict a bigger host.
// Each line also gives the CPU time (user + system, the process and its children; not the
// engine's), which a loaded machine changes least. Needs `npm run build:node` first. Env:
// DRYDOCK_BENCH_CLI_RUNS (inventory runs per size and side, default 7), DRYDOCK_BENCH_HELP_RUNS
// (default 15). The containers made are removed at the end, also on failure or Ctrl-C; the store
// is a temporary directory, never the user's.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BUSYBOX, TEST_LABEL } from '../helpers/docker';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'drydock.js');
const SIZES = (process.env.DRYDOCK_BENCH_CLI_SIZES ?? '10,30,100,300')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const RUNS = Number(process.env.DRYDOCK_BENCH_CLI_RUNS ?? 7);
const HELP_RUNS = Number(process.env.DRYDOCK_BENCH_HELP_RUNS ?? 15);
const HELP_GOAL = 2;
/** The inventory goal, at the sizes the issue names. */
const INVENTORY_GOAL = 1.5;
const GOAL_SIZES = new Set([30, 300]);
const PREFIX = `dd-bench-cli-${process.pid}`;
const run = promisify(execFile);
let serial = 0;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** CPU time (ms, user + system) of this process's waited-for children so far, from /proc (Linux). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // cutime and cstime: fields 16 and 17 of proc(5), in clock ticks (100 a second on Linux).
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

interface Timing {
  /** Wall time, ms. */
  wall: number;
  /** CPU time of the process and its children (user + system), ms: what a loaded machine changes least. */
  cpu: number;
}

/** One process to completion; throws when it fails. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timing {
  const cpu = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 2000)}`);
  return { wall, cpu: childrenCpuMs() - cpu };
}

/** Baseline and subject alternated `runs` times; the medians (ms) of wall and CPU time. */
function alternate(runs: number, baseline: () => Timing, subject: () => Timing): { baseline: Timing; subject: Timing } {
  const b: Timing[] = [];
  const s: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    // Which goes first alternates too, so neither always gets the warmer cache.
    if (i % 2) {
      s.push(subject());
      b.push(baseline());
    } else {
      b.push(baseline());
      s.push(subject());
    }
  }
  const medians = (t: Timing[]): Timing => ({ wall: median(t.map((x) => x.wall)), cpu: median(t.map((x) => x.cpu)) });
  return { baseline: medians(b), subject: medians(s) };
}

function verdict(ratio: number, goal: number): string {
  return `${ratio.toFixed(2)} (goal <= ${goal}: ${ratio <= goal ? 'PASS' : 'MISS'})`;
}

function hostContainers(): number {
  const out = spawnSync('docker', ['ps', '-aq'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`docker ps -aq failed: ${out.stderr}`);
  return out.stdout.split('\n').filter(Boolean).length;
}

/** `docker create` of `count` busybox containers, 8 at a time; their IDs are pushed to `ids` as they come. */
async function createContainers(count: number, ids: string[]): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const name = `${PREFIX}-${serial++}`;
      const { stdout } = await run('docker', ['create', '--label', TEST_LABEL, '--name', name, BUSYBOX, 'sleep', '3600']);
      ids.push(stdout.trim());
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

function removeAll(ids: string[]): void {
  for (let i = 0; i < ids.length; i += 100) spawnSync('docker', ['rm', '-f', ...ids.slice(i, i + 100)], { stdio: 'ignore' });
  ids.length = 0;
}

function load(): string {
  const uptime = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  return uptime.slice(uptime.indexOf('load average'));
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist', 'main', 'cli', 'index.js')))
    throw new Error('the CLI is not built: run `npm run build:node` first');
  console.log(`machine: ${load()}`);

  const help = alternate(
    HELP_RUNS,
    () => timed(process.execPath, ['-e', '0']),
    () => timed(process.execPath, [BIN, '--help']),
  );
  console.log(
    `node -e 0: ${help.baseline.wall.toFixed(0)} ms (CPU ${help.baseline.cpu.toFixed(0)} ms); drydock --help: ${help.subject.wall.toFixed(0)} ms (CPU ${help.subject.cpu.toFixed(0)} ms) (medians of ${HELP_RUNS})`,
  );
  console.log(`RATIO drydock --help / node -e 0: ${verdict(help.subject.wall / help.baseline.wall, HELP_GOAL)}`);
  if (help.subject.wall / help.baseline.wall > HELP_GOAL) process.exitCode = 1;

  const store = mkdtempSync(path.join(tmpdir(), 'drydock-bench-cli-'));
  const env = { ...process.env, DRYDOCK_EXAMINER: 'bench' };
  const inventory = () => timed(process.execPath, [BIN, 'inventory', '--json', '--store', store], env);
  const inspect = () => timed('sh', ['-c', 'docker inspect $(docker ps -aq) > /dev/null']);
  const ids: string[] = [];
  process.once('SIGINT', () => {
    removeAll(ids);
    rmSync(store, { recursive: true, force: true });
    process.exit(130);
  });
  const points: { n: number; drydock: number; docker: number }[] = [];
  try {
    // The first run opens the ad-hoc case and saves the host profile: once in a responder's day, not timed.
    inventory();
    for (const size of SIZES) {
      const missing = size - hostContainers();
      if (missing > 0) await createContainers(missing, ids);
      const before = hostContainers();
      const times = alternate(RUNS, inspect, inventory);
      const after = hostContainers();
      const n = Math.round((before + after) / 2);
      points.push({ n, drydock: times.subject.wall, docker: times.baseline.wall });
      const ratio = times.subject.wall / times.baseline.wall;
      console.log(
        `inventory of ${n} containers${before !== after ? ` (${before} to ${after}: other runs on this host)` : ''}: ` +
          `docker inspect ${times.baseline.wall.toFixed(0)} ms (CPU ${times.baseline.cpu.toFixed(0)} ms), ` +
          `drydock inventory --json ${times.subject.wall.toFixed(0)} ms (CPU ${times.subject.cpu.toFixed(0)} ms) ` +
          `(medians of ${RUNS}; ${load()})`,
      );
      console.log(
        GOAL_SIZES.has(size)
          ? `RATIO inventory --json / docker inspect at ${size}: ${verdict(ratio, INVENTORY_GOAL)}`
          : `ratio inventory --json / docker inspect at ${size}: ${ratio.toFixed(2)} (no goal at this size)`,
      );
      if (GOAL_SIZES.has(size) && ratio > INVENTORY_GOAL) process.exitCode = 1;
    }
    console.log('SCALING inventory --json (wall time per container on the host; fixed start-up included):');
    for (const p of points)
      console.log(
        `  ${String(p.n).padStart(4)} containers: drydock ${(p.drydock / p.n).toFixed(2)} ms/container, docker inspect ${(p.docker / p.n).toFixed(2)} ms/container`,
      );
    if (points.length >= 2) {
      const fit = (key: 'drydock' | 'docker') => {
        const mx = points.reduce((a, p) => a + p.n, 0) / points.length;
        const my = points.reduce((a, p) => a + p[key], 0) / points.length;
        const slope = points.reduce((a, p) => a + (p.n - mx) * (p[key] - my), 0) / points.reduce((a, p) => a + (p.n - mx) ** 2, 0);
        return { fixed: my - slope * mx, slope };
      };
      for (const key of ['drydock', 'docker'] as const) {
        const { fixed, slope } = fit(key);
        console.log(
          `  ${key === 'drydock' ? 'drydock inventory --json' : 'docker inspect'}: about ${fixed.toFixed(0)} ms + ${slope.toFixed(2)} ms per container (1000 containers: ~${((fixed + slope * 1000) / 1000).toFixed(1)} s)`,
        );
      }
    }
  } finally {
    removeAll(ids);
    rmSync(store, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
