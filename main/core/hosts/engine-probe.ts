import type Dockerode from 'dockerode';
import type { EngineFacts } from '../../../shared/domain/hosts';
import { DrydockFailure } from '../errors';
import { engineFailure } from './engine-errors';

/** Docker 19.03. Older engines lack the inspect fields the risk assessment reads. */
export const MIN_API_VERSION = '1.40';
const PROBE_TIMEOUT_MS = 20_000;

export function compareApiVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

function withTimeout<T>(host: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DrydockFailure('unreachable', `Connecting to host ${host} failed: no answer within ${PROBE_TIMEOUT_MS / 1000} s`, { host }),
        ),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** "HTTP 404" for an HTTP answer that is not the engine's (dockerode's own wording stays in the detail), else the transport's error code. */
function notDockerWhy(err: unknown): string {
  const e = (err ?? {}) as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === 'number') return `HTTP ${e.statusCode}`;
  return typeof e.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code) ? e.code : 'no answer a Docker engine gives';
}

/**
 * Proves the endpoint is a Docker engine recent enough for Drydock, and reads what a responder
 * wants to know first: versions, platform, swarm role, how much runs there.
 */
export async function probeEngine(docker: Dockerode, host: string, tlsVerify?: boolean): Promise<EngineFacts> {
  return withTimeout(host, probe(docker, host, tlsVerify));
}

async function probe(docker: Dockerode, host: string, tlsVerify?: boolean): Promise<EngineFacts> {
  const started = performance.now();
  let pong: unknown;
  try {
    pong = await docker.ping();
  } catch (err) {
    const failure = engineFailure(err, { host, action: 'connecting' });
    if (failure.kind === 'not-found' || failure.kind === 'engine') {
      throw new DrydockFailure('not-docker', `Host ${host} answered, but not as a Docker engine (${notDockerWhy(err)})`, {
        host,
        ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
        cause: err,
      });
    }
    throw failure;
  }
  const latencyMs = Math.round(performance.now() - started);
  const pongText = Buffer.isBuffer(pong) ? pong.toString('utf8') : String(pong);
  if (pongText.trim() !== 'OK')
    throw new DrydockFailure('not-docker', `Host ${host} answered /_ping with something other than a Docker engine's OK`, {
      host,
      detail: pongText.slice(0, 200),
    });
  let version: Dockerode.DockerVersion;
  let info: EngineInfo;
  try {
    // Asked together: two answers, one round trip of waiting.
    [version, info] = await Promise.all([docker.version(), docker.info() as Promise<EngineInfo>]);
  } catch (err) {
    throw engineFailure(err, { host, action: 'reading engine facts' });
  }
  if (typeof version.ApiVersion !== 'string')
    throw new DrydockFailure('not-docker', `Host ${host} did not report a Docker API version`, { host });
  const inconsistencies = versionInconsistencies(version, info);
  // A claim contradicted by the engine's other answers does not get past the gate: the lowest API
  // version any answer supports is the one checked.
  const gateVersion =
    [version.ApiVersion, apiOfEngine(info.ServerVersion)].filter((v): v is string => typeof v === 'string').sort(compareApiVersions)[0] ??
    version.ApiVersion;
  if (compareApiVersions(gateVersion, MIN_API_VERSION) < 0) {
    throw new DrydockFailure(
      'api-too-old',
      `Host ${host} speaks Docker API ${gateVersion} (engine ${String(info.ServerVersion ?? version.Version)}); Drydock needs ${MIN_API_VERSION} (Docker 19.03) or newer`,
      { host },
    );
  }
  const swarm = info.Swarm ?? {};
  const swarmRole = swarm.LocalNodeState === 'active' ? (swarm.ControlAvailable ? 'manager' : 'worker') : 'none';
  return {
    host,
    engineVersion: String(version.Version),
    apiVersion: version.ApiVersion,
    ...(typeof version.MinAPIVersion === 'string' ? { minApiVersion: version.MinAPIVersion } : {}),
    os: String(info.OperatingSystem ?? version.Os ?? ''),
    osType: String(info.OSType ?? version.Os ?? ''),
    arch: String(info.Architecture ?? version.Arch ?? ''),
    kernelVersion: String(info.KernelVersion ?? version.KernelVersion ?? ''),
    hostname: String(info.Name ?? ''),
    swarmRole,
    ...(swarm.NodeID ? { swarmNodeId: swarm.NodeID } : {}),
    containers: Number(info.Containers ?? 0),
    containersRunning: Number(info.ContainersRunning ?? 0),
    images: Number(info.Images ?? 0),
    ...(tlsVerify !== undefined ? { tlsVerify } : {}),
    latencyMs,
    ...(inconsistencies.length ? { inconsistencies } : {}),
  };
}

type EngineInfo = {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
  Containers?: number;
  ContainersRunning?: number;
  Images?: number;
  Name?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  Architecture?: string;
  ServerVersion?: unknown;
};

/**
 * The API version each engine release line speaks (moby's API version history, docs/engine-compat.md).
 * Keyed by "major.minor" of the engine version.
 */
const API_OF_ENGINE: Record<string, string> = {
  '19.03': '1.40',
  '20.10': '1.41',
  '23.0': '1.42',
  '24.0': '1.43',
  '25.0': '1.44',
  '26.0': '1.45',
  '26.1': '1.45',
  '27.0': '1.46',
  '27.1': '1.46',
  '27.2': '1.47',
  '27.3': '1.47',
  '27.4': '1.47',
  '27.5': '1.47',
};

/** The API version an engine version string belongs to; undefined for a release line not listed. */
export function apiOfEngine(engineVersion: unknown): string | undefined {
  if (typeof engineVersion !== 'string') return undefined;
  const m = /^v?(\d+)\.(\d+)/.exec(engineVersion);
  return m ? API_OF_ENGINE[`${m[1]}.${m[2]}`] : undefined;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm' };

/**
 * Where /version and /info disagree, in words. A compromised or fake engine may claim a version it
 * is not; Drydock says so rather than choose a side silently.
 */
export function versionInconsistencies(version: Dockerode.DockerVersion, info: EngineInfo): string[] {
  const out: string[] = [];
  const show = (v: unknown) => JSON.stringify(String(v)).slice(0, 80);
  if (typeof info.ServerVersion === 'string' && info.ServerVersion !== version.Version) {
    out.push(`/version says engine ${show(version.Version)} but /info says ${show(info.ServerVersion)}`);
  }
  const expected = apiOfEngine(version.Version);
  if (expected && expected !== version.ApiVersion)
    out.push(`/version claims API ${show(version.ApiVersion)}, but engine ${show(version.Version)} speaks API ${expected}`);
  if (typeof info.OSType === 'string' && typeof version.Os === 'string' && info.OSType !== version.Os)
    out.push(`/version says OS ${show(version.Os)} but /info says ${show(info.OSType)}`);
  const arch = (a: string) => ARCH_ALIASES[a] ?? a;
  if (typeof info.Architecture === 'string' && typeof version.Arch === 'string' && arch(info.Architecture) !== arch(version.Arch)) {
    out.push(`/version says architecture ${show(version.Arch)} but /info says ${show(info.Architecture)}`);
  }
  return out;
}
