// Capture completeness under sustained load: a UDP generator in one container sends small
// datagrams to another for DRYDOCK_BENCH_SECONDS (60 by default) at DRYDOCK_BENCH_PPS packets/s
// ('max' by default: as fast as it can, the highest rate the generator reaches here: 48k
// packets/s on this 2-core machine at load 4, 17k at load 15); Drydock captures in the receiver's
// namespace and is stopped by the user once the generator is done. Printed, one line per stage from the wire to the disk:
//   generator   datagrams sent (its own count) and the rate it sustained
//   kernel      packets received by tcpdump's filter and dropped by the kernel (tcpdump's counters)
//   tcpdump     packets tcpdump wrote ("captured")
//   attach      bytes that crossed the engine's attach stream, and the packets framed from them
//   store       packets in the stored pcap (its records counted from the store's copy)
// then RATIO stored/received-by-filter (goal >= 0.99; kernel drops count as losses) with PASS or
// MISS, the load average, and the peak RSS of this process (Drydock's core runs in it): memory
// must stay flat however large the pcap grows, since the pcap streams into the store.
// The generator runs as a child process (never execFileSync): a blocked event loop here would
// stop reading the attach stream, which is the very stage being measured.
import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PcapReader } from '../../main/core/capture/pcap-reader';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, TEST_LABEL } from '../helpers/docker';
import { sendUdp } from '../helpers/udp-generator';

const RATE_SETTING = process.env.DRYDOCK_BENCH_PPS ?? 'max';
const RATE = RATE_SETTING === 'max' ? 0 : Number(RATE_SETTING);
const SECONDS = Number(process.env.DRYDOCK_BENCH_SECONDS ?? 60);
const GOAL = 0.99;
/** About how long the generator takes to start sending (docker run, then the next whole second). */
const GENERATOR_START_MS = 1500;
/**
 * Blocks this process's event loop for this long at the end of the load (0: never), the stop
 * coming right after: how long a stall of the reader the kernel's ring absorbs, and whether the
 * stop still stores the backlog it leaves in the ring.
 */
const STALL_MS = Number(process.env.DRYDOCK_BENCH_STALL_MS ?? 0);

/** Records and bytes of a pcap file, read as a stream (the file can be hundreds of MiB). */
async function countRecords(file: string): Promise<{ records: number; truncated: boolean }> {
  let records = 0;
  const reader = new PcapReader(() => records++);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) reader.push(chunk as Buffer);
  reader.end();
  return { records, truncated: reader.truncated };
}

/** capinfos' packet count when Wireshark's tools are installed (a second, independent reading of the pcap). */
async function capinfosCount(file: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('capinfos', ['-M', '-c', file]);
    return /Number of packets:\s*(\d+)/.exec(stdout)?.[1] ?? '?';
  } catch (err) {
    return `unreadable (${(err as Error).message.split('\n')[0]})`;
  }
}

/** Frames tshark reads from the pcap (DRYDOCK_BENCH_TSHARK=1: a full dissection, slow on a large pcap). */
async function tsharkCount(file: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('tshark', ['-n', '-r', file, '-q', '-z', 'io,stat,0'], { maxBuffer: 1 << 20 });
    return /\|\s*Frames\s*\|[\s\S]*?\|[^|]*\|\s*(\d+)\s*\|/.exec(stdout)?.[1] ?? stdout.trim().split('\n').slice(-3).join(' ');
  } catch (err) {
    return `unreadable (${(err as Error).message.split('\n')[0]})`;
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

async function main(): Promise<void> {
  await promisify(execFile)('bash', ['test/fixtures/build-images.sh']);
  const t = startTestCore('drydock-bench-capture');
  const net = `dd-bench-cap-${process.pid}`;
  const ids: string[] = [];
  const out = mkdtempSync(path.join(tmpdir(), 'drydock-bench-capture-'));
  try {
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    const receiver = runContainer(['--name', `${net}-rx`, '--network', net, BUSYBOX, 'sleep', '3600']);
    ids.push(receiver);
    const ip = docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, receiver]);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'capture bench' });
    const loadBefore = load();
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    // RSS every 250 ms; its highest value in each tenth of the run shows whether memory follows the pcap's size.
    const rssSamples: { at: number; rss: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(() => rssSamples.push({ at: Date.now() - t0, rss: process.memoryUsage().rss }), 250);
    const started = await t.call('capture.start', {
      host: 'local',
      container: receiver,
      summarize: false,
      options: { interface: 'eth0', filter: 'udp port 9999' },
    });
    const stall = STALL_MS
      ? setTimeout(
          () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALL_MS),
          Math.max(0, SECONDS * 1000 + GENERATOR_START_MS - STALL_MS),
        )
      : undefined;
    const sent = await sendUdp(net, ip, RATE, SECONDS);
    clearTimeout(stall);
    const loadDuring = load();
    const stopAsked = Date.now();
    const info = await t.call('capture.stop', { captureId: started.id });
    const stopMs = Date.now() - stopAsked;
    clearInterval(sampler);
    const rssAfter = process.resourceUsage().maxRSS * 1024;
    const file = path.join(out, 'bench.pcap');
    await t.call('capture.export', { artifactId: info.pcap!.artifactId, path: file });
    const stored = await countRecords(file);
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    const tcp = info.tcpdump ?? {};
    const received = tcp.receivedByFilter ?? NaN;
    const ratio = stored.records / received;
    console.log(
      `capture: generator  sent ${sent} datagrams in ${SECONDS} s = ${Math.round(sent / SECONDS)} packets/s sustained (asked ${RATE || 'max'})`,
    );
    console.log(`capture: kernel     received by filter ${received}, dropped by kernel ${tcp.droppedByKernel ?? '?'}`);
    console.log(`capture: tcpdump    wrote ${tcp.captured ?? '?'} packets (exit: ${info.stopReason}, pcap ${info.pcap?.status})`);
    console.log(
      `capture: attach     ${info.attach?.stdoutBytes ?? '?'} pcap bytes (${mib(info.attach?.stdoutBytes ?? 0)}) + ${info.attach?.stderrBytes ?? '?'} stderr bytes crossed, ${info.counters.packets} packets framed`,
    );
    console.log(
      `capture: store      ${stored.records} packets stored${stored.truncated ? ' (last record cut)' : ''}; capinfos reads ${await capinfosCount(file)}${process.env.DRYDOCK_BENCH_TSHARK === '1' ? `, tshark -r reads ${await tsharkCount(file)}` : ''}`,
    );
    if (STALL_MS) console.log(`capture: this process's event loop was blocked for ${STALL_MS} ms at the end of the load`);
    console.log(
      `capture: capture ran ${(info.counters.elapsedMs / 1000).toFixed(1)} s, its stop took ${stopMs} ms (ring drained, pcap stored); load average ${loadBefore} before, ${loadDuring} at the end of the load (2 cores)`,
    );
    console.log(`RATIO capture stored/received-by-filter: ${ratio.toFixed(4)} (goal >= ${GOAL}) ${ratio >= GOAL ? 'PASS' : 'MISS'}`);
    console.log(`RATIO capture stored/sent: ${(stored.records / sent).toFixed(4)}`);
    console.log(
      `capture: peak RSS ${mib(rssBefore)} before, ${mib(rssAfter)} after (growth ${mib(rssAfter - rssBefore)}, during a ${mib(info.counters.bytes)} pcap)`,
    );
    const span = Math.max(1, ...rssSamples.map((r) => r.at));
    const tenths = Array.from({ length: 10 }, (_, i) =>
      Math.max(0, ...rssSamples.filter((r) => Math.min(9, Math.floor((r.at / span) * 10)) === i).map((r) => r.rss)),
    );
    console.log(`capture: RSS highest in each tenth of the run: ${tenths.map((r) => (r ? (r / 1048576).toFixed(0) : '-')).join(' ')} MiB`);
  } finally {
    removeContainers(ids);
    try {
      docker(['network', 'rm', net]);
    } catch {
      // Already gone.
    }
    rmSync(out, { recursive: true, force: true });
    await t.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
