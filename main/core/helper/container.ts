import type Dockerode from 'dockerode';
import type { HelperOwner } from './owner';

export const HELPER_LABEL = 'drydock.helper';
export const LABELS = {
  helper: HELPER_LABEL,
  id: 'drydock.helper.id',
  target: 'drydock.helper.target',
  ownerMachine: 'drydock.owner.machine',
  ownerPid: 'drydock.owner.pid',
  ownerStarted: 'drydock.owner.started',
  deadline: 'drydock.helper.deadline',
} as const;

/**
 * Capabilities a helper may ask for; nothing else is ever granted. SYS_ADMIN only for the drift
 * helper that reads overlay2 directories: the kernel shows trusted.overlay.* attributes (the
 * opaque-directory mark) to no one else; it runs with no network and everything read-only.
 */
export type HelperCapability = 'NET_RAW' | 'NET_ADMIN' | 'SETUID' | 'SETGID' | 'KILL' | 'SYS_PTRACE' | 'DAC_READ_SEARCH' | 'SYS_ADMIN';

/**
 * tcpdump needs raw sockets (NET_RAW) and to set the interface's capture options (NET_ADMIN).
 * Debian's tcpdump then insists on dropping root to its own user, which needs SETUID/SETGID: with
 * them it opens the socket and runs the whole capture as uid 101 with an empty capability set;
 * without them it refuses to start. The helper's safety timer (busybox timeout, still root) can
 * signal a uid-101 tcpdump only with KILL — which reaches nothing else, since the helper has a PID
 * namespace of its own. These five and no other; the helper is never privileged.
 */
export const CAPTURE_CAPABILITIES: readonly HelperCapability[] = ['NET_RAW', 'NET_ADMIN', 'SETUID', 'SETGID', 'KILL'];

export interface HelperSpec {
  /** What the helper is for: 'capture', 'filter-check', 'sockets'… (the value of drydock.helper). */
  purpose: string;
  id: string;
  image: string;
  /** Full ID of the container whose namespaces the helper joins; absent for a helper on the host itself (no network). */
  targetId?: string;
  /**
   * Host paths bound read-only at /host<path> (the Mounts API: a path missing on the host fails the
   * create instead of being created there). Only for a helper that reads the host's own files.
   */
  hostPaths?: readonly string[];
  cmd: string[];
  capabilities: readonly HelperCapability[];
  owner: HelperOwner;
  /** After this the helper is fair game for any sweeper, whoever owns it. */
  deadline: Date;
  /** Join the target's PID namespace too (for reading its /proc). */
  joinPid?: boolean;
  /** A small writable /tmp (tmpfs, noexec, 32 MiB, counted in the helper's memory) on the read-only root. */
  tmp?: boolean;
  /** A scratch volume Drydock created for this run (HelperLedger.createVolume), mounted writable at /scratch. */
  scratchVolume?: string;
}

/** Labels of everything a helper run leaves on a host (its container, its scratch volume): who made it, for what, until when. */
export function helperLabels(spec: {
  purpose: string;
  id: string;
  targetId?: string;
  owner: HelperOwner;
  deadline: Date;
}): Record<string, string> {
  return {
    [LABELS.helper]: spec.purpose,
    [LABELS.id]: spec.id,
    [LABELS.target]: spec.targetId ?? 'host',
    [LABELS.ownerMachine]: spec.owner.machine,
    [LABELS.ownerPid]: String(spec.owner.pid),
    [LABELS.ownerStarted]: String(spec.owner.startedAtMs),
    [LABELS.deadline]: spec.deadline.toISOString(),
  };
}

/**
 * A helper that can do one thing: run its command in the target's network namespace. No mounts (but the read-only host paths or the scratch volume asked for),
 * read-only root, no new privileges, bounded memory and PIDs, no logs kept by the engine (the
 * pcap flows through the attach stream only; a detached helper must not fill the host's disk).
 */
export function helperCreateOptions(spec: HelperSpec): Dockerode.ContainerCreateOptions {
  return {
    name: `drydock-${spec.purpose}-${spec.id}`,
    Image: spec.image,
    // [''] resets any entrypoint of a user-supplied image: the command runs as given.
    Entrypoint: [''],
    Cmd: spec.cmd,
    User: '0:0',
    WorkingDir: '/',
    Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: false,
    Labels: helperLabels(spec),
    HostConfig: {
      NetworkMode: spec.targetId !== undefined ? `container:${spec.targetId}` : 'none',
      ...(spec.joinPid && spec.targetId !== undefined ? { PidMode: `container:${spec.targetId}` } : {}),
      CapDrop: ['ALL'],
      CapAdd: [...spec.capabilities],
      Privileged: false,
      ReadonlyRootfs: true,
      SecurityOpt: ['no-new-privileges'],
      AutoRemove: true,
      Binds: [],
      ...(spec.tmp ? { Tmpfs: { '/tmp': 'rw,nosuid,nodev,noexec,size=32m' } } : {}),
      Mounts: [
        ...(spec.hostPaths ?? []).map((source) => ({ Type: 'bind' as const, Source: source, Target: `/host${source}`, ReadOnly: true })),
        ...(spec.scratchVolume !== undefined
          ? [{ Type: 'volume' as const, Source: spec.scratchVolume, Target: '/scratch', ReadOnly: false }]
          : []),
      ],
      LogConfig: { Type: 'none', Config: {} },
      Memory: 256 * 1024 * 1024,
      PidsLimit: 16,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
  };
}

export function ownerFromLabels(labels: Record<string, string> | undefined): HelperOwner | null {
  const machine = labels?.[LABELS.ownerMachine];
  const pid = Number(labels?.[LABELS.ownerPid]);
  const started = Number(labels?.[LABELS.ownerStarted]);
  if (!machine || !Number.isInteger(pid) || !Number.isFinite(started)) return null;
  return { machine, pid, startedAtMs: started };
}
