import type { ContainerInspectInfo } from 'dockerode';
import { RISK_SEVERITIES, type RiskFlag, type RiskSeverity } from '../../../shared/domain/inventory';

/** What the engine says about the container's image, looked up separately from the container. */
export interface ImageFacts {
  /** The image ID is no longer on the host. */
  missing: boolean;
  /** The image has no repository tag left. */
  dangling: boolean;
}

/** Capabilities that are, in practice, a way out of the container or onto the host's network. */
const DANGEROUS_CAPS = new Set([
  'ALL',
  'SYS_ADMIN',
  'SYS_PTRACE',
  'SYS_MODULE',
  'SYS_RAWIO',
  'DAC_READ_SEARCH',
  'DAC_OVERRIDE',
  'NET_ADMIN',
  'NET_RAW',
  'BPF',
  'PERFMON',
  'SYS_BOOT',
  'SYSLOG',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'SETFCAP',
]);

const SENSITIVE_PATHS = [
  '/',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/home',
  '/var/run',
  '/run',
  '/var/lib/docker',
  '/var/lib/kubelet',
  '/var/log',
  '/lib/modules',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
];

const DOCKER_SOCKETS = /(^|\/)(docker|containerd|podman|crio)\.sock$|\/run\/containerd(\/|$)/;

function normalizeCap(cap: string): string {
  return cap.toUpperCase().replace(/^CAP_/, '');
}

/** The sensitive path a bind source is, or lies under (e.g. /home/alice → /home). */
function sensitiveRoot(source: string): string | undefined {
  const clean = source.replace(/\/+$/, '') || '/';
  if (clean === '/') return '/';
  return SENSITIVE_PATHS.find((p) => p !== '/' && (clean === p || clean.startsWith(`${p}/`)));
}

function isRootUser(user: string): boolean {
  const name = user.split(':')[0]?.trim() ?? '';
  return name === '' || name === '0' || name === 'root';
}

function securityOpt(opts: string[] | undefined, key: string): string | undefined {
  for (const opt of opts ?? []) {
    const match = /^([a-z-]+)[=:](.*)$/.exec(opt);
    if (match && match[1] === key) return match[2];
    if (opt === key) return 'true';
  }
  return undefined;
}

/** The HostConfig fields read here, typed (dockerode leaves several as any). */
interface HostConfigFacts {
  Privileged?: boolean;
  CapAdd?: string[] | null;
  NetworkMode?: string;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  UsernsMode?: string;
  Devices?: { PathOnHost?: string }[] | null;
  SecurityOpt?: string[] | null;
  ReadonlyRootfs?: boolean;
}

/**
 * Every flag a responder checks first, each with a reason that can be read aloud and the values
 * that triggered it. Pure: the same inspect document always gives the same flags.
 */
export function assessRisks(inspect: ContainerInspectInfo, image: ImageFacts): RiskFlag[] {
  const flags: RiskFlag[] = [];
  const add = (id: RiskFlag['id'], severity: RiskSeverity, reason: string, evidence?: string[]) =>
    flags.push({ id, severity, reason, ...(evidence?.length ? { evidence } : {}) });
  const hc = (inspect.HostConfig ?? {}) as HostConfigFacts;
  const config = inspect.Config ?? ({} as ContainerInspectInfo['Config']);

  if (hc.Privileged)
    add(
      'privileged',
      'critical',
      'Runs privileged: every capability, every host device, no seccomp or AppArmor; escaping to the host is trivial',
    );
  const caps = (hc.CapAdd ?? []).map(normalizeCap);
  const dangerous = caps.filter((c) => DANGEROUS_CAPS.has(c));
  if (dangerous.length)
    add('cap-added', 'high', `Added capabilities that allow host or network tampering: ${dangerous.join(', ')}`, dangerous);
  const benign = caps.filter((c) => !DANGEROUS_CAPS.has(c));
  if (benign.length) add('cap-added', 'medium', `Added capabilities beyond Docker's default set: ${benign.join(', ')}`, benign);
  if (hc.NetworkMode === 'host')
    add('host-network', 'high', "Shares the host's network namespace: sees and binds every host interface, bypasses Docker networking");
  if (hc.PidMode === 'host') add('host-pid', 'high', "Shares the host's PID namespace: sees and can signal every process on the host");
  if (hc.IpcMode === 'host') add('host-ipc', 'medium', "Shares the host's IPC namespace: host shared memory and semaphores are reachable");
  if (hc.UTSMode === 'host') add('host-uts', 'low', "Shares the host's UTS namespace: can change the host's hostname");
  if (hc.UsernsMode === 'host')
    add('host-userns', 'medium', 'Opts out of user-namespace remapping: root in the container is root on the host');

  const binds = (inspect.Mounts ?? []).filter((m) => m.Type === 'bind');
  const sockets = binds.filter((m) => DOCKER_SOCKETS.test(m.Source) || DOCKER_SOCKETS.test(m.Destination));
  if (sockets.length)
    add(
      'docker-socket',
      'critical',
      'The container runtime socket is mounted: whoever controls this container controls the host',
      sockets.map((m) => `${m.Source} -> ${m.Destination}${m.RW ? ' (rw)' : ' (ro)'}`),
    );
  const sensitive = binds.filter((m) => !sockets.includes(m) && sensitiveRoot(m.Source));
  const writable = sensitive.filter((m) => m.RW);
  const readOnly = sensitive.filter((m) => !m.RW);
  if (writable.length) {
    const rootfs = writable.some((m) => sensitiveRoot(m.Source) === '/');
    add(
      'sensitive-mount',
      rootfs ? 'critical' : 'high',
      `Sensitive host paths mounted read-write: ${writable.map((m) => m.Source).join(', ')}`,
      writable.map((m) => `${m.Source} -> ${m.Destination} (rw)`),
    );
  }
  if (readOnly.length)
    add(
      'sensitive-mount',
      'medium',
      `Sensitive host paths mounted read-only: ${readOnly.map((m) => m.Source).join(', ')}`,
      readOnly.map((m) => `${m.Source} -> ${m.Destination} (ro)`),
    );
  const devices = (hc.Devices ?? []).map((d) => d.PathOnHost ?? '').filter(Boolean);
  if (devices.length) add('device-access', 'high', `Host devices passed in: ${devices.join(', ')}`, devices);

  const user = config.User ?? '';
  if (isRootUser(user))
    add('root-user', 'medium', `Processes run as root (UID 0) inside the container${user ? ` (User "${user}")` : ' (no User set)'}`);
  const seccomp = securityOpt(hc.SecurityOpt ?? undefined, 'seccomp');
  if (seccomp === 'unconfined' && !hc.Privileged)
    add('seccomp-unconfined', 'high', 'Seccomp is disabled (seccomp=unconfined): every system call is allowed');
  const apparmor = securityOpt(hc.SecurityOpt ?? undefined, 'apparmor');
  if ((apparmor === 'unconfined' || inspect.AppArmorProfile === 'unconfined') && !hc.Privileged)
    add('apparmor-unconfined', 'medium', 'AppArmor is disabled for this container (unconfined)');
  const nnp = securityOpt(hc.SecurityOpt ?? undefined, 'no-new-privileges');
  if (nnp === undefined || nnp === 'false')
    add('new-privileges', 'low', 'no-new-privileges is off: setuid binaries inside can raise privileges');
  if (!hc.ReadonlyRootfs)
    add('writable-rootfs', 'low', 'The root filesystem is writable: an intruder can drop tools and persist changes (see drift)');

  if (image.missing)
    add(
      'image-missing',
      'high',
      `The image ${inspect.Image} is no longer on the host: the container cannot be compared with its origin there`,
      [inspect.Image],
    );
  else if (image.dangling)
    add(
      'image-dangling',
      'medium',
      `The image ${inspect.Image.slice(0, 19)} has no tag left (dangling): it was re-tagged or built locally`,
      [inspect.Image],
    );
  const ref = config.Image ?? '';
  if (ref && !ref.includes('@sha256:') && !ref.startsWith('sha256:')) {
    const latest = !/:[^/]+$/.test(ref) || ref.endsWith(':latest');
    add(
      'mutable-tag',
      latest ? 'medium' : 'low',
      `Created from the mutable tag ${ref}${latest ? ' (latest)' : ''}, not a digest: what it ran cannot be pinned by name`,
      [ref],
    );
  }
  // 'quarantined' comes from Drydock's own quarantine records (InventoryServiceDeps.marks), never
  // from a label on the container: anyone can create a container labelled drydock.quarantine.
  return flags.sort((a, b) => RISK_SEVERITIES.indexOf(a.severity) - RISK_SEVERITIES.indexOf(b.severity));
}

export function topSeverity(flags: RiskFlag[]): RiskSeverity | undefined {
  return flags.find((f) => f.id !== 'quarantined')?.severity;
}
