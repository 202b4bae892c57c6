import type { QuarantineMode, QuarantineState, StepState } from '../../../../shared/domain/quarantine';

export const MODE_LABEL: Record<QuarantineMode, string> = {
  isolate: 'Isolate network',
  pause: 'Pause',
  snapshot: 'Snapshot filesystem',
  stop: 'Stop (last resort)',
};

/** One line each, shown beside the checkbox before any plan is asked for. */
export const MODE_SUMMARY: Record<QuarantineMode, string> = {
  isolate: 'Disconnect from every network; attach to an internal, no-egress quarantine network (it can still be captured).',
  pause: 'Freeze every process; memory is kept.',
  snapshot: 'Commit to a labelled forensic image and store its filesystem in the case.',
  stop: 'Stop the container. Memory is lost.',
};

export const STATE_LABEL: Record<QuarantineState, string> = {
  applying: 'being applied',
  quarantined: 'quarantined',
  releasing: 'being released',
  released: 'released',
};

export const STEP_MARK: Record<StepState, string> = {
  pending: '○',
  running: '◔',
  done: '●',
  skipped: '–',
  failed: '✕',
};
