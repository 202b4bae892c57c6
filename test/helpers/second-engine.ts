// A second, throwaway dockerd for capture tests: its own socket, data root, exec root and pidfile
// under /tmp, TLS on 127.0.0.1 with certificates made here by openssl, and its own bridge.
//
// Never `--bridge=none`: dockerd then deletes an interface named docker0 — the MAIN engine's
// default bridge, since both share the host's network namespace. A bridge of our own is safe.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Dockerode from 'dockerode';
import { waitFor } from './wait';

export interface SecondEngine {
  dir: string;
  socket: string;
  /** tcp://127.0.0.1:PORT (TLS, client certificate required). */
  tcpUrl: string;
  tls: { caFile: string; certFile: string; keyFile: string };
  /** Client over the unix socket (for test setup and checks). */
  docker(): Dockerode;
  /** SIGKILL the daemon (a crash: no graceful container shutdown). */
  kill(): Promise<void>;
  /** Start it again on the same data root. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function makeCertificates(dir: string): SecondEngine['tls'] & { serverCert: string; serverKey: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=dde test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server-key.pem', '-out', 'server.csr');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server-cert.pem',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=drydock', '-keyout', 'key.pem', '-out', 'client.csr');
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  run(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'client.ext',
    '-out',
    'cert.pem',
  );
  return {
    caFile: path.join(dir, 'ca.pem'),
    certFile: path.join(dir, 'cert.pem'),
    keyFile: path.join(dir, 'key.pem'),
    serverCert: path.join(dir, 'server-cert.pem'),
    serverKey: path.join(dir, 'server-key.pem'),
  };
}

export interface SecondEngineOptions {
  /** More dockerd flags (e.g. a deliberately weak or hardened configuration). */
  daemonArgs?: string[];
  /**
   * Run it in a network namespace of its own, so it may manage iptables (--icc=false needs that)
   * without touching the main engine's chains. Its TCP listener is then inside that namespace:
   * use the unix socket.
   */
  ownNetns?: boolean;
  /** The TCP listener without TLS (plain HTTP on 127.0.0.1), as a weak configuration has it. */
  plainTcp?: boolean;
}

/** Starts a dockerd; `images` are copied into it from the main engine (docker save | load). */
export async function startSecondEngine(prefix: string, images: string[], options: SecondEngineOptions = {}): Promise<SecondEngine> {
  const dir = mkdtempSync(`/tmp/${prefix}-dockerd-`);
  // --userns-remap refuses a data root whose parents the remapped root cannot traverse.
  if (options.daemonArgs?.some((a) => a.startsWith('--userns-remap'))) chmodSync(dir, 0o711);
  const netns = options.ownNetns ? `${prefix}ns${process.pid % 10000}` : undefined;
  const inNs = (args: string[]) => (netns ? ['-n', netns, ...args] : args);
  const socket = path.join(dir, 'docker.sock');
  const bridge = `${prefix}br${process.pid % 10000}`.slice(0, 15);
  const certs = makeCertificates(dir);
  const port = await freePort();
  if (netns) {
    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', inNs(['link', 'set', 'lo', 'up']));
  }
  execFileSync('ip', inNs(['link', 'add', bridge, 'type', 'bridge']));
  execFileSync('ip', inNs(['addr', 'add', `10.${200 + (process.pid % 50)}.${process.pid % 250}.1/24`, 'dev', bridge]));
  execFileSync('ip', inNs(['link', 'set', bridge, 'up']));
  let child: ChildProcess | undefined;
  const args = [
    '--host',
    `unix://${socket}`,
    '--host',
    `tcp://127.0.0.1:${port}`,
    ...(options.plainTcp ? [] : ['--tlsverify', '--tlscacert', certs.caFile, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey]),
    '--data-root',
    path.join(dir, 'data'),
    '--exec-root',
    path.join(dir, 'exec'),
    '--pidfile',
    path.join(dir, 'docker.pid'),
    '--bridge',
    bridge,
    // In the machine's own namespace, never touch iptables: dockerd would rebuild the main engine's chains.
    ...(netns ? ['--ip6tables=false'] : ['--iptables=false', '--ip6tables=false', '--ip-masq=false']),
    '--storage-driver',
    'vfs',
    ...(options.daemonArgs ?? []),
  ];
  const docker = () => new Dockerode({ socketPath: socket });
  const up = async () => {
    // nsenter, not `ip netns exec`: that one remounts /sys and dockerd then finds no cgroups.
    child = netns
      ? spawn('nsenter', [`--net=/run/netns/${netns}`, 'dockerd', ...args], { stdio: ['ignore', 'ignore', 'pipe'], detached: false })
      : spawn('dockerd', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
    const started = child;
    let log = '';
    started.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-8000)));
    try {
      await waitFor(
        () => {
          if (started.exitCode !== null) throw new Error(`dockerd exited (code ${started.exitCode})`);
          // Not answering yet is the condition still to come, not a failure.
          return docker()
            .ping()
            .then(
              () => true,
              () => false,
            );
        },
        { what: `the second dockerd to answer on ${socket}`, timeoutMs: 60_000, intervalMs: 250 },
      );
    } catch (err) {
      throw new Error(`second dockerd did not come up (${(err as Error).message}):\n${log}`);
    }
  };
  const waitExit = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise((r) => c.once('exit', r));
  };
  await up();
  for (const image of images) execFileSync('bash', ['-c', `docker save ${image} | docker -H unix://${socket} load -q`], { stdio: 'pipe' });
  return {
    dir,
    socket,
    tcpUrl: `tcp://127.0.0.1:${port}`,
    tls: { caFile: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile },
    docker,
    async kill() {
      child?.kill('SIGKILL');
      await waitExit();
      // Its containerd notices a moment later; a restart before that finds it half-alive.
      const pidfile = path.join(dir, 'exec', 'containerd', 'containerd.pid');
      const containerd = Number(readFileSync(pidfile, 'utf8').trim());
      if (Number.isInteger(containerd) && containerd > 0)
        await waitFor(() => !alive(containerd), { what: `the second engine's containerd (PID ${containerd}) to exit`, timeoutMs: 30_000 });
    },
    restart: up,
    async stop() {
      try {
        const list = await docker().listContainers({ all: true });
        await Promise.all(
          list.map((c) =>
            docker()
              .getContainer(c.Id)
              .remove({ force: true })
              .catch(() => undefined),
          ),
        );
      } catch {
        // Already down.
      }
      child?.kill('SIGTERM');
      await waitExit();
      // Shims of containers it ran (found by this engine's own paths on their command lines).
      for (const pid of processesMentioning(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      // Its containerd child and shims go with it; anything still mounted under dir is unmounted.
      const mounts = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1] ?? '')
        .filter((m) => m.startsWith(dir))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      try {
        if (netns) execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
        else execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
