// Memory acquisition throughput: a process holding one anonymous region of DRYDOCK_BENCH_MEMORY_MIB
// (default 1024 MiB, filled so every page is resident) is imaged by Drydock (memory.acquire, the ELF
// core streamed into the store and hashed), and the same region is read by dd from /proc/PID/mem in
// the same helper image with the same confinement (joined to the PID namespace, SYS_PTRACE only,
// read-only, no-new-privileges), to /dev/null, with 1 MiB reads. Two ratios, both against that dd in
// this run: (a) the read window, the helper's first read of /proc/PID/mem to its last (the image's
// smear, as the artifact records it: the helper's /proc/uptime, the clock dd is timed with here), goal
// >= 0.8; (b) end to end, the whole memory.acquire into the store (hashed, fsync'd), printed with its
// ceiling: SHA-256 in this process over dd's rate, since the store hashes every byte (and the rate the
// engine's archive endpoint relayed at, which bounds it too). Also the built CLI's peak RSS (goal <
// 150 MB: the image streams, it is never held), where Drydock's time went (the artifact's record of
// the waits on the helper, on the archive relay and on the store's writer), dd with one page per read,
// the helper's read into 32 MiB tmpfs chunk files alone, and the engine's attach relay.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { DRYDOCK_BIN } from '../helpers/cli';
import { docker, removeContainers, runContainer, startTestCore } from '../helpers/docker';
import { waitFor } from '../helpers/wait';

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env.DRYDOCK_BENCH_MEMORY_MIB ?? 1024);
const DEBIAN = 'drydock-fixture/debian:bookworm';

// Perl builds the string at run time (a constant would be folded and copied): SIZE_MIB MiB of 'Z'
// in one malloc'ed (so mmap'ed, anonymous) buffer, every page written.
const HOLDER = 'my $x = $ARGV[1] x ($ARGV[0] * 1048576); $| = 1; print "ready\\n"; sleep 3600;';

/**
 * A shell line timing `cmd` with /proc/uptime (10 ms steps: busybox dd here prints no rate, busybox
 * date has no %N); the helper prints "@t START END" after dd's own record counts.
 */
function timed(cmd: string): string {
  return `read a _ < /proc/uptime; ${cmd}; read b _ < /proc/uptime; echo "@t $a $b"`;
}

/** Seconds between the two uptime readings of timed(), and dd's full-record count ("N+M records in"). */
function ddSeconds(output: string): { seconds: number; records: string } {
  const t = /@t ([\d.]+) ([\d.]+)/.exec(output);
  const r = /(\d+\+\d+) records in/.exec(output);
  if (!t || !r) throw new Error(`no timing or dd record counts in: ${output.slice(-400)}`);
  return { seconds: Math.max(0.01, Number(t[2]) - Number(t[1])), records: r[1] ?? '' };
}

/**
 * Peak RSS of the built `drydock memory` imaging the same process into a store of its own: its
 * VmHWM (the kernel's high-water mark) read every 100 ms until it exits. Bytes.
 */
async function cliPeakRss(container: string): Promise<{ peak: number; seconds: number; code: number | null }> {
  const store = mkdtempSync(path.join(tmpdir(), 'drydock-bench-memory-cli-'));
  const started = performance.now();
  const child = spawn(process.execPath, [DRYDOCK_BIN, 'memory', container, '--pid', '1', '--store', store, '--json'], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, DRYDOCK_EXAMINER: 'bench' },
  });
  let peak = 0;
  const sample = () => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb) peak = Math.max(peak, Number(kb) * 1024);
    } catch {
      // Exited between two samples.
    }
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  rmSync(store, { recursive: true, force: true });
  return { peak, seconds: (performance.now() - started) / 1000, code };
}

async function main(): Promise<void> {
  execFileSync('bash', ['test/fixtures/build-images.sh'], { stdio: 'ignore' });
  const t = startTestCore('drydock-bench-memory');
  const ids: string[] = [];
  try {
    const holder = runContainer(['--name', `dd-bench-mem-${process.pid}`, DEBIAN, 'perl', '-e', HOLDER, String(SIZE_MIB), 'Z']);
    ids.push(holder);
    await waitFor(() => docker(['logs', holder]).includes('ready'), { what: 'the holder to fill its region', timeoutMs: 300_000 });
    // The region, from the host's view of the same process (this bench runs on the engine's machine).
    const hostPid = docker(['inspect', '-f', '{{.State.Pid}}', holder]);
    const region = readFileSync(`/proc/${hostPid}/maps`, 'utf8')
      .split('\n')
      .map((line) => /^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0\s*$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`) }))
      .sort((a, b) => Number(b.end - b.start - (a.end - a.start)))[0];
    if (!region || region.end - region.start < BigInt(SIZE_MIB * MIB))
      throw new Error('no anonymous region of the asked size in the holder');
    const firstPage = region.start / 4096n;
    const pages = Number((region.end - region.start) / 4096n);

    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'memory bench' });
    const helperImage = (await t.call('capture.settings', {})).bundle.tag;
    if (!helperImage) throw new Error('no helper bundle: run npm run build:helper first');

    const rssBefore = process.resourceUsage().maxRSS * 1024;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let streamStart = 0;
    let streamEnd = 0;
    const off = t.core.events.subscribe((event, payload) => {
      if (event !== 'memory.progress') return;
      const p = payload as { bytesDone: number; bytesTotal: number };
      if (!streamStart) streamStart = performance.now();
      if (p.bytesDone === p.bytesTotal) streamEnd = performance.now();
    });
    const result = await t.call('memory.acquire', { host: 'local', container: holder, pid: 1 });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    off();
    const rssAfter = process.resourceUsage().maxRSS * 1024;
    const image = result.images[0];
    if (!image) throw new Error(`no image: ${JSON.stringify(result.failures)}`);
    if (image.incomplete) throw new Error(`the image is incomplete: ${image.incomplete}`);

    const helper = (cmd: string) =>
      docker([
        'run',
        '--rm',
        '--label',
        'drydock.test=1',
        '--pid',
        `container:${holder}`,
        '--network',
        `container:${holder}`,
        '--cap-drop',
        'ALL',
        '--cap-add',
        'SYS_PTRACE',
        '--read-only',
        '--security-opt',
        'no-new-privileges',
        '--user',
        '0:0',
        helperImage,
        'sh',
        '-c',
        `{ ${cmd}; } 2>&1`,
      ]);
    // dd as fast as it reads: 1 MiB reads (skip and count in bytes, so the region need not be MiB-aligned).
    const regionBytes = Number(region.end - region.start);
    const big = ddSeconds(
      helper(timed(`dd if=/proc/1/mem of=/dev/null bs=1048576 iflag=skip_bytes,count_bytes skip=${region.start} count=${regionBytes}`)),
    );
    // dd as Drydock's reader runs it: one page per read.
    const paged = ddSeconds(helper(timed(`dd if=/proc/1/mem of=/dev/null ibs=4096 obs=1048576 skip=${firstPage} count=${pages}`)));

    // The engine's own relay of a helper's stdout (container pipe -> shim -> dockerd -> client), as
    // the docker CLI gets it, with the same read size and no engine log: what any attach-based reader
    // can reach on this engine.
    const relayStart = performance.now();
    const relayed = execFileSync(
      'bash',
      [
        '-c',
        `docker run --rm --log-driver none --label drydock.test=1 --pid container:${holder} --cap-drop ALL --cap-add SYS_PTRACE --read-only --user 0:0 ${helperImage} sh -c 'dd if=/proc/1/mem ibs=4096 obs=1048576 skip=${firstPage} count=${pages} 2>/dev/null' | wc -c`,
      ],
      { encoding: 'utf8' },
    );
    const relaySeconds = (performance.now() - relayStart) / 1000;
    const relayBytes = Number(relayed.trim());
    // The helper's side of the archive transport alone: the same 1 MiB reads into 32 MiB chunk files
    // on a tmpfs volume, each deleted once written (nothing fetched).
    const chunkPages = 8192;
    const volume = `dd-bench-mem-scratch-${process.pid}`;
    docker([
      'volume',
      'create',
      '--label',
      'drydock.test=1',
      '--driver',
      'local',
      '--opt',
      'type=tmpfs',
      '--opt',
      'device=tmpfs',
      '--opt',
      'o=size=80m',
      volume,
    ]);
    let chunkedHelper: { seconds: number; records: string };
    try {
      const loop = `s=${firstPage}; left=${pages}; while [ $left -gt 0 ]; do t=${chunkPages}; [ $t -gt $left ] && t=$left; dd if=/proc/1/mem of=/scratch/c bs=1048576 iflag=skip_bytes,count_bytes skip=$((s*4096)) count=$((t*4096)); rm /scratch/c; s=$((s+t)); left=$((left-t)); done`;
      chunkedHelper = ddSeconds(
        docker([
          'run',
          '--rm',
          '--label',
          'drydock.test=1',
          '--pid',
          `container:${holder}`,
          '--network',
          'none',
          '--cap-drop',
          'ALL',
          '--cap-add',
          'SYS_PTRACE',
          '--read-only',
          '--security-opt',
          'no-new-privileges',
          '--user',
          '0:0',
          '-v',
          `${volume}:/scratch`,
          helperImage,
          'sh',
          '-c',
          `{ ${timed(loop)}; } 2>&1`,
        ]),
      );
    } finally {
      docker(['volume', 'rm', '-f', volume]);
    }
    // SHA-256 alone, in this process, over as many bytes as the region (1 MiB buffers).
    const hashStart = performance.now();
    const hash = createHash('sha256');
    const block = Buffer.alloc(MIB, 0x5a);
    for (let done = 0; done < regionBytes; done += MIB) hash.update(block);
    hash.digest();
    const hashSeconds = (performance.now() - hashStart) / 1000;
    const info = await t.call('evidence.artifact', { artifactId: image.artifactId });
    const attrs = info.attributes as {
      transport?: string;
      transferSeconds?: number;
      readWindowSeconds?: number;
      scratchWindowBytes?: number;
      transferTimings?: { chunks: number; waitHelper: number; archive: number; store: number; fetchedDuringRead: number };
    };
    const cli = await cliPeakRss(holder);
    const mibs = (bytes: number, s: number) => `${(bytes / MIB / s).toFixed(0)} MiB/s`;
    const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
    const streamSeconds = streamEnd && streamStart ? (streamEnd - streamStart) / 1000 : seconds;
    console.log(
      `memory: Drydock imaged PID 1 (${(image.memoryBytes / MIB).toFixed(0)} MiB in ${image.regions} regions, ELF core ${(image.bytes / MIB).toFixed(0)} MiB) in ${seconds.toFixed(2)} s (${mibs(image.memoryBytes, seconds)}; the region stream alone ${streamSeconds.toFixed(2)} s, ${mibs(image.memoryBytes, streamSeconds)})`,
    );
    console.log(
      `memory: dd in the same helper, ${(regionBytes / MIB).toFixed(0)} MiB to /dev/null: 1 MiB reads ${mibs(regionBytes, big.seconds)} (${big.records} records); 4 KiB reads ${mibs(regionBytes, paged.seconds)} (${paged.records} records)`,
    );
    console.log(
      `memory: the same dd through the engine's attach relay to the docker CLI (| wc -c): ${(relayBytes / MIB).toFixed(0)} MiB in ${relaySeconds.toFixed(2)} s, ${mibs(relayBytes, relaySeconds)} (container start included)`,
    );
    console.log(
      `memory: Drydock's own CPU during the acquisition: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of ${seconds.toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, system ${(cpu.system / 1e6).toFixed(2)})`,
    );
    const tt = attrs.transferTimings;
    console.log(
      `memory: transport ${attrs.transport ?? '?'}; the helper run ${(attrs.transferSeconds ?? 0).toFixed(2)} s of ${seconds.toFixed(2)} s (the rest: process detail, helper image check, volume create/remove, the store's finish)` +
        (tt
          ? `; in it, ${tt.chunks} chunks: waiting on the helper ${tt.waitHelper.toFixed(2)} s, on the archive relay ${tt.archive.toFixed(2)} s, on the store's writer ${tt.store.toFixed(2)} s; ${tt.fetchedDuringRead} fetched while the helper was still reading`
          : ''),
    );
    console.log(
      `memory: stages alone: the helper reading into 32 MiB tmpfs chunk files ${chunkedHelper.seconds.toFixed(2)} s (${mibs(regionBytes, chunkedHelper.seconds)}); dd with 4 KiB reads to /dev/null ${paged.seconds.toFixed(2)} s (${mibs(regionBytes, paged.seconds)}); SHA-256 of ${(regionBytes / MIB).toFixed(0)} MiB in this process ${hashSeconds.toFixed(2)} s (${mibs(regionBytes, hashSeconds)})`,
    );
    const ddRate = regionBytes / big.seconds;
    const window = attrs.readWindowSeconds;
    const archiveRate = tt && tt.archive > 0 ? image.memoryBytes / tt.archive : null;
    console.log(
      `memory: read window (the helper's first read of /proc/PID/mem to its last, ${(image.memoryBytes / MIB).toFixed(0)} MiB, up to ${((attrs.scratchWindowBytes ?? 0) / MIB).toFixed(0)} MiB of chunk files ahead of Drydock's fetch): ${window === undefined ? 'not recorded' : `${window.toFixed(2)} s (${mibs(image.memoryBytes, Math.max(0.01, window))})`}; dd with 1 MiB reads ${big.seconds.toFixed(2)} s (${mibs(regionBytes, big.seconds)})`,
    );
    console.log(
      `RATIO memory read window Drydock/dd (the helper's first read to its last vs dd with 1 MiB reads, same helper, same run): ${window === undefined ? 'n/a' : (image.memoryBytes / Math.max(0.01, window) / ddRate).toFixed(3)} (goal >= 0.8)`,
    );
    console.log(
      `RATIO memory end to end Drydock/dd (the whole acquisition into the store, hashed and fsync'd, vs dd with 1 MiB reads): ${(image.memoryBytes / seconds / ddRate).toFixed(3)} (ceiling: SHA-256 in this process / dd = ${(regionBytes / hashSeconds / ddRate).toFixed(3)}; the archive endpoint relayed at ${archiveRate === null ? '?' : mibs(archiveRate, 1)} while Drydock waited on it = ${archiveRate === null ? '?' : (archiveRate / ddRate).toFixed(3)} of dd)`,
    );
    console.log(
      `memory: for comparison, the whole acquisition vs dd with 4 KiB reads: ${(image.memoryBytes / seconds / (regionBytes / paged.seconds)).toFixed(3)}; vs dd | docker CLI through the attach relay: ${(image.memoryBytes / seconds / (relayBytes / relaySeconds)).toFixed(3)}`,
    );
    console.log(
      `memory: load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${cpus().length} cores); peak RSS of the built drydock memory imaging the same process: ${mb(cli.peak)} in ${cli.seconds.toFixed(1)} s, exit ${cli.code} (goal < 150 MB); this bench process (tsx, the core in-process): ${mb(rssBefore)} before, ${mb(rssAfter)} after`,
    );
  } finally {
    removeContainers(ids);
    await t.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
