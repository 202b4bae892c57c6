// Timeline rows from the case's stored artifacts, one function per artifact kind. Each reads the
// artifact's JSON as the capability stored it and keeps only dated facts; text stays as the host
// sent it (front ends escape it).
import { counted } from '../../../shared/counted';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { TimelineRow, TimelineSeverity } from '../../../shared/domain/timeline';
import { fleetCollectorRun, type FleetCollectorIds } from '../evidence/fleet-collectors';
import { isoToNano } from '../time-nano';

const SEVERITY_FROM: Record<string, TimelineSeverity> = {
  info: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

/** What an artifact's rows are read with besides the artifact: facts from the rest of the case. */
export interface ArtifactRowContext {
  /** The fleet collector containers the case's audit names (fleetCollectorIds: `${runId} ${containerId}`). */
  collectors: FleetCollectorIds;
}

function severity(value: unknown): TimelineSeverity {
  return typeof value === 'string' ? (SEVERITY_FROM[value] ?? 'info') : 'info';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A row at `time` (ISO), or nothing when the time does not parse or is the zero time Docker uses for "never". */
function at(time: unknown, row: Omit<TimelineRow, 'time' | 'timeNano'>): TimelineRow | undefined {
  const text = str(time);
  if (!text || text.startsWith('0001-01-01')) return undefined;
  const nano = isoToNano(text);
  if (nano === undefined || nano <= 0n) return undefined;
  return { ...row, time: text, timeNano: nano.toString() };
}

function rank(s: TimelineSeverity): number {
  return ['info', 'low', 'medium', 'high', 'critical'].indexOf(s);
}

/**
 * Drift entries dated by the container-side file's mtime (from the tar header the engine sent; a
 * tar header carries no ctime, and an mtime can be set to anything: timestomping).
 */
export function driftRows(artifact: ArtifactInfo, report: unknown): TimelineRow[] {
  const r = rec(report);
  const host = str(r.host) ?? artifact.source.host;
  const container = str(r.containerName) ?? artifact.source.containerName;
  const containerId = str(r.containerId) ?? artifact.source.containerId;
  const rows: TimelineRow[] = [];
  for (const raw of list(r.entries)) {
    const e = rec(raw);
    const meta = rec(e.container);
    const path = str(e.path) ?? '?';
    const classes = list(e.classes).filter((c): c is string => typeof c === 'string');
    const reasons = list(e.reasons)
      .map((x) => str(rec(x).reason))
      .filter((x): x is string => x !== undefined);
    const row = at(meta.mtime, {
      key: `drift:${artifact.id}:${path}`,
      source: 'drift',
      timestampDesc: 'Content Modification Time',
      macb: 'M...',
      severity: severity(e.severity),
      ...(host !== undefined ? { host } : {}),
      ...(container !== undefined ? { container } : {}),
      ...(containerId !== undefined ? { containerId } : {}),
      message: `${str(e.change) ?? 'changed'} ${path}${classes.length ? ` (${classes.join(', ')})` : ''}${str(e.package) ? ` [package ${str(e.package)}]` : ''}`,
      detail: `${reasons.length ? `${reasons.join('; ')}. ` : ''}The time is the file's mtime in the container's layer, as the engine's tar header gave it; mtimes can be forged (timestomping) and the header carries no ctime.`,
      path,
      artifactId: artifact.id,
    });
    if (row) rows.push(row);
  }
  return rows;
}

/** Process start times from a process snapshot (second precision: taken-at minus elapsed). */
export function processRows(artifact: ArtifactInfo, snapshot: unknown): TimelineRow[] {
  const s = rec(snapshot);
  const host = str(s.host) ?? artifact.source.host;
  const container = str(s.containerName) ?? artifact.source.containerName;
  const containerId = str(s.containerId) ?? artifact.source.containerId;
  const rows: TimelineRow[] = [];
  for (const raw of list(s.processes)) {
    const p = rec(raw);
    const flags = list(p.flags).map(rec);
    const worst = flags.reduce<TimelineSeverity>((w, f) => (rank(severity(f.severity)) > rank(w) ? severity(f.severity) : w), 'info');
    const pid = typeof p.pid === 'number' ? p.pid : 0;
    const args = str(p.args) ?? '?';
    const row = at(p.startedAt, {
      key: `process:${host ?? ''}:${containerId ?? ''}:${pid}:${str(p.startedAt) ?? ''}`,
      source: 'process',
      timestampDesc: 'Process Start Time',
      macb: '...B',
      severity: worst,
      ...(host !== undefined ? { host } : {}),
      ...(container !== undefined ? { container } : {}),
      ...(containerId !== undefined ? { containerId } : {}),
      ...(str(p.user) ? { user: str(p.user) } : str(p.uid) ? { user: `uid ${str(p.uid)}` } : {}),
      message: `process ${pid} started: ${args.length > 300 ? `${args.slice(0, 300)}…` : args}`,
      detail: [
        `pid ${pid}, parent ${String(p.ppid ?? '?')}${p.execId ? `, exec session ${String(p.execId)}` : ''}`,
        ...flags.map((f) => `${str(f.severity) ?? ''}: ${str(f.reason) ?? ''}`),
        'Start time to the second (the snapshot time minus the elapsed time ps reported).',
      ].join('; '),
      artifactId: artifact.id,
    });
    if (row) rows.push(row);
  }
  return rows;
}

/**
 * Containers' created/started/finished times from an inventory snapshot (the engine's inspect).
 * Drydock's helpers are left out. A fleet run's own collector container (`collectors`: the
 * `${runId} ${containerId}` keys the case's audit names, fleet-collectors.ts; recognised only in an
 * inventory merged from that run and carrying its label) is Drydock's footprint: its rows say so and
 * are info, whatever risk flags the Docker socket Drydock mounted into it earned.
 */
export function lifecycleRows(artifact: ArtifactInfo, snapshot: unknown, collectors: FleetCollectorIds = new Set()): TimelineRow[] {
  const s = rec(snapshot);
  const host = str(s.host) ?? artifact.source.host;
  const fromDisk = str(rec(s.source).path);
  // Merged from a fleet collector's bundle: read on the node when the collector acquired it, not when merged.
  const readAt = str(rec(artifact.attributes.fleet).acquiredAt) ?? artifact.acquiredAt;
  const rows: TimelineRow[] = [];
  for (const raw of list(s.containers)) {
    const c = rec(raw);
    if (c.helper === true) continue;
    const id = str(c.id) ?? '';
    const name = str(c.name) ?? id.slice(0, 12);
    const risks = list(c.risks).map(rec);
    const run = fleetCollectorRun(c, artifact.attributes, collectors);
    const top = run !== undefined ? 'info' : severity(c.topSeverity);
    const base = {
      source: 'lifecycle' as const,
      ...(host !== undefined ? { host } : {}),
      container: name,
      containerId: id,
      artifactId: artifact.id,
    };
    const flags = risks.map((r) => str(r.reason) ?? str(r.id) ?? '?').join('; ');
    const riskText =
      run !== undefined
        ? ` The collector container of fleet run ${run}: Drydock ran it on this node with the node's Docker socket mounted and removed it after the run, so its risk flags are Drydock's doing, not the host's${flags ? ` (${flags})` : ''}.`
        : risks.length
          ? ` Risk flags: ${flags}.`
          : '';
    const own = run !== undefined ? `[Drydock's fleet collector, run ${run}] ` : '';
    for (const [field, desc, macb, verb] of [
      ['createdAt', 'Creation Time', '...B', 'created'],
      ['startedAt', 'Start Time', '....', 'started'],
      ['finishedAt', 'Finish Time', '....', 'finished'],
    ] as const) {
      const row = at(c[field], {
        ...base,
        key: `lifecycle:${host ?? ''}:${id}:${field}:${str(c[field]) ?? ''}`,
        timestampDesc: desc,
        macb,
        severity: field === 'createdAt' ? top : 'info',
        message: `${own}container ${name} ${verb} (image ${str(c.image) ?? '?'}, state ${str(c.state) ?? '?'} at the snapshot)`,
        detail: `${fromDisk ? `From config.v2.json in the data root ${fromDisk} (read ${readAt})` : `From the engine's inspect (recorded ${readAt})`}; a later start or finish overwrites these times.${riskText}`,
      });
      if (row) rows.push(row);
    }
  }
  return rows;
}

/** An image's creation and its build steps, from a data root's image list (the image configs on disk). */
export function imageRows(artifact: ArtifactInfo, value: unknown): TimelineRow[] {
  const s = rec(value);
  const host = artifact.source.host;
  const rows: TimelineRow[] = [];
  for (const raw of list(s.images)) {
    const img = rec(raw);
    const id = str(img.id) ?? '?';
    const tags = list(img.tags).filter((t): t is string => typeof t === 'string');
    const name = tags.length ? tags.join(', ') : id.replace(/^sha256:/, '').slice(0, 12);
    const base = { source: 'image' as const, ...(host !== undefined ? { host } : {}), artifactId: artifact.id, severity: 'info' as const };
    const created = at(img.created, {
      ...base,
      key: `image:${host ?? ''}:${id}:created`,
      timestampDesc: 'Image Creation Time',
      macb: '...B',
      message: `image ${name} created (${id.replace(/^sha256:/, '').slice(0, 12)})`,
      detail: `From the image's config in the data root (image/overlay2/imagedb): the time its builder wrote, which it can set to anything (reproducible builds set it to the epoch or a commit time)`,
    });
    if (created) rows.push(created);
    for (const [i, rawStep] of list(img.history).entries()) {
      const step = rec(rawStep);
      const by = str(step.createdBy) ?? '';
      const row = at(step.created, {
        ...base,
        key: `image:${host ?? ''}:${id}:step:${i}`,
        timestampDesc: 'Image Build Step Time',
        macb: '....',
        message: `image ${name} build step ${i + 1}${step.emptyLayer === true ? ' (no layer)' : ''}: ${by.length > 300 ? `${by.slice(0, 300)}…` : by}`,
        detail: `The image config's history entry ${i + 1}, as its builder wrote it${by.length > 300 ? `: ${by}` : ''}`,
      });
      if (row) rows.push(row);
    }
  }
  return rows;
}

/**
 * A data root's writable-layer entries as filesystem events (bodyfile-like): one row per entry at
 * its mtime; a whiteout's time is the deletion's.
 */
export function upperFileRows(artifact: ArtifactInfo, value: unknown): TimelineRow[] {
  const s = rec(value);
  const host = artifact.source.host;
  const rows: TimelineRow[] = [];
  for (const rawContainer of list(s.upperFiles)) {
    const c = rec(rawContainer);
    const id = str(c.containerId) ?? '';
    const name = str(c.containerName) ?? id.slice(0, 12);
    const mount = str(c.mountId) ?? '?';
    for (const raw of list(c.entries)) {
      const e = rec(raw);
      const path = str(e.path) ?? '?';
      const type = str(e.type) ?? 'other';
      const mode = typeof e.mode === 'number' ? e.mode : 0;
      const whiteout = type === 'whiteout';
      const special = mode & 0o6000 ? ` (${mode & 0o4000 ? 'setuid' : 'setgid'})` : '';
      // A regular file with an execute bit written in the container is what a dropped tool looks like.
      const executable = type === 'file' && (mode & 0o111) !== 0;
      const row = at(e.mtime, {
        key: `file:${host ?? ''}:${mount}:${path}:${str(e.mtime) ?? ''}`,
        source: 'file',
        timestampDesc: whiteout ? "Deletion Time (the whiteout's mtime)" : 'Content Modification Time',
        macb: 'M...',
        severity: special ? 'medium' : executable ? 'low' : 'info',
        ...(host !== undefined ? { host } : {}),
        container: name,
        containerId: id,
        ...(typeof e.uid === 'number' ? { user: `uid ${e.uid}` } : {}),
        message: whiteout
          ? `deleted ${path} (whiteout in the writable layer)`
          : `${type} ${path} last written in the writable layer (added or changed since the image; its drift report says which)${e.opaque === true ? ', opaque: replaced, what the image had there is hidden' : ''}${special}${executable && !special ? ', executable' : ''}, mode ${mode.toString(8).padStart(4, '0')}, ${typeof e.size === 'number' ? e.size : '?'} bytes`,
        detail: `The modification time of overlay2/${mount}/diff${path} in the data root, nanoseconds as the source keeps them. An mtime can be set to anything (touch -r); ctime and atime are not used (in a copied tree or a tarball they are the copy's).`,
        path,
        artifactId: artifact.id,
      });
      if (row) rows.push(row);
    }
  }
  return rows;
}

/** An inventory snapshot's rows: container lifecycles, and from a data root its images and writable-layer files. */
export function inventoryRows(artifact: ArtifactInfo, value: unknown, context?: ArtifactRowContext): TimelineRow[] {
  return [...lifecycleRows(artifact, value, context?.collectors), ...imageRows(artifact, value), ...upperFileRows(artifact, value)];
}

/** The capture window and the flows a flow summary lists (notable ones — DNS, TLS SNI, HTTP Host — say so). */
export function flowRows(artifact: ArtifactInfo, summary: unknown): TimelineRow[] {
  const s = rec(summary);
  const host = artifact.source.host;
  const container = artifact.source.containerName;
  const containerId = artifact.source.containerId;
  const where = {
    ...(host !== undefined ? { host } : {}),
    ...(container !== undefined ? { container } : {}),
    ...(containerId !== undefined ? { containerId } : {}),
    artifactId: artifact.id,
  };
  const rows: TimelineRow[] = [];
  const packets = typeof s.packets === 'number' ? s.packets : 0;
  const first = at(s.firstSeen, {
    ...where,
    key: `capture:${artifact.id}:first`,
    source: 'capture',
    timestampDesc: 'Capture First Packet',
    macb: '....',
    severity: 'info',
    message: `capture: first packet of ${packets} (pcap ${str(s.pcapSha256)?.slice(0, 12) ?? '?'})`,
  });
  const last = at(s.lastSeen, {
    ...where,
    key: `capture:${artifact.id}:last`,
    source: 'capture',
    timestampDesc: 'Capture Last Packet',
    macb: '....',
    severity: 'info',
    message: `capture: last packet of ${packets}${s.truncated === true ? ' (the pcap ended inside a record)' : ''}`,
  });
  if (first) rows.push(first);
  if (last) rows.push(last);
  for (const [i, raw] of list(s.flows).entries()) {
    const f = rec(raw);
    const client = rec(f.client);
    const server = rec(f.server);
    const names = [
      ...list(f.tlsServerNames).map((n) => `TLS SNI ${String(n)}`),
      ...list(f.httpHosts).map((n) => `HTTP Host ${String(n)}`),
      ...list(f.dnsQueries).map((n) => `DNS ${String(n)}`),
    ];
    const endpoint = (e: Record<string, unknown>) =>
      `${String(e.ip ?? '?')}${e.port === null || e.port === undefined ? '' : `:${String(e.port)}`}`;
    const row = at(f.firstSeen, {
      ...where,
      key: `flow:${artifact.id}:${i}`,
      source: 'flow',
      timestampDesc: 'Flow First Seen',
      macb: '....',
      severity: names.length ? 'low' : 'info',
      message: `${String(f.protocol ?? '?')} ${endpoint(client)} → ${endpoint(server)}${names.length ? ` (${names.slice(0, 5).join(', ')})` : ''}`,
      detail: `${Number(f.packetsToServer ?? 0) + Number(f.packetsToClient ?? 0)} packets, ${Number(f.bytesToServer ?? 0)} bytes to the server and ${Number(f.bytesToClient ?? 0)} back, last seen ${String(f.lastSeen ?? '?')}`,
    });
    if (row) rows.push(row);
  }
  return rows;
}

/**
 * A YARA scan's result as one row at the time the scan finished (an examiner's finding, source
 * 'audit'): high when a rule matched, naming the rules and where the first matches are.
 */
export function yaraRows(artifact: ArtifactInfo, value: unknown): TimelineRow[] {
  const y = rec(value);
  const target = rec(y.target);
  const host = str(y.host) ?? artifact.source.host;
  const container = str(y.containerName) ?? artifact.source.containerName;
  const containerId = str(y.containerId) ?? artifact.source.containerId;
  const count = typeof y.matchCount === 'number' ? y.matchCount : 0;
  // A rule matching on its condition alone is a match but no string hit (reports before stringHits: matchCount).
  const hits = typeof y.stringHits === 'number' ? y.stringHits : count;
  const matched = list(y.rulesMatched).map((r) => str(r) ?? '?');
  const what =
    str(target.kind) === 'container'
      ? target.memory === true
        ? 'live process memory'
        : 'the container filesystem'
      : str(target.kind) === 'drift-scan'
        ? `the files of drift scan ${str(target.scanId) ?? '?'}`
        : `artifact ${str(target.artifactId) ?? '?'}`;
  const where = list(y.matches)
    .slice(0, 5)
    .map(rec)
    .map((m) => {
      const place =
        str(m.path) ??
        (typeof m.pid === 'number'
          ? `PID ${m.pid}${str(m.address) ? ` at 0x${str(m.address)}` : ''}`
          : `artifact ${str(m.artifactId) ?? '?'}`);
      return `${str(m.rule) ?? '?'} in ${place} @${typeof m.offset === 'number' ? m.offset : '?'}`;
    });
  const row = at(y.finishedAt, {
    key: `yara:${artifact.id}`,
    source: 'audit',
    timestampDesc: 'YARA Scan Time',
    macb: '....',
    severity: count > 0 ? 'high' : 'info',
    ...(host !== undefined ? { host } : {}),
    ...(container !== undefined ? { container } : {}),
    ...(containerId !== undefined ? { containerId } : {}),
    message:
      count > 0
        ? `YARA: ${counted(matched.length, 'rule')} matched (${matched.join(', ')}), ${counted(hits, 'string hit')}, in ${what}`
        : `YARA: no match in ${what} (${counted(list(y.rules).length, 'rule file')})`,
    detail: [
      ...where,
      `engine ${str(rec(y.engine).name) ?? '?'} ${str(rec(y.engine).version) ?? ''} (${str(rec(y.engine).where) ?? '?'})`,
    ].join('; '),
    artifactId: artifact.id,
  });
  return row ? [row] : [];
}
