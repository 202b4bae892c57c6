// Host profiles and connection state. Secrets never travel here: a profile names key and
// certificate files on the examiner's disk, never their contents or a password.

export type HostKind = 'socket' | 'tcp' | 'ssh';

export interface TlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Off only when the examiner turns it off explicitly; the UI then shows a warning. */
  verify: boolean;
}

export interface SshSettings {
  /** Private key file; when absent the SSH agent (SSH_AUTH_SOCK) is used. */
  keyFile?: string;
  /** Remote socket path, default /var/run/docker.sock. */
  socketPath?: string;
}

export interface HostProfile {
  name: string;
  /** unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host[:port] */
  url: string;
  kind: HostKind;
  tls?: TlsSettings;
  ssh?: SshSettings;
  createdAt: string;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface HostStatus {
  name: string;
  state: ConnectionState;
  /** Last failure, kept while reconnecting so the UI can say why. */
  lastError?: { kind: string; message: string };
  since: string;
}

export interface EngineFacts {
  host: string;
  engineVersion: string;
  apiVersion: string;
  minApiVersion?: string;
  os: string;
  osType: string;
  arch: string;
  kernelVersion: string;
  hostname: string;
  swarmRole: 'none' | 'manager' | 'worker';
  swarmNodeId?: string;
  containers: number;
  containersRunning: number;
  images: number;
  tlsVerify?: boolean;
  latencyMs: number;
  /**
   * Where the engine's own answers contradict each other (/version against /info, an engine
   * version against the API version it claims), one sentence each. The facts above are as /version
   * claimed them; nothing Drydock decides rests on a claim listed here.
   */
  inconsistencies?: string[];
}

/** Where the engine Drydock talks to came from, in the order the docker CLI weighs them. */
export type EndpointSource =
  'profile' | 'argument-url' | 'argument-context' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'current-context' | 'default-socket';

/** The answer to "which engine?": a saved profile (saved now when `created`) and why it was chosen. */
export interface HostResolution {
  profile: HostProfile;
  source: EndpointSource;
  /** The Docker context it came from, when it came from one. */
  context?: string;
  /** One sentence for the examiner and the audit log. */
  reason: string;
  created: boolean;
}

/** A docker CLI context as Drydock reads it from the context store (~/.docker/contexts). */
export interface DockerContextInfo {
  name: string;
  url: string;
  tls?: TlsSettings;
  description: string;
  /** The docker CLI's current context. */
  current: boolean;
  /** The saved profile with the same endpoint, if any. */
  profile?: string;
}
