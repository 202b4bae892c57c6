// A UDP load generator for capture tests and the capture bench: a container on the target's
// network sends small datagrams to port 9999 of the target and reports how many it sent.
import { spawn } from 'node:child_process';
import { TEST_LABEL } from './docker';

const DEBIAN = 'drydock-fixture/debian:bookworm';

// Perl (perl-base is in every Debian image, without Time::HiRes) sends RATE datagrams of 64 bytes
// in each wall-clock second (0: as many as it can), in bursts about a millisecond apart; a second
// that fell short makes the bursts larger, since a millisecond's sleep takes longer than that on a
// busy machine. It starts on a second boundary and prints how many datagrams it sent.
const GENERATOR = `
use IO::Socket::INET;
my ($host, $rate, $secs) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => 9999, Proto => 'udp') or die "socket: $!";
my $payload = 'x' x 64; my $sent = 0; my $burst = $rate ? (int($rate / 1000) || 1) : 256;
my $t0 = time; 1 while time == $t0;
my $second = time; my $end = $second + $secs; my $quota = $rate || -1;
while ((my $now = time) < $end) {
  if ($now != $second) {
    $burst = int($burst * $rate / ($rate - $quota + 1)) + 1 if $rate && $quota > 0;
    $second = $now; $quota = $rate || -1;
  }
  if ($quota == 0) { select(undef, undef, undef, 0.005); next; }
  for (1 .. $burst) { last if $quota == 0; $s->send($payload) and ($sent++, $quota--); }
  select(undef, undef, undef, 0.0009) if $rate;
}
print "$sent\\n";
`;

/**
 * Sends UDP datagrams to `ip`:9999 from a throwaway container on `network` for `seconds` whole
 * seconds at `rate` datagrams per second (0: as fast as it can); resolves with the number sent
 * as soon as the generator says it (its container is removed after that, on its own).
 * A child process, never execFileSync: the event loop stays free to read whatever is being
 * measured meanwhile.
 */
export function sendUdp(network: string, ip: string, rate: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'docker',
      ['run', '--rm', '--label', TEST_LABEL, '--network', network, DEBIAN, 'perl', '-e', GENERATOR, ip, String(rate), String(seconds)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // The count comes with the last datagram; the container takes a second or more to go after it.
      if (/^\d+\n/.test(out)) resolve(Number(out.trim()));
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const sent = Number(out.trim());
      if (code === 0 && out.trim() !== '' && Number.isInteger(sent)) resolve(sent);
      else reject(new Error(`the UDP generator exited ${code}: ${out.trim()} ${err.trim()}`));
    });
  });
}
