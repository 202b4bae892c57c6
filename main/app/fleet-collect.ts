import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FleetCollectResult } from '../../shared/domain/fleet';
import { isoNow } from '../core/clock';
import { DrydockFailure, toDrydockError } from '../core/errors';
import { runKeySigner } from '../core/evidence/run-key';
import { engineCall } from '../core/hosts/engine-call';
import type { Core } from './core';

// `fleet.collect`: what the collector does on one node, inside the collector image (the task of a
// fleet triage's global-job service). A fresh case of this node's containers — the inventory, then
// a drift scan of every container but the collectors themselves — exported as one bundle signed
// with the run key the Swarm secret holds. The examiner's Drydock fetches the bundle afterwards.

const MAX_KEY_FILE = 4096;
/** Files up to this size are stored by the node's drift scan (bytes); bigger ones are hashed only. */
const DRIFT_CONTENT_CAP = 1024 * 1024;
const DRIFT_KEY_EVIDENCE_CAP = 16 * 1024 * 1024;

/** The name this node's evidence is recorded under: the examiner's profile name for its node ID, else node-<hostname> (or node-<ID>). */
function nodeNames(names: Record<string, string> | undefined, nodeId: string, hostname: string): string {
  const given = nodeId ? names?.[nodeId] : undefined;
  if (given) return given;
  const cleaned = (hostname || nodeId || 'unknown').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return `node-${cleaned || 'unknown'}`.slice(0, 64);
}

/**
 * A profile named `name` for the engine the collector reached as `resolved` (saved in the
 * collector's own throwaway store), so every artifact and row names the node rather than "local".
 */
function recordAs(core: Core, resolved: string, name: string): string {
  if (name === resolved) return name;
  const engine = core.hosts.profile(resolved);
  const existing = core.hosts.list().find((p) => p.name === name);
  if (existing) {
    if (existing.url !== engine.url)
      throw new DrydockFailure('conflict', `Host profile ${name} names ${existing.url}, not this node's engine ${engine.url}`, {
        host: name,
      });
    return name;
  }
  core.hosts.add({ name, url: engine.url });
  return name;
}

/**
 * Collects this node into a fresh case, recorded under the host name `nodeNames[its node ID]` (else
 * `node-<hostname>`), and writes the signed bundle to `out` (a new file).
 * @throws DrydockFailure: 'invalid-input' for a key file that is not an Ed25519 PKCS#8 PEM of at
 *   most 4 KiB or a relative path, 'not-found' when it is missing, the engine kinds for the node's
 *   engine, and exportCase's. A failed drift scan is reported in `problems`, not thrown.
 */
export async function collectFleetNode(
  core: Core,
  request: { host: string; keyFile: string; out: string; runId: string; nodeNames?: Record<string, string> },
): Promise<FleetCollectResult> {
  const { runId } = request;
  if (!path.isAbsolute(request.keyFile) || !path.isAbsolute(request.out))
    throw new DrydockFailure('invalid-input', 'The run key file and the bundle path must be absolute');
  const keyStat = await stat(request.keyFile).catch(() => undefined);
  if (!keyStat?.isFile()) throw new DrydockFailure('not-found', `No run key file at ${request.keyFile}`);
  if (keyStat.size > MAX_KEY_FILE)
    throw new DrydockFailure('invalid-input', `${request.keyFile} is ${keyStat.size} bytes; a run key is at most ${MAX_KEY_FILE}`);
  const docker = await core.hosts.docker(request.host);
  const info = (await engineCall({ host: request.host, action: "read the node's identity" }, () => docker.info())) as {
    Name?: string;
    Swarm?: { NodeID?: string };
  };
  const nodeId = typeof info.Swarm?.NodeID === 'string' ? info.Swarm.NodeID : '';
  const hostname = typeof info.Name === 'string' ? info.Name.slice(0, 200) : '';
  const host = recordAs(core, request.host, nodeNames(request.nodeNames, nodeId, hostname));
  const pem = await readFile(request.keyFile);
  let signer;
  try {
    signer = runKeySigner(pem, `fleet run ${runId} collector on node ${hostname || nodeId}`, () => isoNow(core.clock));
  } finally {
    pem.fill(0);
  }
  const kase = core.evidence.createCase({
    name: `fleet ${runId} node ${hostname || nodeId}`.slice(0, 200),
    description: `Collected by Drydock's fleet collector on swarm node ${hostname} (${nodeId}), run ${runId}`,
  });
  core.evidence.audit(
    'fleet.collector-started',
    { runId, nodeId, hostname, host, engine: core.hosts.profile(host).url, signedBy: signer.fingerprint },
    kase.id,
  );
  const problems: string[] = [];
  const snapshot = await core.inventory.list(host, { record: true, caseRef: kase.id, includeHelpers: false });
  // The collectors of this run are Drydock's own, not evidence of the node.
  const targets = snapshot.containers.filter((c) => !c.name.replace(/^\//, '').startsWith(`drydock-fleet-${runId}.`)).map((c) => c.id);
  if (targets.length > 0) {
    try {
      const scan = await core.drift.scan({
        host,
        containers: targets,
        caseRef: kase.id,
        contentCapBytes: DRIFT_CONTENT_CAP,
        keyEvidenceCapBytes: DRIFT_KEY_EVIDENCE_CAP,
        concurrency: 2,
      });
      const done = await core.drift.wait(scan.id);
      if (done.state !== 'complete')
        problems.push(`drift scan ${done.id} ended ${done.state}${done.stateReason ? `: ${done.stateReason}` : ''}`);
    } catch (err) {
      problems.push(`drift: ${toDrydockError(err).message}`);
    }
  }
  core.evidence.audit('fleet.collector-finished', { runId, nodeId, hostname, containers: targets.length, problems }, kase.id);
  const artifacts = (await core.evidence.listArtifacts({ caseRef: kase.id, limit: 100_000 })).length;
  const bundle = await core.evidence.exportCase(kase.id, request.out, { signer });
  return {
    nodeId,
    hostname,
    caseId: kase.id,
    containers: targets.length,
    artifacts,
    problems,
    bundle: { path: bundle.path, sha256: bundle.sha256, bytes: bundle.bytes, signedBy: signer.fingerprint },
  };
}
