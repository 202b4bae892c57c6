import type { FleetProgressEvent, FleetTriageResult } from '../../../shared/domain/fleet';
import { CliError, type CliCommand } from '../command';
import { counted } from '../counted';
import { safeText, table } from '../terminal-safe';
import { passphrase } from './key';

// `drydock fleet triage`: every node of a swarm triaged by the swarm's own scheduler (fleet.triage),
// progress on stderr, the per-node table (or JSON) on stdout; exit 1 when a node was not merged or
// something could not be removed afterwards. `drydock fleet collect` is the collector's own step,
// run inside the collector image on each node (not by hand).

/** The exit status of a run cancelled by Ctrl-C: 128 + SIGINT, as shells report it. */
export const FLEET_CANCELLED_EXIT = 130;

const STATE: Record<FleetTriageResult['nodes'][number]['state'], string> = {
  merged: 'merged',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
  unreached: 'NOT REACHED',
};

/** What happened to the service, the secret and the image, in words ("removed afterwards: …"). */
export function renderCleanup(c: FleetTriageResult['cleanup']): string {
  const parts: string[] = [];
  const made = (what: 'service' | 'secret', state: 'removed' | 'failed' | 'not-created') =>
    state === 'removed' ? `${what} removed` : `${what} NOT removed`;
  if (c.service === 'not-created' && c.secret === 'not-created') parts.push('no service or secret had been created');
  else {
    parts.push(c.service === 'not-created' ? 'no service had been created' : made('service', c.service));
    parts.push(c.secret === 'not-created' ? 'no secret had been created' : made('secret', c.secret));
  }
  const touched = c.images.filter((i) => i.state !== 'left-as-found');
  const kept = c.images.filter((i) => i.state === 'left-as-found');
  if (touched.length)
    parts.push(`collector image removed from ${touched.filter((i) => i.state === 'removed').length} of ${counted(touched.length, 'node')}`);
  else if (!kept.length) parts.push('no collector image had been loaded');
  if (kept.length)
    parts.push(
      `collector image left as found on ${kept.map((i) => safeText(i.hostname || i.nodeId, 200)).join(', ')} (it was there before the run)`,
    );
  return `afterwards: ${parts.join('; ')}`;
}

/** The run for a terminal: the key, each node (merged or why not), what was removed. */
export function renderFleetTriage(r: FleetTriageResult): string {
  const lines = [
    `fleet run ${r.runId} on swarm ${safeText(r.clusterId)} from manager host ${safeText(r.manager, 200)} into case ${safeText(r.caseName, 200)} (${r.caseId}), ${r.startedAt} to ${r.finishedAt}: ${counted(r.merged, 'node')} merged, ${r.failed} failed, ${r.cancelledNodes ? `${r.cancelledNodes} cancelled, ` : ''}${r.unreached} not reached`,
    `run key ${r.fleetKey.fingerprint} (artifact ${r.fleetKey.artifactId}); collector ${r.collector.tag} ${r.collector.imageId} (tar sha256 ${r.collector.sha256})`,
    '',
    table(
      ['NODE', 'REACHED AS', 'STATE', 'BUNDLE', 'ARTIFACTS', 'BUNDLE SHA256'],
      r.nodes.map((n) => [
        n.hostname || n.nodeId,
        n.host ?? '-',
        STATE[n.state],
        n.bundle?.artifactId ?? '-',
        n.bundle ? String(n.bundle.artifacts.length) : '-',
        n.bundle?.sha256 ?? '-',
      ]),
    ),
  ];
  for (const n of r.nodes)
    if (n.error)
      lines.push(
        `  ${safeText(n.hostname || n.nodeId, 200)}: ${safeText(n.error, 1000)}${n.suggestion ? ` (suggested profile URL: ${safeText(n.suggestion, 200)})` : ''}`,
      );
  const c = r.cleanup;
  lines.push('', renderCleanup(c));
  if (c.registry)
    lines.push(
      `the collector image stays in its registry as ${safeText(c.registry.reference, 300)} (tag ${safeText(c.registry.tagged, 300)}): delete it there`,
    );
  if (c.problems.length) lines.push('LEFT BEHIND (remove by hand):', ...c.problems.map((p) => `  - ${safeText(p, 600)}`));
  if (r.cancelled) lines.push(`CANCELLED at ${r.cancelled.at}: the nodes not merged by then were not waited for`);
  if (r.stored) lines.push(`stored: artifact ${r.stored.artifactId} (fleet-triage), sha256 ${r.stored.sha256}`);
  return lines.join('\n');
}

const NO_KEY = 'this evidence store has no examiner key: run `drydock key create` first; nothing was deployed';

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One progress event as a line: "node X task running", "run key made: <fingerprint>", "image done: …". */
export function renderProgress(p: Pick<FleetProgressEvent, 'node' | 'step' | 'state' | 'message'>): string {
  const node = p.node ? `node ${safeText(p.node, 200)} ` : '';
  const message = p.message ? safeText(p.message, 400) : '';
  // A task's state as Swarm names it: "task pending", "task assigned", "task running" until it ends.
  if (p.step === 'task' && p.state === 'started') return `${node}task ${message || 'started'}`;
  if (p.step === 'key' && p.state === 'done') return `${node}run key made${message ? `: ${message}` : ''}`;
  return `${node}${p.step} ${p.state}${message ? `: ${message}` : ''}`;
}

function seconds(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 10 || n > 86_400)
    throw new CliError('--timeout takes whole seconds from 10 to 86400', 2);
  return n;
}

export const fleetCommands: CliCommand[] = [
  {
    path: ['fleet', 'triage'],
    summary:
      "Triage every node of a Swarm on the swarm's own scheduler: the collector runs as a global-job service on each reachable node, each node's signed bundle is fetched, verified against a key made for this run, countersigned and merged into one case; nothing is left running",
    usage: 'fleet triage [--host MANAGER] [--case NAME] [--node-socket PATH] [--timeout SECONDS] [--registry HOST[:PORT]] [--json]',
    options: {
      host: { type: 'string' },
      case: { type: 'string' },
      'node-socket': { type: 'string' },
      timeout: { type: 'string' },
      registry: { type: 'string' },
    },
    async run(ctx, values) {
      const timeoutSeconds = seconds(values.timeout);
      const host = await ctx.host(typeof values.host === 'string' ? values.host : undefined);
      // The examiner key countersigns every bundle: without one, stop before any prompt, case or deploy.
      try {
        await ctx.call('evidence.key-show', {});
      } catch (err) {
        if (err instanceof CliError && err.error?.kind === 'not-found') throw new CliError(NO_KEY, 3, { ...err.error, message: NO_KEY });
        throw err;
      }
      const secret = await passphrase(false);
      let interrupted = false;
      /** What the run has deployed so far (from its progress): what a Ctrl-C has to remove. */
      const deployed = new Set<'service' | 'secret' | 'image'>();
      const off = ctx.on('fleet.progress', (p) => {
        if (p.manager !== host) return;
        if (p.state === 'done' && (p.step === 'service' || p.step === 'secret' || p.step === 'image')) deployed.add(p.step);
        if (p.state === 'started' && p.step === 'image') deployed.add('image');
        if (p.state === 'started' && p.step !== 'task') return;
        // After Ctrl-C the tasks' states are not news; the cleanup's are.
        if (interrupted && p.step === 'task') return;
        ctx.io.err(`fleet ${p.runId}: ${renderProgress(p)}`);
      });
      const runId = `fr-cli-${process.pid}-${Date.now().toString(36)}`;
      void ctx.interrupted.then(() => {
        interrupted = true;
        const what = (['service', 'secret', 'image'] as const).filter((w) => deployed.has(w));
        ctx.io.err(
          `drydock fleet triage: cancelling (Ctrl-C): what was merged is kept; ${what.length ? `removing the ${listed(what)}` : 'nothing had been deployed yet'}`,
        );
        void ctx.call('fleet.cancel', { runId }).catch(() => undefined);
      });
      let result: FleetTriageResult;
      try {
        result = await ctx.call('fleet.triage', {
          host,
          runId,
          passphrase: secret,
          ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
          ...(typeof values['node-socket'] === 'string' ? { nodeSocket: values['node-socket'] } : {}),
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
          ...(typeof values.registry === 'string' ? { registry: values.registry } : {}),
        });
      } finally {
        off();
      }
      ctx.io.out(ctx.json ? JSON.stringify(result) : renderFleetTriage(result));
      if (interrupted || result.cancelled) return FLEET_CANCELLED_EXIT;
      const notMerged = result.nodes.filter((n) => n.state !== 'merged').length;
      if (notMerged > 0 || result.cleanup.problems.length > 0) {
        ctx.io.err(
          `${counted(notMerged, 'node')} not merged${result.cleanup.problems.length ? ` and ${counted(result.cleanup.problems.length, 'thing')} not removed` : ''}: the fleet triage is incomplete`,
        );
        return 1;
      }
      return 0;
    },
  },
  {
    path: ['fleet', 'collect'],
    summary:
      "The fleet collector's own step, run inside the collector image on each node by `fleet triage` (not by hand): this node's inventory and drift into a fresh case, bundled and signed with the run key",
    usage: 'fleet collect --host HOST --key-file FILE --out FILE --run RUN_ID [--node-names ID=NAME,…] [--json]',
    options: {
      host: { type: 'string' },
      'key-file': { type: 'string' },
      out: { type: 'string' },
      run: { type: 'string' },
      'node-names': { type: 'string' },
    },
    async run(ctx, values) {
      const keyFile = values['key-file'];
      const out = values.out;
      const runId = values.run;
      if (typeof keyFile !== 'string' || typeof out !== 'string' || typeof runId !== 'string')
        throw new CliError('needs --key-file FILE, --out FILE and --run RUN_ID', 2);
      const host = await ctx.host(typeof values.host === 'string' ? values.host : undefined);
      const names = values['node-names'];
      const nodeNames: Record<string, string> = {};
      if (typeof names === 'string')
        for (const pair of names.split(',').filter(Boolean)) {
          const at = pair.indexOf('=');
          if (at <= 0) throw new CliError('--node-names takes NODE_ID=NAME pairs separated by commas', 2);
          nodeNames[pair.slice(0, at)] = pair.slice(at + 1);
        }
      const result = await ctx.call('fleet.collect', {
        host,
        keyFile,
        out,
        runId,
        ...(typeof names === 'string' ? { nodeNames } : {}),
      });
      ctx.io.out(
        ctx.json
          ? JSON.stringify(result)
          : `node ${safeText(result.hostname)} (${result.nodeId}): ${counted(result.containers, 'container')}, ${counted(result.artifacts, 'artifact')} in case ${result.caseId}; bundle ${safeText(result.bundle.path)} (${result.bundle.bytes} bytes, sha256 ${result.bundle.sha256}) signed by run key ${result.bundle.signedBy}${result.problems.length ? `\nproblems: ${result.problems.map((p) => safeText(p, 500)).join('; ')}` : ''}`,
      );
      return result.problems.length ? 1 : 0;
    },
  },
];
