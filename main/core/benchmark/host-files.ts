import type Dockerode from 'dockerode';
import type { AuditFn } from '../audit-fn';
import { DrydockFailure } from '../errors';
import { ensureHelperImage } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { runHelper } from '../helper/run';

// The host's files sections 1 and 3 of the benchmark ask about, read by a short-lived helper on the
// engine's host: no network, no capabilities, read-only root, and only the checked paths bound,
// read-only, at /host<path>. A path missing on the host makes the engine refuse the bind (the
// Mounts API never creates it, so no trace is left): that path is dropped, recorded as missing, and
// the helper created again with the others.

/** The unit files, sockets and configuration files the checks read, by where Debian, RHEL and Docker's packages put them. */
export const HOST_FILE_PATHS = {
  dockerService: ['/lib/systemd/system/docker.service', '/usr/lib/systemd/system/docker.service', '/etc/systemd/system/docker.service'],
  dockerSocketUnit: ['/lib/systemd/system/docker.socket', '/usr/lib/systemd/system/docker.socket', '/etc/systemd/system/docker.socket'],
  etcDocker: ['/etc/docker'],
  registryCerts: ['/etc/docker/certs.d'],
  daemonJson: ['/etc/docker/daemon.json'],
  etcDefaultDocker: ['/etc/default/docker'],
  etcSysconfigDocker: ['/etc/sysconfig/docker'],
  containerdSocket: ['/run/containerd/containerd.sock'],
  auditRules: ['/etc/audit/audit.rules'],
  group: ['/etc/group'],
} as const;

export type HostFileKey = keyof typeof HOST_FILE_PATHS;

export interface HostFileStat {
  path: string;
  uid: number;
  gid: number;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  type: string;
}

export interface HostFiles {
  /** Paths that exist, with their stat. */
  stats: Map<string, HostFileStat>;
  /** Paths the engine said do not exist on its host. */
  missing: Set<string>;
  /** Small text files read whole (audit rules, /etc/group, daemon.json), by path. */
  texts: Map<string, string>;
  /** The Docker socket checked (the engine's own unix socket, or /var/run/docker.sock). */
  dockerSocket: string;
}

const TEXT_FILES = new Set(['/etc/audit/audit.rules', '/etc/group', '/etc/docker/daemon.json']);
const MAX_ATTEMPTS = 24;
const MISSING = /bind source path does not exist: (\S+)/;

function quote(path: string): string {
  return `'${path.replace(/'/g, "'\\''")}'`;
}

/** The helper's script: one "S|path|uid|gid|octal mode|type" line per path, then each text file between markers. */
function script(paths: readonly string[]): string {
  const lines = paths.map(
    (p) => `stat -c 'S|${p.replace(/[|']/g, '_')}|%u|%g|%a|%F' ${quote(`/host${p}`)} || echo 'E|${p.replace(/[|']/g, '_')}'`,
  );
  for (const p of paths.filter((x) => TEXT_FILES.has(x)))
    lines.push(`echo 'T|${p}'; head -c 262144 ${quote(`/host${p}`)}; echo; echo 'T|end'`);
  return lines.join('\n');
}

/** Parses the helper's output (stat lines, then text files between markers). */
export function parseHostFileOutput(text: string): { stats: Map<string, HostFileStat>; texts: Map<string, string> } {
  const stats = new Map<string, HostFileStat>();
  const texts = new Map<string, string>();
  let current: string | undefined;
  let body: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('T|')) {
      const name = line.slice(2);
      if (current !== undefined) texts.set(current, body.join('\n'));
      current = name === 'end' ? undefined : name;
      body = [];
      continue;
    }
    if (current !== undefined) {
      body.push(line);
      continue;
    }
    const m = /^S\|([^|]+)\|(\d+)\|(\d+)\|([0-7]+)\|(.*)$/.exec(line);
    if (m)
      stats.set(m[1] as string, {
        path: m[1] as string,
        uid: Number(m[2]),
        gid: Number(m[3]),
        mode: parseInt(m[4] as string, 8),
        type: m[5] as string,
      });
  }
  return { stats, texts };
}

export interface HostFileReadRequest {
  host: string;
  ledger: HelperLedger;
  audit: AuditFn;
  caseId?: string;
  /** The engine's own socket when it listens on a unix socket of this host. */
  dockerSocket: string;
  helperImageOverride?: string | null;
}

/**
 * Reads the checked paths on the engine's host through one helper (created again without each
 * path the engine reports missing).
 * @throws DrydockFailure('engine') when the helper fails or times out; the helper image's own failures.
 */
export async function readHostFiles(docker: Dockerode, request: HostFileReadRequest): Promise<HostFiles> {
  const image = (
    await ensureHelperImage(docker, { host: request.host, override: request.helperImageOverride ?? null, audit: request.audit })
  ).image;
  let paths: string[] = [...new Set([...Object.values(HOST_FILE_PATHS).flat(), request.dockerSocket])];
  const missing = new Set<string>();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const run = await runHelper(docker, {
        ledger: request.ledger,
        host: request.host,
        ...(request.caseId !== undefined ? { caseId: request.caseId } : {}),
        image,
        hostPaths: paths,
        cmd: ['sh', '-c', script(paths)],
        purpose: 'benchmark-host-files',
        timeoutMs: 30_000,
        maxOutputBytes: 2 * 1024 * 1024,
      });
      if (run.timedOut)
        throw new DrydockFailure('engine', `Reading the host files of host ${request.host} timed out`, { host: request.host });
      const parsed = parseHostFileOutput(run.stdout.toString('utf8'));
      return { ...parsed, missing, dockerSocket: request.dockerSocket };
    } catch (err) {
      const message = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message ?? '';
      const gone = MISSING.exec(message)?.[1];
      if (!gone || !paths.includes(gone))
        throw err instanceof DrydockFailure
          ? err
          : new DrydockFailure('engine', `Reading the host files of host ${request.host} failed: ${message}`, {
              host: request.host,
              cause: err,
            });
      missing.add(gone);
      paths = paths.filter((p) => p !== gone);
      if (paths.length === 0) return { stats: new Map(), texts: new Map(), missing, dockerSocket: request.dockerSocket };
    }
  }
  throw new DrydockFailure(
    'engine',
    `Reading the host files of host ${request.host}: the engine refused the helper ${MAX_ATTEMPTS} times`,
    { host: request.host },
  );
}
