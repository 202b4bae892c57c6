import type { HostFiles } from './host-files';
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
  Swarm?: {
    LocalNodeState?: string;
    ControlAvailable?: boolean;
    NodeID?: string;
    NodeAddr?: string;
    Managers?: number;
    Nodes?: number;
  } | null;
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
  /** The host's files (sections 1 and 3) when the host-file helper was asked for, or why it failed. */
  hostFiles?: HostFiles | { error: string };
}

export function containerSubject(inspect: ContainerInspectInfo): string {
  return `container ${inspect.Name.replace(/^\//, '')} (${inspect.Id.slice(0, 12)})`;
}

export function imageSubject(image: ImageFacts): string {
  return `image ${image.tags[0] ?? image.id.replace(/^sha256:/, '').slice(0, 12)}`;
}

// An engine under investigation may answer anything: /info is read field by field, and a field of
// the wrong type counts as not reported (so its check says could-not-check or shows '(absent)').
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}
function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function normalizeInfo(raw: unknown): InfoFacts {
  const info = record(raw) ?? {};
  const registry = record(info['RegistryConfig']);
  const indexes = record(registry?.['IndexConfigs']);
  const swarm = record(info['Swarm']);
  const plugins = record(info['Plugins']);
  const driverStatus = Array.isArray(info['DriverStatus'])
    ? info['DriverStatus'].filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string')
    : undefined;
  return defined({
    Name: str(info['Name']),
    ServerVersion: str(info['ServerVersion']),
    OperatingSystem: str(info['OperatingSystem']),
    Driver: str(info['Driver']),
    DriverStatus: driverStatus,
    Debug: bool(info['Debug']),
    LoggingDriver: str(info['LoggingDriver']),
    LiveRestoreEnabled: bool(info['LiveRestoreEnabled']),
    ExperimentalBuild: bool(info['ExperimentalBuild']),
    SecurityOptions: strings(info['SecurityOptions']),
    Warnings: strings(info['Warnings']),
    Plugins: plugins ? defined({ Authorization: strings(plugins['Authorization']) }) : undefined,
    RegistryConfig: registry
      ? defined({
          InsecureRegistryCIDRs: strings(registry['InsecureRegistryCIDRs']),
          IndexConfigs: indexes
            ? Object.fromEntries(
                Object.entries(indexes).map(([k, v]) => [
                  k,
                  defined({ Name: str(record(v)?.['Name']), Secure: bool(record(v)?.['Secure']) }),
                ]),
              )
            : undefined,
        })
      : undefined,
    Swarm: swarm
      ? defined({
          LocalNodeState: str(swarm['LocalNodeState']),
          ControlAvailable: bool(swarm['ControlAvailable']),
          NodeID: str(swarm['NodeID']),
          NodeAddr: str(swarm['NodeAddr']),
          Managers: num(swarm['Managers']),
          Nodes: num(swarm['Nodes']),
        })
      : undefined,
    Containers: num(info['Containers']),
    ContainersRunning: num(info['ContainersRunning']),
    Images: num(info['Images']),
  });
}

/** A network's options as strings only. */
export function stringOptions(raw: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(raw) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
