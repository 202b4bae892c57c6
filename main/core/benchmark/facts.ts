import type { ContainerInspectInfo } from 'dockerode';
import type { RiskFlag } from '../../../shared/domain/inventory';

// What the audit reads from the engine, gathered once (benchmark-service.ts) and judged by pure
// functions (the *-checks.ts files), so the same facts always give the same report.

/** The /info fields the benchmark reads; everything optional, since an engine may omit or lie. */
export interface InfoFacts {
  Name?: string;
  ServerVersion?: string;
  OperatingSystem?: string;
  Driver?: string;
  DriverStatus?: [string, string][] | null;
  Debug?: boolean;
  LoggingDriver?: string;
  LiveRestoreEnabled?: boolean;
  ExperimentalBuild?: boolean;
  SecurityOptions?: string[] | null;
  Warnings?: string[] | null;
  Plugins?: { Authorization?: string[] | null } | null;
  RegistryConfig?: {
    InsecureRegistryCIDRs?: string[] | null;
    IndexConfigs?: Record<string, { Name?: string; Secure?: boolean }> | null;
  } | null;
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; NodeAddr?: string; Managers?: number; Nodes?: number } | null;
  Containers?: number;
  ContainersRunning?: number;
  Images?: number;
}

export interface NetworkFacts {
  id: string;
  name: string;
  driver: string;
  options: Record<string, string>;
}

export interface ExecFacts {
  id: string;
  privileged: boolean;
  user: string;
  command: string;
}

export interface ContainerFacts {
  inspect: ContainerInspectInfo;
  /** The inventory's risk flags for this container (assessRisks, passed in through core.ts). */
  risks: RiskFlag[];
  /** The engine's `top` command column, or why it could not be read. */
  processes: { commands: string[] } | { error: string };
  /** The execs the engine still remembers for the container (ExecIDs, inspected). */
  execs: ExecFacts[];
}

export interface ImageFacts {
  id: string;
  tags: string[];
  user: string;
  healthcheck: string[] | null;
  env: string[];
  /** The history's CreatedBy lines, newest first as the engine returns them. */
  history: string[] | { error: string };
}

export interface SwarmFacts {
  autoLockManagers: boolean | undefined;
  nodeCertExpiryNs: number | undefined;
  secrets: number | undefined;
}

export interface EngineFacts {
  info: InfoFacts;
  apiVersion: string;
  /** The default bridge network, when the engine has one. */
  defaultBridge: NetworkFacts | undefined;
  networks: NetworkFacts[];
  /** Running containers (the benchmark audits what runs), Drydock's own helpers left out. */
  containers: ContainerFacts[];
  /** Every container, running or not. */
  containerTotal: number;
  images: ImageFacts[];
  /** Image IDs any container (running or not) was created from. */
  imagesInUse: ReadonlySet<string>;
  /** Read from a manager only; undefined elsewhere. */
  swarm: SwarmFacts | undefined;
}

export function containerSubject(inspect: ContainerInspectInfo): string {
  return `container ${inspect.Name.replace(/^\//, '')} (${inspect.Id.slice(0, 12)})`;
}

export function imageSubject(image: ImageFacts): string {
  return `image ${image.tags[0] ?? image.id.replace(/^sha256:/, '').slice(0, 12)}`;
}
