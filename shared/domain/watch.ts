// Why a live watch (connection graph, process tree) ended: one vocabulary for every watch.
export type WatchEndReason =
  /** The examiner stopped it (the view closed, Stop in the header, Ctrl-C, the page went away). */
  | 'stopped'
  /** Its client stopped renewing it. */
  | 'lease-expired'
  /** Drydock is closing. */
  | 'shutdown'
  /** The watched container went away. */
  | 'container-gone'
  /** The host dropped and did not come back in time. */
  | 'host-disconnected'
  /** Refreshes kept failing. */
  | 'failed';
