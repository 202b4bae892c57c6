// The per-host event journal: every engine event Drydock received while connected, and the gaps.

/**
 * One journal row. 'event': an engine event as the engine sent it. 'gap': a stretch of time the
 * journal cannot vouch for (events between `time` and `gapUntil` may be missing), with why.
 */
export interface JournalEntry {
  /** Insertion order in the store (not time order: a replay can fill in older events). */
  seq: number;
  host: string;
  kind: 'event' | 'gap';
  /** The engine's own time (timeNano), nanoseconds since the epoch, as a decimal string; for a gap, its start. */
  timeNano: string;
  /** The same as RFC 3339 UTC with nanoseconds. */
  time: string;
  /** When Drydock received it (the examiner's clock, RFC 3339 UTC). */
  receivedAt: string;
  /** container, image, network, volume, plugin, service, node, secret, config, daemon; 'gap' for a gap. */
  type: string;
  /** The action without its argument: 'exec_create', 'health_status', 'die'... */
  action: string;
  /** What the engine put after the action's colon: the exec'd command line for exec_create/exec_start, the health status... */
  actionDetail?: string;
  /** Container, image, network or volume ID (or name, as the engine gives it). */
  actorId: string;
  /** The container's, network's or volume's name, when the event names it. */
  name?: string;
  exitCode?: number;
  execId?: string;
  /** The exec's user, exact argv and flags, read by inspecting it as soon as exec_create arrived. */
  exec?: { user: string; argv: string[]; privileged: boolean; tty: boolean } | { error: string };
  /** The event's attributes as the engine sent them (labels, image, signal...). */
  attributes: Record<string, string>;
  /** A gap's end (engine time) and why it is there. */
  gapUntilNano?: string;
  gapUntil?: string;
  note?: string;
}

export interface JournalStatus {
  host: string;
  /** Whether the host is connected, so its events are being journaled. */
  journaling: boolean;
  entries: number;
  gaps: number;
  /** The latest engine event in the journal (RFC 3339). */
  lastEventTime?: string;
}
