import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '../../shared/domain/evidence';
import type { FleetProgressEvent, FleetTriageResult } from '../../shared/domain/fleet';
import { isoNow } from '../core/clock';
import { mapNodeEngines } from '../core/cluster/node-engines';
import { DrydockFailure } from '../core/errors';
import { createRunKey } from '../core/evidence/run-key';
import { findCollectorBundle } from '../core/fleet/collector-bundle';
import { runFleet, type FleetNode } from '../core/fleet/fleet-run';
import type { Core } from './core';

// `fleet.triage` over the core: the examiner's countersigning key, then the case (no key or a wrong
// passphrase stops the run before a case is opened or anything is deployed), then the nodes mapped to saved profiles
// (the cluster room's node-ID match), the run key made and its public half stored in the case,
// the run itself (core/fleet), and the summary stored last. The private half never leaves memory
// but as the Swarm secret, and is zeroed when the run ends.

/**
 * Every node's collector holds the same run key, so the signature says "this run", not "this node":
 * the bundle fetched from a node must also say, in its own verified chain, that it was collected on
 * that node in this run ('fleet.collector-started'). Returns why not, or undefined.
 */
function collectedHere(audit: readonly AuditEntry[], runId: string, nodeId: string): string | undefined {
  const started = audit.find((e) => e.action === 'fleet.collector-started');
  if (!started) return 'its audit chain has no fleet.collector-started entry: it was not written by the fleet collector';
  const d = started.details as { runId?: unknown; nodeId?: unknown };
  if (d.runId !== runId) return `it was collected in fleet run ${JSON.stringify(d.runId).slice(0, 80)}, not ${runId}`;
  if (d.nodeId !== nodeId)
    return `it says it was collected on node ${JSON.stringify(d.nodeId).slice(0, 80)}, not on ${nodeId} it was fetched from`;
  return undefined;
}

/** Runs under way, by run ID: what fleet.cancel aborts. */
const running = new Map<string, AbortController>();

/**
 * Cancels a fleet triage under way: no further node is loaded, waited for or fetched, the bundles
 * already merged stay, and the service, secret and image are removed as after any run; fleet.triage
 * then resolves with `cancelled` set. Audited as 'fleet.cancelled'. False when no such run is under way.
 */
export function cancelFleetTriage(runId: string): { cancelled: boolean } {
  const controller = running.get(runId);
  if (!controller || controller.signal.aborted) return { cancelled: false };
  controller.abort();
  return { cancelled: true };
}

/**
 * Triages every node of the swarm `manager` manages through a global-job collector service and
 * merges each node's verified bundle into one case. Progress as 'fleet.progress'.
 * @throws DrydockFailure before anything is deployed: the examiner key's first ('not-found' without
 *   a key, 'invalid-input' for a wrong passphrase: no case is opened then), resolveWritableCase's kinds, 'unsupported' when
 *   `manager` is not a swarm manager, 'not-found' when the collector image is not built; then
 *   runFleet's (the secret or service refused by the manager); 'conflict' when a run with `runId` is
 *   under way. A node's own failure is in its entry; a run cancelled by fleet.cancel resolves with `cancelled` set.
 */
export async function fleetTriageInCase(
  core: Core,
  request: {
    manager: string;
    caseRef?: string;
    passphrase: string;
    nodeSocket: string;
    timeoutSeconds: number;
    runId?: string;
    registry?: string;
  },
): Promise<FleetTriageResult> {
  const runId = request.runId ?? `fr-${core.clock.now().getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
  if (running.has(runId)) throw new DrydockFailure('conflict', `Fleet run ${runId} is already under way`);
  const controller = new AbortController();
  running.set(runId, controller);
  try {
    return await triage(core, request, runId, controller.signal);
  } finally {
    running.delete(runId);
  }
}

async function triage(
  core: Core,
  request: { manager: string; caseRef?: string; passphrase: string; nodeSocket: string; timeoutSeconds: number; registry?: string },
  runId: string,
  signal: AbortSignal,
): Promise<FleetTriageResult> {
  const { manager } = request;
  const startedAt = isoNow(core.clock);
  // The examiner key first: without one (or with a wrong passphrase) no case is opened and nothing deployed.
  try {
    core.evidence.signing.showKey();
  } catch (err) {
    if (err instanceof DrydockFailure && err.kind === 'not-found')
      throw new DrydockFailure(
        'not-found',
        'This evidence store has no examiner key: run `drydock key create` first; nothing was deployed',
      );
    throw err;
  }
  const countersign = core.evidence.signing.signer(request.passphrase);
  const kase = core.evidence.resolveWritableCase(request.caseRef, { host: manager });
  const lookup = findCollectorBundle();
  if (!lookup.bundle)
    throw new DrydockFailure('not-found', `Cannot run a fleet triage from host ${manager}: ${lookup.problem}`, { host: manager });
  const bundle = lookup.bundle;
  const listing = await core.cluster.nodes(manager);
  const { engines, unanswered } = await mapNodeEngines(
    { profiles: () => core.hosts.list(), docker: (host) => core.hosts.docker(host) },
    listing.nodes,
  );
  const silent = unanswered.length
    ? ` (saved profiles that did not answer: ${unanswered.map((u) => `${u.host}: ${u.error}`).join('; ')})`
    : '';
  const nodes: FleetNode[] = await Promise.all(
    engines.map(async (e): Promise<FleetNode> => {
      const base = { nodeId: e.nodeId, hostname: e.hostname };
      if (e.state === 'mapped' && e.host)
        return { ...base, engine: { host: e.host, nodeId: e.nodeId, hostname: e.hostname, docker: await core.hosts.docker(e.host) } };
      const why =
        e.state === 'node-down'
          ? `node ${e.hostname} (${e.nodeId}) is down as manager host ${manager} sees it, and no saved host profile answers with its node ID${silent}`
          : `no saved host profile answers with the node ID of node ${e.hostname} (${e.nodeId})${silent}`;
      return { ...base, unreached: why, ...(e.suggestion ? { suggestion: e.suggestion } : {}) };
    }),
  );
  const emit = (event: Omit<FleetProgressEvent, 'runId' | 'manager'>) => core.events.emit('fleet.progress', { runId, manager, ...event });
  const audit = (action: string, details: Record<string, unknown>) => core.evidence.audit(action, details, kase.id);
  let cancelledAt: string | undefined;
  const onAbort = () => {
    cancelledAt = isoNow(core.clock);
    audit('fleet.cancelled', { runId, host: manager, at: cancelledAt });
    emit({ step: 'cleanup', state: 'started', message: 'cancelled: removing what the run deployed' });
  };
  signal.addEventListener('abort', onAbort, { once: true });

  // The run key: its public half is in the case before anything is deployed.
  emit({ step: 'key', state: 'started' });
  const key = createRunKey(`fleet run ${runId}`, startedAt);
  try {
    const keyArtifact = await core.evidence.ingestJson(
      {
        caseId: kase.id,
        kind: 'fleet-key',
        source: { host: manager },
        method: `Ed25519 key pair made by Drydock for fleet run ${runId} only (not the examiner key); the private half was given to the collectors as a Swarm secret and destroyed after the run`,
        mediaType: 'application/json',
        attributes: { runId, fingerprint: key.info.fingerprint },
      },
      {
        runId,
        manager,
        clusterId: listing.clusterId,
        algorithm: 'ed25519',
        publicKey: key.info.publicKey,
        fingerprint: key.info.fingerprint,
        createdAt: startedAt,
      },
    );
    audit('fleet.key-created', {
      runId,
      manager,
      fingerprint: key.info.fingerprint,
      publicKey: key.info.publicKey,
      artifactId: keyArtifact.id,
      collectorSha256: bundle.sha256,
      collectorImageId: bundle.imageId,
    });
    emit({ step: 'key', state: 'done', message: key.info.fingerprint });

    const docker = await core.hosts.docker(manager);
    const run = await runFleet(
      {
        manager: { host: manager, docker },
        clock: core.clock,
        audit,
        progress: emit,
        merge: (node, file) =>
          core.evidence.mergeRunBundle(file, {
            caseId: kase.id,
            runKey: { fingerprint: key.info.fingerprint, publicKey: key.info.publicKey, name: `fleet run ${runId}` },
            countersign,
            origin: { runId, nodeId: node.nodeId, hostname: node.hostname, host: node.engine.host },
            accept: (manifest) => collectedHere(manifest.audit, runId, node.nodeId),
          }),
      },
      {
        runId,
        nodes,
        bundle,
        privateKeyPem: key.privatePem,
        fingerprint: key.info.fingerprint,
        nodeSocket: request.nodeSocket,
        timeoutMs: request.timeoutSeconds * 1000,
        signal,
        ...(request.registry !== undefined ? { registry: request.registry } : {}),
      },
    );
    const result: FleetTriageResult = {
      runId,
      manager,
      clusterId: listing.clusterId,
      caseId: kase.id,
      caseName: kase.name,
      startedAt,
      finishedAt: isoNow(core.clock),
      fleetKey: { fingerprint: key.info.fingerprint, publicKey: key.info.publicKey, artifactId: keyArtifact.id },
      collector: {
        tag: bundle.tag,
        imageId: bundle.imageId,
        sha256: bundle.sha256,
        ...(request.registry ? { registry: request.registry } : {}),
      },
      nodes: run.nodes,
      merged: run.nodes.filter((n) => n.state === 'merged').length,
      failed: run.nodes.filter((n) => n.state === 'failed').length,
      cancelledNodes: run.nodes.filter((n) => n.state === 'cancelled').length,
      unreached: run.nodes.filter((n) => n.state === 'unreached').length,
      cleanup: run.cleanup,
      ...(cancelledAt !== undefined ? { cancelled: { at: cancelledAt } } : {}),
    };
    const stored = await core.evidence.ingestJson(
      {
        caseId: kase.id,
        kind: 'fleet-triage',
        source: { host: manager },
        method: `Drydock fleet triage from manager host ${manager}: the collector run as a global-job service on every reachable node, each node's bundle verified against the run key and merged`,
        mediaType: 'application/json',
        attributes: {
          runId,
          clusterId: listing.clusterId,
          merged: result.merged,
          failed: result.failed,
          cancelled: result.cancelledNodes,
          unreached: result.unreached,
        },
      },
      result,
    );
    audit('fleet.triage', {
      runId,
      host: manager,
      clusterId: listing.clusterId,
      merged: run.nodes.filter((n) => n.state === 'merged').map((n) => n.hostname),
      failed: run.nodes.filter((n) => n.state === 'failed').map((n) => ({ node: n.hostname, error: n.error ?? '' })),
      cancelled: run.nodes.filter((n) => n.state === 'cancelled').map((n) => n.hostname),
      unreached: run.nodes.filter((n) => n.state === 'unreached').map((n) => ({ node: n.hostname, error: n.error ?? '' })),
      cleanupProblems: run.cleanup.problems,
      artifactId: stored.id,
    });
    return { ...result, stored: { artifactId: stored.id, sha256: stored.sha256 } };
  } finally {
    signal.removeEventListener('abort', onAbort);
    key.destroy();
    audit('fleet.key-destroyed', { runId, fingerprint: key.info.fingerprint });
  }
}
