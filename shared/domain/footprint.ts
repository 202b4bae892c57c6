// What Drydock itself did on a host, read back from the audit log: what a second examiner needs
// to tell the tool's traces from the intruder's. Read-only streams (events, logs) create nothing
// on a host and are not footprint.

/** The kind of engine object an action created, changed or removed (secret and service: Swarm objects, on a manager). */
export type FootprintObjectKind = 'container' | 'network' | 'image' | 'secret' | 'service';

/** One action Drydock performed on a host, from one audit entry. */
export interface FootprintAction {
  /** When it was audited: ISO 8601, UTC. */
  at: string;
  /**
   * The audit action, e.g. 'helper.created', 'capture.helper-image-loaded', 'quarantine.pause',
   * 'fleet.service-created'; for what a fleet collector did on its node, the collector's own action
   * (e.g. 'helper.created'), from the merged bundle's audit chain.
   */
  action: string;
  objectKind: FootprintObjectKind;
  /** The engine's ID of that object (container, network, image, secret or service ID); '' when the entry names none. */
  objectId: string;
  /** One line saying what was done, e.g. "created helper container drydock-capture-1a2b (capture)". */
  summary: string;
  /** Who was acting, as written on the audit entry. */
  examiner: string;
  /** The audit chain the entry is in: a case ID, or null for the store's own chain. */
  caseId: string | null;
  /** The entry's sequence number in that chain. */
  seq: number;
}

/** Every action on one host, oldest first. */
export interface HostFootprint {
  host: string;
  actions: FootprintAction[];
}

/** Per host, sorted by host name; only hosts Drydock acted on appear. */
export interface FootprintSummary {
  /** The case whose chain was read, or null when every chain of the store was. */
  caseId: string | null;
  hosts: HostFootprint[];
}
