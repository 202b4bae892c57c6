// What Drydock knows about one container, as the engine reported it. Every string here came
// out of a host under investigation: render it as text, never as markup or a terminal sequence.

export type RiskSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const RISK_SEVERITIES: readonly RiskSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type RiskFlagId =
  | 'privileged'
  | 'cap-added'
  | 'host-network'
  | 'host-pid'
  | 'host-ipc'
  | 'host-uts'
  | 'host-userns'
  | 'docker-socket'
  | 'sensitive-mount'
  | 'root-user'
  | 'seccomp-unconfined'
  | 'apparmor-unconfined'
  | 'new-privileges'
  | 'writable-rootfs'
  | 'image-missing'
  | 'image-dangling'
  | 'mutable-tag'
  | 'device-access'
  | 'quarantined'
  /** Carries Drydock's helper labels or name, but Drydock has no record of creating it. */
  | 'impersonates-helper';

export interface RiskFlag {
  id: RiskFlagId;
  severity: RiskSeverity;
  /** One sentence a responder can read aloud: what and why it matters. */
  reason: string;
  /** The offending values (capability names, mount paths...). */
  evidence?: string[];
}

export interface NetworkAttachment {
  network: string;
  networkId: string;
  ipv4?: string;
  ipv6?: string;
  mac?: string;
  aliases: string[];
  gateway?: string;
}

export interface PortBinding {
  containerPort: number;
  protocol: string;
  hostIp?: string;
  hostPort?: number;
}

export interface MountInfo {
  type: string;
  source: string;
  destination: string;
  readOnly: boolean;
  name?: string;
}

export interface ContainerSummary {
  host: string;
  id: string;
  name: string;
  image: string;
  imageId: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  state: string;
  status: string;
  restartCount: number;
  command: string;
  user: string;
  networks: NetworkAttachment[];
  ports: PortBinding[];
  mounts: MountInfo[];
  labels: Record<string, string>;
  compose?: { project: string; service: string };
  swarm?: { serviceName: string; serviceId?: string; taskId?: string; taskName?: string };
  risks: RiskFlag[];
  /** Highest severity among risks, for sorting; undefined when no flag. */
  topSeverity?: RiskSeverity;
  /**
   * One of Drydock's own helper containers, recognised by the container ID Drydock recorded when it
   * created it (never by label). Hidden from the inventory and graph unless asked for; never scored.
   */
  helper?: true;
  /** What the helper is for ('capture', 'sockets', 'filter-check', 'drift-index', 'snapshot-export'). */
  helperPurpose?: string;
}

export interface InventorySnapshot {
  host: string;
  takenAt: string;
  containers: ContainerSummary[];
  /** Where it was recorded, when it was (the artifact holds the snapshot without this field). */
  stored?: { caseId: string; artifactId: string; sha256: string };
}

export interface InventoryChange {
  host: string;
  /** Engine event that triggered it (start, die, destroy...). */
  action: string;
  containerId: string;
  /** The container as it is now; absent when it was removed. */
  container?: ContainerSummary;
  at: string;
}
