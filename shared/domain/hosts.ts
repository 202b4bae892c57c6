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
}
