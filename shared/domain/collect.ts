// Collecting a container's evidence in order of volatility (RFC 3227, section 2.1): one action runs
// every acquisition Drydock has for a container, most volatile first, each stored and audited by the
// capability that owns it; a step that fails is recorded and the rest go on.
import type { DrydockError } from '../result';

/**
 * The steps, in the order they run (most volatile first):
 * 1. 'processes': the process tree from the engine's top and the host's process table ('process-snapshot').
 * 2. 'process-detail': each process's /proc detail: executable and its hash, descriptors and socket
 *    owners, maps ('process-detail').
 * 3. 'connections': the host's connection graph, this container's sockets among it ('connection-snapshot').
 * 4. 'memory': ELF core images of the chosen processes ('memory-image', one per process).
 * 5. 'capture': packets for N seconds ('pcap', and its 'flow-summary').
 * 6. 'drift': the container's file system against its image ('drift-report', files as 'container-file').
 * 7. 'logs': what the engine kept of its output ('logs').
 * 8. 'inspect': the engine's inspect of the container and of its image: configuration, mounts,
 *    networks, state ('container-inspect').
 */
export const COLLECT_STEPS = ['processes', 'process-detail', 'connections', 'memory', 'capture', 'drift', 'logs', 'inspect'] as const;
export type CollectStep = (typeof COLLECT_STEPS)[number];

/** The steps that only exist while the container runs (skipped, with the reason, when it does not). */
export const VOLATILE_STEPS: readonly CollectStep[] = ['processes', 'process-detail', 'connections', 'memory', 'capture'];

/** Which processes' memory to image: every one, none, or these PIDs (as the container sees them). */
export type CollectMemorySelection = 'all' | 'none' | number[];

export type CollectStepState = 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

/** How one step ended. */
export interface CollectStepOutcome {
  step: CollectStep;
  /**
   * 'cancelled': the collection was cancelled (collect.cancel) while this step ran (what it stored is
   * kept, in `artifactIds`) or before it started (`startedAt` absent, nothing stored); `reason` says which.
   */
  state: 'done' | 'failed' | 'skipped' | 'cancelled';
  /** The artifacts it stored, in the order they were stored (a failed step may have stored some). */
  artifactIds: string[];
  /** ISO 8601 UTC; absent for a skipped step. */
  startedAt?: string;
  /** Milliseconds it ran (0 when skipped). */
  durationMs: number;
  /** Why it was skipped. */
  reason?: string;
  /** Why it failed (the owning capability's DrydockFailure, or each process's reason for memory). */
  error?: DrydockError;
  /** What the reader should know about a step that ran (e.g. the connection graph covers the whole host). */
  note?: string;
}

/** What `collect.run` returns once every step has run (or been skipped). */
export interface CollectResult {
  collectId: string;
  host: string;
  containerId: string;
  containerName: string;
  /** Whether the container was running when the collection began. */
  running: boolean;
  caseId: string;
  caseName: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt: string;
  /** Every step, in the order of volatility, each with its outcome. */
  steps: CollectStepOutcome[];
  /** The steps that failed (empty when none did). */
  failed: CollectStep[];
  /** Set when the collection was cancelled (collect.cancel, Ctrl-C): when (ISO 8601 UTC) and the step then running. */
  cancelled?: { at: string; step: CollectStep | null };
}

/** Emitted as each step starts and as it ends. */
export interface CollectProgressEvent {
  collectId: string;
  host: string;
  containerName: string;
  step: CollectStep;
  /** 1-based position of the step, of `total`. */
  index: number;
  total: number;
  state: CollectStepState;
  artifactIds: string[];
  reason?: string;
  error?: DrydockError;
}
