// A real multi-node Docker Swarm on this one machine, for the cluster tests: N throwaway dockerds,
// each in a network namespace of its own (its own docker0, docker_gwbridge, port 2377 and
// iptables) and a UTS namespace of its own (so each node has its own hostname, as real nodes do),
// with its own socket, data root, exec root and pidfile under /tmp/ddsw-<pid>/. The nodes reach
// each other through veth pairs into one Linux bridge that lives in a "hub" namespace of its own,
// not in the host's: the host's FORWARD policy is DROP with bridge netfilter on (the main engine's
// doing), and nothing here may touch the main engine's chains or interfaces. Nothing is created in
// the host's network namespace at all.
//
// Node 1 runs `docker swarm init`, the others `docker swarm join`. Fixture images are copied into
// every node (there is no registry: services must be created with --no-resolve-image).
//
// Leftovers of a crashed run (its owner process is gone) are swept at the next start: everything
// is named with the fixed prefix ddsw-<pid>, and the run's directory records its owner.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { waitFor } from './wait';

const PREFIX = 'ddsw';
/** The nodes' link network, private to the hub namespace (no route to it exists on the host). */
const SUBNET = '10.77.0';

export interface SwarmNode {
  /** 1-based; node 1 is the manager that initialised the swarm. */
  index: number;
  /** Its hostname (own UTS namespace): what `docker node ls` shows. */
  hostname: string;
  /** Its address on the nodes' link (advertised to the swarm). */
  address: string;
  socket: string;
  /** unix:// URL of its socket, for `docker -H` and Drydock's --host. */
  host: string;
  /** Its swarm node ID. */
  nodeId: string;
  /** Its network namespace (under /run/netns). */
  netns: string;
  docker(): Dockerode;
}

export interface Swarm {
  dir: string;
  nodes: SwarmNode[];
  manager: SwarmNode;
  /**
   * SIGKILLs one node's dockerd (a node lost: its containers keep running, the manager stops
   * hearing from it) and waits for it to exit.
   */
  killNode(index: number): Promise<void>;
  /** Kills every daemon and container of the swarm, deletes its namespaces and its directory. Idempotent. */
  teardown(): Promise<void>;
}

export interface SwarmOptions {
  /** How many nodes (default 3). */
  nodes?: number;
  /** Images copied from the main engine into every node. */
  images?: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function tryRun(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** PID → parent PID and command line of every process. */
function processTable(): Map<number, { ppid: number; cmdline: string }> {
  const table = new Map<number, { ppid: number; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    const cmdline = readText(`/proc/${entry}/cmdline`);
    if (stat === undefined || cmdline === undefined) continue;
    // The command name in parentheses may hold spaces and parentheses: the fields follow the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    table.set(Number(entry), { ppid, cmdline: cmdline.replace(/\0/g, ' ') });
  }
  return table;
}

/** The cgroup directories (v1 and v2) of a process, under /sys/fs/cgroup. */
function cgroupDirs(pid: number): string[] {
  const text = readText(`/proc/${pid}/cgroup`) ?? '';
  const dirs: string[] = [];
  for (const line of text.split('\n')) {
    const [, controllers, where] = line.split(':');
    if (!where || where === '/' || controllers === undefined) continue;
    const mount = controllers === '' ? 'unified' : controllers.replace(/^name=/, '');
    dirs.push(path.join('/sys/fs/cgroup', mount, where));
  }
  return dirs;
}

/**
 * Kills everything a run's directory names on its command line (its dockerds, their containerds and
 * shims) and every descendant of those (the containers' processes: killing a container's init ends
 * its PID namespace), then removes the containers' emptied cgroups.
 */
async function killRunProcesses(dir: string): Promise<void> {
  const table = processTable();
  const roots = [...table].filter(([pid, p]) => pid !== process.pid && p.cmdline.includes(dir)).map(([pid]) => pid);
  const doomed = new Set<number>(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of table)
      if (!doomed.has(pid) && doomed.has(p.ppid)) {
        doomed.add(pid);
        grew = true;
      }
  }
  const cgroups = new Set<string>();
  for (const pid of doomed) if (!roots.includes(pid)) for (const d of cgroupDirs(pid)) cgroups.add(d);
  for (const pid of doomed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  await waitFor(() => [...doomed].every((pid) => !alive(pid) || readText(`/proc/${pid}/stat`)?.includes(') Z ')), {
    what: `the processes of ${dir} to die`,
    timeoutMs: 30_000,
  });
  for (const d of cgroups) {
    try {
      rmdirSync(d);
    } catch {
      // Still in use by someone else, or already gone.
    }
  }
}

/** Unmounts everything under dir (namespaces' nsfs files, overlay and shm mounts), deepest first. */
function unmountUnder(dir: string): void {
  const mounts = (readText('/proc/mounts') ?? '')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) tryRun('umount', ['-l', m]);
}

function netnsList(): string[] {
  return readdirSync('/run/netns', { withFileTypes: true })
    .map((e) => e.name)
    .filter(Boolean);
}

/** Everything of one run, by its tag (ddsw-<pid>): processes, mounts, namespaces, directory. */
async function sweepRun(tag: string): Promise<void> {
  const dir = `/tmp/${tag}`;
  await killRunProcesses(`${dir}/`);
  unmountUnder(dir);
  if (existsSync('/run/netns')) for (const ns of netnsList()) if (ns.startsWith(`${tag}-`)) tryRun('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
}

/** Sweeps the leftovers of earlier runs whose owner process is gone. */
async function sweepLeftovers(): Promise<void> {
  const tags = new Set<string>();
  for (const entry of readdirSync('/tmp')) if (new RegExp(`^${PREFIX}-\\d+$`).test(entry)) tags.add(entry);
  if (existsSync('/run/netns')) for (const ns of netnsList()) tags.add(/^(ddsw-\d+)-/.exec(ns)?.[1] ?? '');
  tags.delete('');
  for (const tag of tags) {
    const owner = Number(readText(`/tmp/${tag}/owner`) ?? tag.slice(PREFIX.length + 1));
    if (owner !== process.pid && alive(owner)) continue;
    await sweepRun(tag);
  }
}

function nodeDocker(socket: string): Dockerode {
  return new Dockerode({ socketPath: socket });
}

/**
 * Builds a swarm of `options.nodes` (default 3) dockerds, node 1 its manager, every node Ready in
 * `docker node ls` and holding `options.images`. Throws (after tearing down what it made) when a
 * node does not come up; the error carries that dockerd's last log lines.
 */
export async function startSwarm(options: SwarmOptions = {}): Promise<Swarm> {
  const count = options.nodes ?? 3;
  await sweepLeftovers();
  const tag = `${PREFIX}-${process.pid}`;
  const dir = `/tmp/${tag}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'owner'), String(process.pid));
  const hub = `${tag}-hub`;
  const children: ChildProcess[] = [];
  const logs = new Map<number, string>();
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sweepRun(tag);
  };
  try {
    run('ip', ['netns', 'add', hub]);
    run('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', hub, 'link', 'set', 'br0', 'up']);
    const nodes: Omit<SwarmNode, 'nodeId'>[] = [];
    for (let index = 1; index <= count; index++) {
      const netns = `${tag}-n${index}`;
      const address = `${SUBNET}.${10 + index}`;
      const nodeDir = path.join(dir, `n${index}`);
      mkdirSync(nodeDir);
      run('ip', ['netns', 'add', netns]);
      run('ip', ['-n', hub, 'link', 'add', `v${index}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
      run('ip', ['-n', hub, 'link', 'set', `v${index}`, 'master', 'br0', 'up']);
      run('ip', ['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      run('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
      run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      // dockerd wants a default route to pick addresses by; the hub's side has none, which is fine.
      run('ip', ['-n', netns, 'route', 'add', 'default', 'dev', 'eth0']);
      const socket = path.join(nodeDir, 'docker.sock');
      const hostname = `${tag}-node${index}`;
      const args = [
        '--host',
        `unix://${socket}`,
        '--data-root',
        path.join(nodeDir, 'data'),
        '--exec-root',
        path.join(nodeDir, 'exec'),
        '--pidfile',
        path.join(nodeDir, 'docker.pid'),
        '--storage-driver',
        'vfs',
        '--ip6tables=false',
        // A registry a test starts on the nodes' link (plain HTTP, as on an isolated lab network).
        '--insecure-registry',
        `${SUBNET}.0/24`,
      ];
      // nsenter, not `ip netns exec` (that one remounts /sys and dockerd then finds no cgroups);
      // unshare --uts gives the node a hostname of its own without touching the machine's.
      const child = spawn(
        'nsenter',
        [`--net=/run/netns/${netns}`, 'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec dockerd "$@"', hostname, ...args],
        // Swarm's executor otherwise tries the registry first for every task (no network here: a
        // long timeout each); the images are already on every node.
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' } },
      );
      children.push(child);
      child.stderr?.on('data', (c: Buffer) => logs.set(index, ((logs.get(index) ?? '') + c.toString()).slice(-6000)));
      nodes.push({ index, hostname, address, socket, host: `unix://${socket}`, netns, docker: () => nodeDocker(socket) });
    }
    const logOf = (index: number) => `\n--- dockerd of node ${index} ---\n${logs.get(index) ?? ''}`;
    await Promise.all(
      nodes.map((node, i) =>
        waitFor(
          () => {
            const child = children[i]!;
            if (child.exitCode !== null)
              throw new Error(`dockerd of node ${node.index} exited (code ${child.exitCode})${logOf(node.index)}`);
            return node
              .docker()
              .ping()
              .then(
                () => true,
                () => false,
              );
          },
          { what: `dockerd of swarm node ${node.index} to answer on ${node.socket}`, timeoutMs: 90_000, intervalMs: 200 },
        ),
      ),
    );
    // One save, loaded into every node.
    if (options.images?.length) {
      const tar = path.join(dir, 'images.tar');
      execFileSync('docker', ['save', '-o', tar, ...options.images], { stdio: 'pipe' });
      await Promise.all(
        nodes.map(
          (node) =>
            new Promise<void>((resolve, reject) => {
              const load = spawn('docker', ['-H', node.host, 'load', '-q', '-i', tar], { stdio: ['ignore', 'ignore', 'pipe'] });
              let err = '';
              load.stderr.on('data', (c: Buffer) => (err += c.toString()));
              load.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loading images into node ${node.index}: ${err}`))));
            }),
        ),
      );
      rmSync(tar, { force: true });
    }
    const manager = nodes[0]!;
    run('docker', ['-H', manager.host, 'swarm', 'init', '--advertise-addr', manager.address]);
    const token = run('docker', ['-H', manager.host, 'swarm', 'join-token', '-q', 'worker']);
    await Promise.all(
      nodes.slice(1).map(
        (node) =>
          new Promise<void>((resolve, reject) => {
            const join = spawn(
              'docker',
              ['-H', node.host, 'swarm', 'join', '--token', token, '--advertise-addr', node.address, `${manager.address}:2377`],
              { stdio: ['ignore', 'ignore', 'pipe'] },
            );
            let err = '';
            join.stderr.on('data', (c: Buffer) => (err += c.toString()));
            join.on('exit', (code) =>
              code === 0 ? resolve() : reject(new Error(`node ${node.index} could not join: ${err}${logOf(node.index)}`)),
            );
          }),
      ),
    );
    const ids = new Map<string, string>();
    await waitFor(
      () => {
        const rows = run('docker', ['-H', manager.host, 'node', 'ls', '--format', '{{.ID}} {{.Hostname}} {{.Status}}'])
          .split('\n')
          .map((l) => l.split(' '));
        if (rows.length !== count || rows.some((r) => r[2] !== 'Ready')) return false;
        for (const [id, hostname] of rows) ids.set(hostname!, id!);
        return true;
      },
      { what: `all ${count} swarm nodes Ready in docker node ls`, timeoutMs: 90_000, intervalMs: 250 },
    );
    const full = nodes.map((node) => {
      const nodeId = ids.get(node.hostname);
      if (!nodeId) throw new Error(`node ${node.index} (${node.hostname}) is not in docker node ls`);
      return { ...node, nodeId };
    });
    const killNode = async (index: number) => {
      const child = children[index - 1];
      if (!child) throw new Error(`no node ${index}`);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    };
    return { dir, nodes: full, manager: full[0]!, killNode, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}
