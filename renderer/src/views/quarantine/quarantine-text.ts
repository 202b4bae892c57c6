import { counted } from '../../../../shared/counted';
import type { QuarantineMode, QuarantineRecord, QuarantineState, StepState } from '../../../../shared/domain/quarantine';

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

/** The isolate mode of a Swarm task: the engine cannot disconnect a task, so nothing is disconnected. */
export const TASK_ISOLATE_SUMMARY =
  'Packet filter (nftables table) in its own network namespace: drops everything but loopback; it stays attached to its networks.';

/** What release will undo for this record, from what the quarantine did (nothing else is promised). */
export function releaseSummary(record: QuarantineRecord): string {
  const started = (mode: QuarantineMode) => record.steps.some((s) => s.mode === mode && s.state !== 'pending' && s.state !== 'skipped');
  const parts: string[] = [];
  if (record.packetFilter)
    parts.push(`deletes the packet-filter table ${record.packetFilter.table} from its network namespace and checks it is gone`);
  else if (started('isolate')) parts.push('puts it back on its recorded networks with their aliases and addresses');
  if (started('pause')) parts.push('unpauses it');
  if (started('stop')) parts.push('starts it again');
  for (const a of record.swarm?.actions ?? []) {
    if (a.state !== 'done' && a.state !== 'failed') continue;
    if (a.restored !== undefined) continue;
    parts.push(
      a.kind === 'drain-node'
        ? `sets node ${record.swarm?.nodeHostname || a.target} back to ${String(a.previous)}`
        : `scales service ${record.swarm?.serviceName ?? a.target} back to ${typeof a.previous === 'number' ? counted(a.previous, 'replica') : `${a.previous} replicas`}`,
    );
  }
  return parts.length ? parts.join('; ') : 'closes the record: the quarantine changed nothing that needs undoing';
}

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
