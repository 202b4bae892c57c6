import { z } from 'zod';
import type { FleetCollectResult, FleetProgressEvent, FleetTriageResult } from '../domain/fleet';
import { channel, event } from './define';
import { caseRef, hostName, localPath } from './schemas';

/** A run's ID: `fr-` and lowercase letters, digits and dashes (it names the service, secret and case entries). */
export const fleetRunId = z.string().regex(/^fr-[a-z0-9-]{6,40}$/, 'a fleet run ID (fr-...)');

/**
 * The socket of each node's engine as the collector task mounts it: an absolute path, where Swarm's
 * service templates ({{.Node.Hostname}}, {{.Node.ID}}) may stand for the node; no other braces.
 */
const nodeSocket = z
  .string()
  .min(2)
  .max(512)
  .regex(
    /^\/(?:[A-Za-z0-9._/-]|\{\{\.Node\.(?:Hostname|ID)\}\})*$/,
    'an absolute socket path (templates {{.Node.Hostname}} and {{.Node.ID}} allowed)',
  );

export const fleetChannels = {
  /**
   * Triages every node of the swarm `host` manages on the swarm's own scheduler: a key pair is made
   * for this run (its public half recorded in the case as a 'fleet-key' artifact before anything is
   * deployed), the collector image is loaded through each reachable node's engine (the saved profile
   * that answers with that node's ID), the private half becomes a Swarm secret, and the collector
   * runs as a `global-job` service (each task: inventory and drift of its node's containers into a
   * fresh case, bundled and signed with the run key). Each completed task's bundle is fetched
   * through its node's engine, verified against the run key, countersigned with the examiner key
   * (unlocked with `passphrase`) and merged into the case. Afterwards the service, the secret and
   * the image are removed from every engine, also after a failure (an image a node held before the
   * run is left as found); every step is audited and
   * reported as 'fleet.progress'. A node that cannot be reached or whose bundle fails is reported;
   * the others' results are kept.
   */
  'fleet.triage': channel<FleetTriageResult>()(() =>
    z
      .object({
        host: hostName,
        caseRef: caseRef.optional(),
        passphrase: z.string().min(1).max(1024),
        nodeSocket: nodeSocket.default('/var/run/docker.sock'),
        /** How long the collectors may run, in seconds (default 600). */
        timeoutSeconds: z
          .number()
          .int()
          .min(10)
          .max(24 * 3600)
          .default(600),
        runId: fleetRunId.optional(),
        /**
         * A registry every node can pull from (host[:port]): the collector image is pushed there
         * once through the manager's engine and pulled by digest, instead of loaded through each node's engine.
         */
        registry: z
          .string()
          .max(255)
          .regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$/, 'a registry host[:port]')
          .optional(),
      })
      .strict(),
  ),
  /**
   * Cancels a fleet triage under way (`cancelled` is false when none with that ID runs): no further
   * node is loaded, waited for or fetched; bundles already merged stay; the service, the secret and
   * the image are removed as after any run. Audited as 'fleet.cancelled'; fleet.triage then
   * resolves with `cancelled` set.
   */
  'fleet.cancel': channel<{ cancelled: boolean }>()(() => z.object({ runId: fleetRunId }).strict()),
  /**
   * The collector's own step (run inside the collector image on a node, by `drydock fleet collect`):
   * a fresh case of this node's containers (inventory, drift), recorded under a host name naming the
   * node (its entry in `nodeNames`, else `node-<hostname>`), exported as a bundle to `out`, signed
   * with the run's private key read from `keyFile` (PKCS#8 PEM, the Swarm secret).
   */
  'fleet.collect': channel<FleetCollectResult>()(() =>
    z
      .object({
        host: hostName,
        keyFile: localPath,
        out: localPath,
        runId: fleetRunId,
        /**
         * The examiner's host profile name for each node, by swarm node ID: this node's evidence is
         * recorded under its entry (else `node-<hostname>`), never under the socket's own name.
         */
        nodeNames: z.record(z.string().min(1).max(64), hostName).optional(),
      })
      .strict(),
  ),
} as const;

export const fleetEvents = {
  /** A step of a fleet triage, or a node's part in it, started, finished or failed. */
  'fleet.progress': event<FleetProgressEvent>(),
} as const;
