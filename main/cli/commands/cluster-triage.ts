import {
  noMajorityNote,
  worstFound,
  type ClusterTriageFootprint,
  type ClusterTriageResult,
  type ClusterTriageService,
  type ClusterTriageUnattributed,
} from '../../../shared/domain/cluster-triage';
import { DRIFT_SEVERITIES, severityRank, type DriftSeverity } from '../../../shared/domain/drift';
import { CliError, type CliCommand, GATE_FAILED_EXIT } from '../command';
import { counted } from '../counted';
import { safeText, table } from '../terminal-safe';

// `drydock cluster triage`: every service of a swarm triaged across its nodes from one manager
// (cluster.triage), the summary as a table or JSON, --fail-on as a gate.

function parseFailOn(value: unknown): DriftSeverity | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(DRIFT_SEVERITIES as readonly string[]).includes(value))
    throw new CliError(`--fail-on takes one of ${DRIFT_SEVERITIES.join(', ')}`, 2);
  return value as DriftSeverity;
}

const NODE_STATE: Record<ClusterTriageResult['nodes'][number]['state'], string> = {
  reached: 'reached',
  'partly-reached': 'PARTLY READ',
  unreached: 'NOT REACHED',
  'no-tasks': 'no running task',
};

/** The NOTE of a service: why it failed or was skipped, or, with no majority, that no outlier could be named and who differs. */
function serviceNote(s: ClusterTriageService): string {
  if (s.error) return `FAILED: ${s.error}`;
  if (s.skipped) return s.skipped;
  return noMajorityNote(s);
}

/** The unattributed replicas of a triage (`--fail-on` counts them when at or above the gate): every service's, in order. */
export function unattributedOf(r: ClusterTriageResult): { service: ClusterTriageService; replica: ClusterTriageUnattributed }[] {
  return r.services.flatMap((service) => service.unattributed.map((replica) => ({ service, replica })));
}

/**
 * What `--fail-on SEVERITY` counts: outlier tasks at or above it, and replicas differing at or above
 * it in services with no majority (fewer than 3 compared). No outlier can be named there, but the
 * difference is real and a responder must look, so it fails the gate too.
 */
export function gateHits(r: ClusterTriageResult, failOn: DriftSeverity): { outliers: number; unattributed: number } {
  const at = (severity: DriftSeverity) => severityRank(severity) >= severityRank(failOn);
  return {
    outliers: r.services.flatMap((s) => s.outliers).filter((o) => at(o.severity)).length,
    unattributed: unattributedOf(r).filter((u) => at(u.replica.severity)).length,
  };
}

/** The summary for a terminal: nodes, services, outliers with why, replicas differing with no majority, what was not read. */
/**
 * The one line saying what the triage did on the hosts, e.g. "On the hosts: helper image
 * drydock/capture-helper:1 loaded on 2 hosts (21.8 MB each; left there for later runs), 6 helper
 * containers run and removed"; every engine-named value escaped.
 */
export function footprintLine(f: ClusterTriageFootprint): string {
  const parts: string[] = [];
  const loaded = [...new Set(f.imagesLoaded.map((l) => l.host))];
  if (loaded.length) {
    const images = [...new Set(f.imagesLoaded.map((l) => safeText(l.image, 200)))].join(', ');
    const sizes = [...new Set(f.imagesLoaded.map((l) => `${(l.bytes / 1e6).toFixed(1)} MB`))];
    parts.push(
      `helper image ${images} loaded on ${counted(loaded.length, 'host')} (${loaded.map((h) => safeText(h, 200)).join(', ')}; ${sizes.length === 1 ? `${sizes[0]}${loaded.length > 1 ? ' each' : ''}` : sizes.join(', ')}; left there for later runs)`,
    );
  } else parts.push('no helper image loaded');
  if (f.imageLoadsFailed.length)
    parts.push(
      `a helper image load failed part way on ${[...new Set(f.imageLoadsFailed)].map((h) => safeText(h, 200)).join(', ')} (part of it may be left there)`,
    );
  parts.push(
    f.helpersCreated === 0
      ? 'no helper container run'
      : `${counted(f.helpersCreated, 'helper container')} run and ${f.helpersRemoved === f.helpersCreated ? 'removed' : `${f.helpersRemoved} removed`}${f.helpersLeft ? `, ${f.helpersLeft} could not be removed (left for the sweeper)` : ''}`,
  );
  return `On the hosts: ${parts.join(', ')} (drydock footprint lists each action)`;
}

export function renderClusterTriage(r: ClusterTriageResult): string {
  const differing = unattributedOf(r);
  const lines = [
    `swarm ${safeText(r.clusterId)} triaged from manager host ${safeText(r.manager, 200)} (${r.startedAt} to ${r.finishedAt}): ${counted(r.servicesTriaged, 'service')} triaged, ${counted(r.outliers, 'outlier')}${differing.length ? `, ${counted(differing.length, 'replica')} differing with no majority to name an outlier` : ''}, ${counted(r.replicasNotRead, 'replica')} not read; nodes reached ${r.nodesReached}, not reached ${r.nodesUnreached}`,
    '',
    table(
      ['NODE', 'ROLE', 'ADDRESS', 'REACHED AS', 'TASKS READ', 'STATE'],
      r.nodes.map((n) => [n.hostname || n.nodeId, n.role, n.address, n.host ?? '-', `${n.read}/${n.tasks}`, NODE_STATE[n.state]]),
    ),
  ];
  for (const n of r.nodes)
    if (n.reasons.length)
      lines.push(
        `  ${safeText(n.hostname || n.nodeId, 200)}: ${n.reasons.map((x) => safeText(x, 400)).join(' · ')}${n.suggestion ? ` (suggested profile URL: ${safeText(n.suggestion, 200)})` : ''}`,
      );
  lines.push(
    '',
    table(
      ['SERVICE', 'MODE', 'RUNNING', 'COMPARED', 'OUTLIERS', 'WORST', 'NOT READ', 'NOTE'],
      r.services.map((s) => [
        s.serviceName,
        s.mode,
        String(s.running),
        String(s.compared),
        String(s.outliers.length),
        worstFound(s) ?? '-',
        s.notRead.length ? `${s.notRead.length} NOT READ` : '0',
        serviceNote(s),
      ]),
    ),
  );
  const outliers = r.services.flatMap((s) => s.outliers.map((o) => ({ s, o })));
  if (outliers.length) {
    lines.push('', 'Outliers (differ from their siblings):');
    for (const { s, o } of outliers) {
      lines.push(
        `  ${safeText(s.serviceName, 200)}  ${safeText(o.taskName, 200)}  task ${o.taskId}  container ${o.containerId?.slice(0, 12) ?? '-'}  on ${safeText(o.nodeHostname, 200)}  ${o.severity}`,
      );
      for (const why of o.why.slice(0, 10)) lines.push(`    - ${safeText(why, 400)}`);
      if (o.why.length > 10) lines.push(`    … ${o.why.length - 10} more (--json lists them all)`);
    }
  }
  if (differing.length) {
    lines.push('', 'Differences with no majority (fewer than 3 replicas compared, so no outlier is named; look at each):');
    for (const { service: s, replica: u } of differing) {
      lines.push(
        `  ${safeText(s.serviceName, 200)}  ${safeText(u.taskName, 200)}  task ${u.taskId}  container ${u.containerId?.slice(0, 12) ?? '-'}  on ${safeText(u.nodeHostname, 200)}  ${u.severity}`,
      );
      for (const why of u.why.slice(0, 10)) lines.push(`    - ${safeText(why, 400)}`);
      if (u.why.length > 10) lines.push(`    … ${u.why.length - 10} more (--json lists them all)`);
    }
  }
  if (!outliers.length && !differing.length) lines.push('', 'No replica differs from its siblings among the services compared.');
  const notRead = r.services.flatMap((s) => s.notRead.map((t) => ({ s, t })));
  if (notRead.length) {
    lines.push('', 'Not read:');
    for (const { t } of notRead)
      lines.push(`  NOT READ ${safeText(t.taskName, 200)} (${t.taskId}) on ${safeText(t.nodeHostname, 200)}: ${safeText(t.reason, 500)}`);
  }
  const notes = [
    ...r.limitations,
    ...r.unanswered.map(
      (u) => `Host ${u.host} did not answer while nodes were mapped (it may be the engine of a node left unread): ${u.error}`,
    ),
  ];
  if (notes.length) lines.push('', 'Not covered:', ...notes.map((n) => `  - ${safeText(n, 600)}`));
  if (r.footprint) lines.push('', footprintLine(r.footprint));
  if (r.listings) lines.push('', `listings: artifact ${r.listings.artifactId} (cluster-listings), sha256 ${r.listings.sha256}`);
  if (r.stored) lines.push(`stored: artifact ${r.stored.artifactId} (cluster-triage), sha256 ${r.stored.sha256}`);
  return lines.join('\n');
}

export const clusterTriageCommands: CliCommand[] = [
  {
    path: ['cluster', 'triage'],
    summary:
      "Triage every service of a Swarm from its manager: each service's running tasks read on their own nodes and compared, outliers and unread replicas per service, nodes reached or not",
    usage: 'cluster triage [--host MANAGER] [--case NAME] [--concurrency N] [--json] [--fail-on SEVERITY]',
    options: { host: { type: 'string' }, case: { type: 'string' }, 'fail-on': { type: 'string' }, concurrency: { type: 'string' } },
    async run(ctx, values) {
      const failOn = parseFailOn(values['fail-on']);
      let concurrency: number | undefined;
      if (values.concurrency !== undefined) {
        concurrency = Number(values.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8)
          throw new CliError('--concurrency takes a whole number from 1 to 8', 2);
      }
      const host = await ctx.host(typeof values.host === 'string' ? values.host : undefined);
      const off = ctx.json
        ? () => undefined
        : ctx.on('cluster.triage-service-progress', (p) => {
            if (p.manager === host && p.state !== 'started')
              ctx.io.err(
                `[${p.done}/${p.total}] ${safeText(p.service, 200)} ${p.state}${p.message ? `: ${safeText(p.message, 400)}` : ''}`,
              );
          });
      let result: ClusterTriageResult;
      try {
        result = await ctx.call('cluster.triage', {
          host,
          ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
        });
      } finally {
        off();
      }
      ctx.io.out(ctx.json ? JSON.stringify(result) : renderClusterTriage(result));
      if (failOn) {
        const { outliers: hits, unattributed } = gateHits(result, failOn);
        if (hits + unattributed > 0) {
          const what = [
            ...(hits ? [counted(hits, 'outlier task')] : []),
            ...(unattributed ? [`${counted(unattributed, 'replica')} differing with no majority`] : []),
          ];
          ctx.io.err(`gate failed: ${what.join(' and ')} at or above ${failOn} (exit ${GATE_FAILED_EXIT})`);
          return GATE_FAILED_EXIT;
        }
      }
      // A replica not read, or a service not triaged, cannot be called clean: the run is incomplete.
      const failed = result.services.filter((s) => s.error).length;
      if (result.replicasNotRead > 0 || failed > 0) {
        ctx.io.err(
          `${counted(result.replicasNotRead, 'running replica')} not read and ${counted(failed, 'service')} not triaged (see Not read / Not covered): the triage is incomplete`,
        );
        return 1;
      }
      return 0;
    },
  },
];
