// Capture completeness under load: a UDP generator in one container sends small datagrams at a
// fixed rate (50k packets/s by default) to another; Drydock captures in the receiver's namespace.
// Printed: packets Drydock stored as a ratio to the packets the kernel delivered to tcpdump's
// filter in the same run (tcpdump's own closing counters) and to the packets the generator sent
// (goal >= 0.99 at 50k packets/s), tcpdump's kernel drops, and this process's peak RSS before and
// after (memory must stay flat: the pcap streams into the store).
import { execFileSync } from 'node:child_process';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, TEST_LABEL } from '../helpers/docker';

const RATE = Number(process.env.DRYDOCK_BENCH_PPS ?? 50_000);
const SECONDS = Number(process.env.DRYDOCK_BENCH_SECONDS ?? 8);
const DEBIAN = 'drydock-fixture/debian:bookworm';

// Perl (perl-base is in every Debian image, without Time::HiRes) sends at most RATE datagrams in
// each wall-clock second, in bursts about a millisecond apart, and prints how many it sent.
const GENERATOR = `
use IO::Socket::INET;
my ($host, $rate, $secs) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => 9999, Proto => 'udp') or die "socket: $!";
my $payload = 'x' x 64; my $sent = 0; my $burst = int($rate / 1000) || 1;
my $end = time + $secs; my $second = time; my $quota = $rate;
while ((my $now = time) < $end) {
  if ($now != $second) { $second = $now; $quota = $rate; }
  for (1 .. $burst) { last if $quota <= 0; $s->send($payload) and ($sent++, $quota--); }
  select(undef, undef, undef, 0.0009);
}
print "$sent\\n";
`;

async function main(): Promise<void> {
  execFileSync('bash', ['test/fixtures/build-images.sh'], { stdio: 'ignore' });
  const t = startTestCore('drydock-bench-capture');
  const net = `dd-bench-cap-${process.pid}`;
  const ids: string[] = [];
  try {
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    const receiver = runContainer(['--name', `${net}-rx`, '--network', net, BUSYBOX, 'sleep', '3600']);
    ids.push(receiver);
    const ip = docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, receiver]);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'capture bench' });
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    const started = await t.call('capture.start', {
      host: 'local',
      container: receiver,
      summarize: false,
      options: { interface: 'eth0', filter: 'udp port 9999', durationSeconds: SECONDS + 6 },
    });
    await new Promise((r) => setTimeout(r, 2000));
    const sent = Number(
      docker(['run', '--rm', '--label', TEST_LABEL, '--network', net, DEBIAN, 'perl', '-e', GENERATOR, ip, String(RATE), String(SECONDS)]),
    );
    const info = await t.call('capture.wait', { captureId: started.id });
    const rssAfter = process.resourceUsage().maxRSS * 1024;
    const stored = info.counters.packets;
    const delivered = info.tcpdump?.receivedByFilter ?? NaN;
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    console.log(
      `capture: generator sent ${sent} datagrams in ${SECONDS} s (${Math.round(sent / SECONDS)} packets/s asked ${RATE}); pcap ${mib(info.counters.bytes)} stored as ${info.pcap?.status}`,
    );
    console.log(
      `capture: tcpdump counters: received by filter ${delivered}, captured ${info.tcpdump?.captured ?? '?'}, dropped by kernel ${info.tcpdump?.droppedByKernel ?? '?'}`,
    );
    console.log(`RATIO capture stored/delivered-to-filter: ${(stored / delivered).toFixed(4)} (goal >= 0.99)`);
    console.log(`RATIO capture stored/sent: ${(stored / sent).toFixed(4)} (goal >= 0.99)`);
    console.log(
      `capture: peak RSS ${mib(rssBefore)} before, ${mib(rssAfter)} after (growth ${mib(rssAfter - rssBefore)} for a ${mib(info.counters.bytes)} pcap)`,
    );
  } finally {
    removeContainers(ids);
    try {
      docker(['network', 'rm', net]);
    } catch {
      // Already gone.
    }
    await t.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
