import type Dockerode from 'dockerode';
import type { CheckpointListing, CheckpointResult } from '../../../shared/domain/checkpoint';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { EvidencePort } from '../evidence/port';
import { engineCall, type DockerSource } from '../hosts/engine-call';

// `docker checkpoint create --leave-running` through the Engine API (POST /containers/{id}/checkpoints
// with Exit false). @types/dockerode does not declare the checkpoint calls dockerode has, so the two
// used here are typed below. CRIU runs on the host under the engine: Drydock cannot check for it
// beforehand, only read the engine's answer.

interface CheckpointCalls {
  createCheckpoint(options: { CheckpointID: string; Exit: boolean }): Promise<unknown>;
  listCheckpoint(options?: Record<string, never>): Promise<unknown>;
}

export interface CheckpointDeps {
  hosts: DockerSource;
  evidence: EvidencePort;
  clock: Clock;
  audit: AuditFn;
}

/** The engine's answers that mean CRIU is missing or cannot run on the host. */
const CRIU_PROBLEM = /criu|checkpoint.*not supported|runtime.*checkpoint/i;

/**
 * Checkpoints a running container with CRIU, leaving it running, and records it: the checkpoint's
 * path on the host's disk is audited as footprint ('memory.checkpoint'), the engine's listing and
 * facts are stored as a 'checkpoint' artifact. The checkpoint files themselves stay on the host.
 * @throws DrydockFailure('unsupported') when the engine is not an experimental build or its answer
 *   says CRIU is missing or failed (both audited as 'memory.checkpoint-unavailable'); ('conflict')
 *   when the container is not running; ('not-found') for an unknown host or container; the kinds of
 *   engineCall for any other engine answer (audited as 'memory.checkpoint-failed'), of
 *   resolveWritableCase and of the store's writes.
 */
export async function checkpointContainer(
  deps: CheckpointDeps,
  request: { host: string; container: string; caseRef?: string; name?: string },
): Promise<CheckpointResult> {
  const { host } = request;
  const kase = await deps.evidence.resolveWritableCase(request.caseRef, { host });
  const docker: Dockerode = await deps.hosts.docker(host);
  const inspect = await engineCall({ host, container: request.container, action: 'inspect the container' }, () =>
    docker.getContainer(request.container).inspect(),
  );
  const containerName = inspect.Name.replace(/^\//, '');
  const where = { host, container: containerName };
  const info = (await engineCall({ host, action: 'read the engine information' }, () => docker.info())) as {
    ExperimentalBuild?: boolean;
    DockerRootDir?: string;
    ServerVersion?: string;
  };
  const engine = {
    version: String(info.ServerVersion ?? 'unknown'),
    experimental: info.ExperimentalBuild === true,
    dockerRootDir: String(info.DockerRootDir ?? '/var/lib/docker'),
  };
  const facts = { host, containerId: inspect.Id, containerName, engineVersion: engine.version };
  if (!engine.experimental) {
    const reason = `the engine (Docker ${engine.version}) is not an experimental build: docker checkpoint needs dockerd --experimental (or "experimental": true in daemon.json) and CRIU installed on the host`;
    deps.audit('memory.checkpoint-unavailable', { ...facts, reason }, kase.id);
    throw new DrydockFailure(
      'unsupported',
      `docker checkpoint is not available on host ${host} for container ${containerName}: ${reason}; nothing was written`,
      where,
    );
  }
  if (!inspect.State.Running || inspect.State.Paused)
    throw new DrydockFailure(
      'conflict',
      `Container ${containerName} on host ${host} is ${inspect.State.Paused ? 'paused' : 'not running'}: only a running container can be checkpointed`,
      where,
    );
  const checkpointId = request.name ?? `drydock-${deps.clock.now().getTime().toString(36)}`;
  const hostPath = `${engine.dockerRootDir.replace(/\/+$/, '')}/containers/${inspect.Id}/checkpoints/${checkpointId}`;
  const calls = docker.getContainer(inspect.Id) as unknown as CheckpointCalls;
  try {
    await engineCall({ ...where, action: 'checkpoint the container (CRIU, leave running)' }, () =>
      calls.createCheckpoint({ CheckpointID: checkpointId, Exit: false }),
    );
  } catch (err) {
    const message = (err as Error).message;
    // A failed dump may leave a partial directory behind: the path is named either way.
    if (CRIU_PROBLEM.test(message)) {
      deps.audit('memory.checkpoint-unavailable', { ...facts, checkpointId, hostPath, reason: message }, kase.id);
      throw new DrydockFailure(
        'unsupported',
        `docker checkpoint of container ${containerName} on host ${host} failed in CRIU (missing on the host, or it could not dump this container); the engine said: ${message}. A partial checkpoint may remain at ${hostPath} on the host`,
        { ...where, detail: message },
      );
    }
    deps.audit('memory.checkpoint-failed', { ...facts, checkpointId, hostPath, error: message }, kase.id);
    throw err;
  }
  deps.audit('memory.checkpoint', { ...facts, checkpointId, hostPath, leaveRunning: true }, kase.id);
  const listed = await engineCall({ ...where, action: "list the container's checkpoints" }, () => calls.listCheckpoint({}));
  const listing: CheckpointListing[] = Array.isArray(listed)
    ? listed.map((c) => ({ Name: String((c as { Name?: unknown } | null)?.Name ?? '') }))
    : [];
  const after = await engineCall({ ...where, action: 'inspect the container after the checkpoint' }, () =>
    docker.getContainer(inspect.Id).inspect(),
  );
  const runningAfter = after.State.Running === true;
  const record = {
    host,
    containerId: inspect.Id,
    containerName,
    checkpointId,
    hostPath,
    leftRunning: true as const,
    runningAfter,
    listing,
    engine,
    takenAt: deps.clock.now().toISOString(),
    note: "The checkpoint files (CRIU images of the container's processes, memory pages included) are on the host's disk at hostPath; the Engine API offers no way to read them, so they are not in this case. Copy them from the host with its own tools, hashing them there.",
  };
  const artifact = await deps.evidence.ingestJson(
    {
      caseId: kase.id,
      kind: 'checkpoint',
      source: { host, containerId: inspect.Id, containerName },
      method:
        'Docker Engine API: POST /containers/{id}/checkpoints (CheckpointID, Exit false: the container keeps running; CRIU dump by the engine onto the host disk), then GET /containers/{id}/checkpoints',
      mediaType: 'application/json',
      attributes: { checkpointId, hostPath, runningAfter, engineVersion: engine.version },
    },
    record,
  );
  const { takenAt: _takenAt, note: _note, ...result } = record;
  return { ...result, stored: { artifactId: artifact.id, sha256: artifact.sha256, caseId: kase.id } };
}
