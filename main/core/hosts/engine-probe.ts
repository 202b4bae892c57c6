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
    timer = setTimeout(() => reject(new DrydockFailure('unreachable', `Connecting to host ${host} failed: no answer within ${PROBE_TIMEOUT_MS / 1000} s`, { host })), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
      throw new DrydockFailure('not-docker', `Host ${host} answered, but not as a Docker engine (${failure.detail ?? failure.message})`, { host, cause: err });
    }
    throw failure;
  }
  const latencyMs = Math.round(performance.now() - started);
  const pongText = Buffer.isBuffer(pong) ? pong.toString('utf8') : String(pong);
  if (pongText.trim() !== 'OK') throw new DrydockFailure('not-docker', `Host ${host} answered /_ping with something other than a Docker engine's OK`, { host, detail: pongText.slice(0, 200) });
  let version: Dockerode.DockerVersion;
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string }; Containers?: number; ContainersRunning?: number; Images?: number; Name?: string; KernelVersion?: string; OperatingSystem?: string; OSType?: string; Architecture?: string };
  try {
    version = await docker.version();
    info = (await docker.info()) as typeof info;
  } catch (err) {
    throw engineFailure(err, { host, action: 'reading engine facts' });
  }
  if (typeof version.ApiVersion !== 'string') throw new DrydockFailure('not-docker', `Host ${host} did not report a Docker API version`, { host });
  if (compareApiVersions(version.ApiVersion, MIN_API_VERSION) < 0) {
    throw new DrydockFailure('api-too-old', `Host ${host} speaks Docker API ${version.ApiVersion} (engine ${version.Version}); Drydock needs ${MIN_API_VERSION} (Docker 19.03) or newer`, { host });
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
  };
}
