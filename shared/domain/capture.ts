// Packet captures taken by a helper container inside a container's network namespace, and the
// flow summaries Drydock derives from the stored pcap. Names, SNIs and HTTP hosts come off the wire
// of a suspect: hostile text, stored with unprintable bytes escaped as \xNN.

export interface CaptureOptions {
  /** Interface inside the container's namespace; 'any' (Linux cooked capture) by default. */
  interface: string;
  /** BPF filter expression; validated by tcpdump itself before the capture starts. */
  filter?: string;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Stop after this many packets (tcpdump -c). */
  packetCount?: number;
  /** Stop before the pcap would exceed this many bytes (cut at a packet boundary). */
  maxBytes?: number;
  /** Bytes kept of each packet (tcpdump -s); 0 or absent = whole packets. */
  snaplen?: number;
}

export type CaptureState = 'starting' | 'running' | 'stopping' | 'finished' | 'failed';

export type CaptureStopReason =
  | 'user'
  | 'duration'
  | 'packet-count'
  | 'max-bytes'
  /** tcpdump or its container ended on its own (killed, crashed, target stopped). */
  | 'helper-exited'
  /** The connection to the engine dropped mid-capture. */
  | 'disconnected'
  /** Drydock shut down while the capture ran. */
  | 'shutdown'
  | 'error';

/** tcpdump's own closing counters, parsed from its stderr. */
export interface TcpdumpCounters {
  captured?: number;
  receivedByFilter?: number;
  droppedByKernel?: number;
  droppedByInterface?: number;
}

export interface CaptureCounters {
  packets: number;
  /** pcap bytes stored so far (headers included). */
  bytes: number;
  elapsedMs: number;
}

export interface CaptureInfo {
  id: string;
  host: string;
  containerId: string;
  containerName: string;
  caseId: string;
  options: CaptureOptions;
  state: CaptureState;
  startedAt: string;
  endedAt?: string;
  counters: CaptureCounters;
  helperImage: string;
  /** Link-layer type tcpdump reported (EN10MB, LINUX_SLL2, …). */
  linkType?: string;
  stopReason?: CaptureStopReason;
  tcpdump?: TcpdumpCounters;
  /** Bytes that crossed the engine's attach stream from the helper (tcpdump's pcap on stdout, its messages on stderr). */
  attach?: { stdoutBytes: number; stderrBytes: number };
  /** The stored pcap, once the capture has ended (complete or incomplete). */
  pcap?: { artifactId: string; sha256: string; status: 'complete' | 'incomplete'; statusReason?: string };
  flowSummaryArtifactId?: string;
  /** Why it failed, when state is 'failed'. */
  error?: { kind: string; message: string };
}

export interface CaptureProgressEvent {
  captureId: string;
  state: CaptureState;
  counters: CaptureCounters;
}

export interface CaptureSettings {
  /** The user's own helper image (must contain tcpdump and busybox timeout); null = the bundled one. */
  helperImage: string | null;
  bundle: {
    /** Tag the bundled image is loaded under; null when no bundle is installed with this build. */
    tag: string | null;
    sha256: string | null;
    architecture: string | null;
    tcpdumpVersion: string | null;
    path: string | null;
    problem?: string;
  };
}

export interface FlowEndpoint {
  ip: string;
  /** null for protocols without ports. */
  port: number | null;
}

export type FlowProtocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'sctp' | 'other';

export interface DnsObservation {
  /** Query name, escaped. */
  name: string;
  type: string;
  /** Answers seen for it (addresses, CNAME targets), escaped. */
  answers: string[];
  responseCode?: string;
  queries: number;
  responses: number;
}

export interface Flow {
  protocol: FlowProtocol;
  /** IP protocol number (for 'other'). */
  ipProtocol: number;
  /** The side that sent the first packet seen (for TCP, the SYN sender when the SYN was seen). */
  client: FlowEndpoint;
  server: FlowEndpoint;
  packetsToServer: number;
  packetsToClient: number;
  bytesToServer: number;
  bytesToClient: number;
  firstSeen: string;
  lastSeen: string;
  /** TLS ClientHello server names seen on this flow. */
  tlsServerNames: string[];
  /** HTTP Host headers seen on this flow. */
  httpHosts: string[];
  /** DNS names asked on this flow. */
  dnsQueries: string[];
}

export interface FlowSummary {
  pcapSha256: string;
  linkType: number;
  linkTypeName: string;
  packets: number;
  /** Bytes on the wire as the pcap records them (original lengths). */
  wireBytes: number;
  firstSeen: string | null;
  lastSeen: string | null;
  flows: Flow[];
  /** Flows beyond the cap, folded into counts only (a flood must not exhaust memory). */
  flowsNotListed: number;
  packetsNotInListedFlows: number;
  dns: DnsObservation[];
  tlsServerNames: { name: string; flows: number }[];
  httpHosts: { name: string; flows: number }[];
  /** Packets whose headers could not be decoded (non-IP, truncated by snaplen, malformed). */
  undecodedPackets: number;
  /** The file ended inside a record (an incomplete capture). */
  truncated: boolean;
}
