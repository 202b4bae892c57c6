// Timeline rows from the case's audit chain, the hosts' engine journals and the stored logs.
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../../shared/domain/evidence';
import type { JournalEntry } from '../../../shared/domain/journal';
import type { TimelineRow, TimelineSeverity } from '../../../shared/domain/timeline';
import { isoToNano } from '../time-nano';

/** An audit entry: who did what, when (quarantine steps and journal gaps stand out). */
export function auditRow(entry: AuditEntry, caseId: string): TimelineRow | undefined {
  const nano = isoToNano(entry.at);
  if (nano === undefined) return undefined;
  const d = entry.details;
  const host = typeof d.host === 'string' ? d.host : undefined;
  const container = typeof d.containerName === 'string' ? d.containerName : typeof d.container === 'string' ? d.container : undefined;
  const artifactId = typeof d.artifactId === 'string' ? d.artifactId : undefined;
  const severity: TimelineSeverity = entry.action.startsWith('quarantine.')
    ? 'high'
    : entry.action === 'journal.gap' || entry.action.endsWith('-failed')
      ? 'medium'
      : 'info';
  const summary = Object.entries(d)
    .filter(([k]) => !['rowHash'].includes(k))
    .slice(0, 8)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return {
    key: `audit:${entry.seq}`,
    time: entry.at,
    timeNano: nano.toString(),
    source: 'audit',
    timestampDesc: 'Recorded Time',
    macb: '....',
    severity,
    ...(host !== undefined ? { host } : {}),
    ...(container !== undefined ? { container } : {}),
    user: entry.examiner,
    message: `${entry.action} by ${entry.examiner}${summary ? `: ${summary.length > 400 ? `${summary.slice(0, 400)}…` : summary}` : ''}`,
    detail: `Audit entry ${entry.seq} of case ${caseId}, hash ${entry.hash}`,
    ...(artifactId !== undefined ? { artifactId } : {}),
    auditSeq: entry.seq,
  };
}

const JOURNAL_SEVERITY: Record<string, TimelineSeverity> = {
  exec_create: 'medium',
  exec_start: 'medium',
  oom: 'high',
  kill: 'low',

  copy: 'medium',
  'archive-path': 'low',
  'extract-to-dir': 'medium',
  commit: 'low',
  export: 'low',
};

/**
 * An engine event (or a gap) from a host's journal. `helperPurpose` names what the container was
 * for when it is one of Drydock's own helpers (recognised by the ID this store recorded, never by
 * label): its events are the examiner's footprint, shown as such at severity info.
 */
export function journalRow(entry: JournalEntry, helperPurpose?: string, nameOf?: (containerId: string) => string | undefined): TimelineRow {
  const name = entry.name ?? (entry.actorId.length > 12 ? entry.actorId.slice(0, 12) : entry.actorId);
  if (entry.kind === 'gap') {
    return {
      key: `journal:${entry.host}:${entry.seq}`,
      time: entry.time,
      timeNano: entry.timeNano,
      source: 'gap',
      timestampDesc: 'Journal Gap Start',
      macb: '....',
      severity: 'high',
      host: entry.host,
      message: `event gap on host ${entry.host} until ${entry.gapUntil ?? '?'}: events in between may be missing`,
      ...(entry.note !== undefined ? { detail: entry.note } : {}),
      journalSeq: entry.seq,
    };
  }
  let what = `${entry.type} ${entry.action} ${name}`;
  // Network and volume events name the container by ID only: named from its own journal entries.
  const other = entry.type !== 'container' ? entry.attributes.container : undefined;
  const otherName = other !== undefined ? (nameOf?.(other) ?? other.slice(0, 12)) : undefined;
  if (otherName !== undefined) what += ` (container ${otherName})`;
  let user: string | undefined;
  if (entry.exec && 'argv' in entry.exec) {
    user = entry.exec.user || '(image default user)';
    what += ` as ${user}${entry.exec.privileged ? ' (privileged)' : ''}: ${JSON.stringify(entry.exec.argv)}`;
  } else if (entry.actionDetail) what += `: ${entry.actionDetail}`;
  if (entry.exitCode !== undefined) what += ` (exit ${entry.exitCode})`;
  const reconstructed = entry.attributes['drydock.reconstructed'] !== undefined;
  if (reconstructed) what += ' [reconstructed from inspect after an event gap]';
  if (helperPurpose !== undefined) what = `[Drydock's ${helperPurpose} helper] ${what}`;
  const severity: TimelineSeverity =
    helperPurpose !== undefined
      ? 'info'
      : entry.action === 'die' && entry.exitCode !== undefined && entry.exitCode !== 0
        ? 'low'
        : (JOURNAL_SEVERITY[entry.action] ?? 'info');
  const container = entry.type === 'container' ? name : otherName;
  const containerId = entry.type === 'container' ? entry.actorId : entry.attributes.container;
  return {
    key: `journal:${entry.host}:${entry.seq}`,
    time: entry.time,
    timeNano: entry.timeNano,
    source: 'journal',
    timestampDesc: 'Event Time',
    macb: entry.action === 'create' ? '...B' : '....',
    severity,
    host: entry.host,
    ...(container !== undefined ? { container } : {}),
    ...(containerId !== undefined ? { containerId } : {}),
    ...(user !== undefined ? { user } : {}),
    message: what.length > 1000 ? `${what.slice(0, 1000)}…` : what,
    detail: reconstructed && entry.note ? entry.note : `Engine time ${entry.time}, received by Drydock at ${entry.receivedAt}`,
    journalSeq: entry.seq,
  };
}

/** The stored log record's parts ('stdout 2026-…Z message'): stream and time, the message bytes as text. */
export function logRecordRow(
  line: string,
  _index: number,
  where: { artifactId: string; host?: string; container?: string; containerId?: string; receivedTimes: boolean },
): TimelineRow | undefined {
  const m = /^(stdout|stderr|tty)\+? (\S+) ?(.*)$/s.exec(line);
  if (!m?.[2]) return undefined;
  const nano = isoToNano(m[2]);
  if (nano === undefined) return undefined;
  const text = m[3] ?? '';
  // Keyed by content, not by artifact: the same line kept twice (followed by the journal and acquired
  // again with drydock logs) is one row, linked to the first artifact that held it. The host is part
  // of the key: the same line read from the live engine and from its data root on disk is a row of each.
  const digest = createHash('sha1').update(line).digest('hex').slice(0, 20);
  return {
    key: `logs:${where.host ?? ''}:${where.containerId ?? where.artifactId}:${m[2]}:${digest}`,
    time: m[2],
    timeNano: nano.toString(),
    source: 'logs',
    timestampDesc: where.receivedTimes ? 'Log Line Received Time' : 'Log Line Time',
    macb: '....',
    severity: m[1] === 'stderr' ? 'low' : 'info',
    ...(where.host !== undefined ? { host: where.host } : {}),
    ...(where.container !== undefined ? { container: where.container } : {}),
    ...(where.containerId !== undefined ? { containerId: where.containerId } : {}),
    message: `${m[1]}: ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`,
    artifactId: where.artifactId,
  };
}
