import type { DriftEntry, DriftReport, DriftSeverity } from '../../../shared/domain/drift';
import { counted } from '../../../shared/counted';
import { severityRank } from '../../../shared/domain/drift';
import type {
  ReplicaComparison,
  ReplicaDifference,
  ReplicaFeatureKind,
  ReplicaOutlier,
  ReplicaTaskVerdict,
} from '../../../shared/domain/replicas';

// The replicas of one service compared with each other (issue #14's replica comparison). Each
// task's evidence — its drift report, its processes' command lines, its listening sockets — is cut
// into features; a feature the majority of a task's siblings share is the baseline, so changes
// every replica makes (the application's logs, caches, pid files) fall away, and what one replica
// has alone is raised. A drift path changed everywhere but with content the others agree on and
// this one does not is a difference too (a trojaned copy of a file the application rewrites).
// Written here: no library compares sets of forensic features by majority.

/** One task's evidence, as the caller read it from the task's node. */
export interface ReplicaEvidence {
  taskId: string;
  taskName: string;
  containerId?: string;
  nodeId: string;
  nodeHostname: string;
  /** Set when nothing could be read for the task: why (node unreachable, no container...). */
  unreadable?: string;
  drift?: Pick<DriftReport, 'entries'>;
  /** Command lines of its processes, as ps shows them. */
  processes?: string[];
  /** Listening sockets as 'tcp 0.0.0.0:8080' (protocol, local address and port). */
  listening?: string[];
}

/** Fewer comparable tasks than this: no majority, so no task is called the outlier. */
const MIN_FOR_MAJORITY = 3;

interface DriftFeature {
  key: string;
  entry: DriftEntry;
  /** SHA-256 of the container's side of a changed or added regular file. */
  content?: string;
}

function driftFeatures(report: Pick<DriftReport, 'entries'> | undefined): Map<string, DriftFeature> {
  const out = new Map<string, DriftFeature>();
  for (const entry of report?.entries ?? []) {
    const key = `${entry.change} ${entry.pathBase64 !== undefined ? `base64:${entry.pathBase64}` : entry.path}`;
    const content = entry.change !== 'deleted' && entry.container?.type === 'file' ? entry.container.sha256 : undefined;
    out.set(key, { key, entry, ...(content ? { content } : {}) });
  }
  return out;
}

function atLeast(severity: DriftSeverity, floor: DriftSeverity): DriftSeverity {
  return severityRank(severity) >= severityRank(floor) ? severity : floor;
}

function worst(severities: DriftSeverity[]): DriftSeverity {
  return severities.reduce<DriftSeverity>((w, s) => (severityRank(s) > severityRank(w) ? s : w), 'info');
}

/**
 * Compares the tasks of one service with each other.
 * `tasks`: each task's evidence (tasks not running are the caller's to leave out). A task with
 * `unreadable` set, or with none of drift/processes/listening, is listed as not compared.
 * Returns every task's differences from the majority of its comparable siblings, and the outliers:
 * tasks differing at low severity or above when at least three tasks could be compared. Never throws.
 */
export function compareReplicas(service: { id: string; name: string }, tasks: readonly ReplicaEvidence[]): ReplicaComparison {
  const limitations: string[] = [];
  const readable = tasks.filter((t) => !t.unreadable && (t.drift || t.processes || t.listening));
  const drift = new Map(readable.map((t) => [t.taskId, driftFeatures(t.drift)]));
  const sets = {
    process: new Map(readable.map((t) => [t.taskId, new Set(t.processes ?? [])])),
    listening: new Map(readable.map((t) => [t.taskId, new Set(t.listening ?? [])])),
  };
  const has = (t: ReplicaEvidence, kind: ReplicaFeatureKind): boolean =>
    kind === 'drift' ? t.drift !== undefined : kind === 'process' ? t.processes !== undefined : t.listening !== undefined;

  const verdicts: ReplicaTaskVerdict[] = [];
  for (const task of tasks) {
    const base = {
      taskId: task.taskId,
      taskName: task.taskName,
      ...(task.containerId ? { containerId: task.containerId } : {}),
      nodeId: task.nodeId,
      nodeHostname: task.nodeHostname,
      had: { drift: task.drift !== undefined, processes: task.processes !== undefined, listening: task.listening !== undefined },
    };
    if (!readable.includes(task)) {
      verdicts.push({
        ...base,
        compared: false,
        reason: task.unreadable ?? 'no drift report, process list or listening sockets were read for it',
        differences: [],
        outlier: false,
        severity: 'info',
      });
      continue;
    }
    const differences: ReplicaDifference[] = [];
    // Drift: presence by change and path, then content among those present.
    const siblingsD = readable.filter((s) => s !== task && has(s, 'drift'));
    if (task.drift && siblingsD.length > 0) {
      const mine = drift.get(task.taskId) as Map<string, DriftFeature>;
      const n = siblingsD.length;
      for (const f of mine.values()) {
        const others = siblingsD.map((s) => drift.get(s.taskId)?.get(f.key)).filter((o): o is DriftFeature => o !== undefined);
        if (others.length * 2 < n) {
          differences.push({
            kind: 'drift',
            direction: 'extra',
            what: f.entry.path,
            siblingsWith: others.length,
            siblings: n,
            severity: f.entry.severity,
            why: `${f.entry.change} ${f.entry.path} here, in ${others.length} of ${counted(n, 'sibling')}${f.entry.reasons[0] ? ` (${f.entry.reasons[0].reason})` : ''}`,
          });
          continue;
        }
        if (!f.content) continue;
        const counts = new Map<string, number>();
        for (const o of others) if (o.content) counts.set(o.content, (counts.get(o.content) ?? 0) + 1);
        const [common, agree] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
        if (agree * 2 > n && common !== f.content)
          differences.push({
            kind: 'drift',
            direction: 'content',
            what: f.entry.path,
            siblingsWith: agree,
            siblings: n,
            severity: atLeast(f.entry.severity, 'medium'),
            why: `${f.entry.path} has SHA-256 ${f.content} here; ${agree} of ${counted(n, 'sibling')} agree on ${common}`,
          });
      }
      const seen = new Map<string, { feature: DriftFeature; count: number }>();
      for (const s of siblingsD)
        for (const f of (drift.get(s.taskId) as Map<string, DriftFeature>).values()) {
          const at = seen.get(f.key);
          if (at) at.count++;
          else seen.set(f.key, { feature: f, count: 1 });
        }
      for (const { feature, count } of seen.values())
        if (!mine.has(feature.key) && count * 2 > n)
          differences.push({
            kind: 'drift',
            direction: 'missing',
            what: feature.entry.path,
            siblingsWith: count,
            siblings: n,
            severity: 'info',
            why: `${count} of ${counted(n, 'sibling')} show ${feature.entry.change} ${feature.entry.path}; this one does not`,
          });
    }
    for (const kind of ['process', 'listening'] as const) {
      const siblings = readable.filter((s) => s !== task && has(s, kind));
      if (!has(task, kind) || siblings.length === 0) continue;
      const mine = sets[kind].get(task.taskId) as Set<string>;
      const n = siblings.length;
      const count = (value: string) => siblings.filter((s) => sets[kind].get(s.taskId)?.has(value)).length;
      const label = kind === 'process' ? 'runs' : 'listens on';
      for (const value of mine) {
        const c = count(value);
        if (c * 2 < n)
          differences.push({
            kind,
            direction: 'extra',
            what: value,
            siblingsWith: c,
            siblings: n,
            severity: kind === 'listening' ? 'high' : 'medium',
            why: `${label} ${value}; ${c} of ${counted(n, 'sibling')} do`,
          });
      }
      const union = new Set(siblings.flatMap((s) => [...(sets[kind].get(s.taskId) ?? [])]));
      for (const value of union) {
        const c = count(value);
        if (!mine.has(value) && c * 2 > n)
          differences.push({
            kind,
            direction: 'missing',
            what: value,
            siblingsWith: c,
            siblings: n,
            severity: 'low',
            why: `does not ${kind === 'process' ? 'run' : 'listen on'} ${value}, as ${c} of ${counted(n, 'sibling')} do`,
          });
      }
    }
    differences.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.what < b.what ? -1 : a.what > b.what ? 1 : 0));
    const severity = worst(differences.map((d) => d.severity));
    verdicts.push({
      ...base,
      compared: true,
      differences,
      outlier: readable.length >= MIN_FOR_MAJORITY && severityRank(severity) >= severityRank('low'),
      severity,
    });
  }
  if (readable.length < MIN_FOR_MAJORITY)
    limitations.push(
      `Only ${counted(readable.length, 'task')} of service ${service.name} could be compared: with fewer than ${MIN_FOR_MAJORITY} there is no majority, so differences are listed for each and none is called the outlier`,
    );
  for (const v of verdicts)
    if (!v.compared)
      limitations.push(`Task ${v.taskName} (${v.taskId}) on ${v.nodeHostname || v.nodeId || 'no node'} was not compared: ${v.reason}`);
  for (const kind of ['drift', 'process', 'listening'] as const) {
    const missing = readable.filter((t) => !has(t, kind));
    if (missing.length && missing.length < readable.length)
      limitations.push(
        `No ${kind === 'drift' ? 'drift report' : kind === 'process' ? 'process list' : 'listening sockets'} for ${missing.map((t) => t.taskName).join(', ')}: compared on the rest only`,
      );
  }
  const outliers: ReplicaOutlier[] = verdicts
    .filter((v) => v.outlier)
    .map((v) => ({
      taskId: v.taskId,
      taskName: v.taskName,
      ...(v.containerId ? { containerId: v.containerId } : {}),
      nodeHostname: v.nodeHostname,
      severity: v.severity,
      why: v.differences.filter((d) => severityRank(d.severity) >= severityRank('low')).map((d) => d.why),
    }))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const everywhere = <T>(keysOf: (t: ReplicaEvidence) => Iterable<T> | undefined, kind: ReplicaFeatureKind): number => {
    const withIt = readable.filter((t) => has(t, kind));
    if (withIt.length === 0) return 0;
    const [first, ...rest] = withIt.map((t) => new Set(keysOf(t) ?? []));
    return [...(first ?? [])].filter((k) => rest.every((s) => s.has(k))).length;
  };
  return {
    serviceId: service.id,
    serviceName: service.name,
    comparable: readable.length,
    tasks: verdicts,
    outliers,
    shared: {
      drift: everywhere((t) => drift.get(t.taskId)?.keys(), 'drift'),
      processes: everywhere((t) => t.processes, 'process'),
      listening: everywhere((t) => t.listening, 'listening'),
    },
    limitations,
  };
}
