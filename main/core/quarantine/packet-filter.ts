import { createHash } from 'node:crypto';
import { PACKET_FILTER_TABLE, rulesetLabel } from '../../../shared/domain/quarantine';
import { runHelper, type HelperRunResult } from '../helper/run';
import type { StepContext, StepOutcome } from './step-context';

// Isolation of a Swarm task. The engine refuses to disconnect a task from a swarm-scoped network
// ("Operation not supported for swarm scoped networks", moby/moby#24988), so the cut is made inside
// the task's own network namespace: a helper joined to it (`--net container:ID`, NET_ADMIN and
// nothing else, read-only root, no new privileges) adds one nftables table of Drydock's that drops
// every packet in and out but loopback's. It is one nft transaction, and release deletes that one
// table, so the rules Docker itself keeps in the namespace (its DNS redirect) are never touched.
// The namespace's whole ruleset (`nft -s`: without counters) is recorded before and compared after.

const TABLE = `inet ${PACKET_FILTER_TABLE}`;
const HELPER_TIMEOUT_MS = 30_000;
const MAX_RULESET = 512 * 1024;

/** The nft commands the helper applies, one transaction (argv of nft; the record id is [a-z0-9-] only). */
export function packetFilterRules(recordId: string): string {
  const chain = (name: string, hook: string, loopback: string | null) =>
    [
      `add chain ${TABLE} ${name} { type filter hook ${hook} priority -300 ; policy accept ; }`,
      ...(loopback ? [`add rule ${TABLE} ${name} ${loopback} "lo" accept`] : []),
      `add rule ${TABLE} ${name} drop`,
    ].join(' ; ');
  return [
    `add table ${TABLE} { comment "Drydock quarantine ${recordId.replace(/[^a-z0-9-]/g, '')}" ; }`,
    chain('input', 'input', 'iifname'),
    chain('forward', 'forward', null),
    chain('output', 'output', 'oifname'),
  ].join(' ; ');
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Whether a listing holds Drydock's table (a line `table inet drydock_quarantine {`). */
export function hasOurTable(ruleset: string): boolean {
  return ruleset.split('\n').some((l) => l.trim() === `table ${TABLE} {`);
}

async function nft(ctx: StepContext, what: string, args: string[]): Promise<HelperRunResult & { text: string }> {
  const image = await ctx.helperImage();
  const result = await ctx.engine(`running the packet-filter helper (${what})`, () =>
    runHelper(ctx.docker, {
      ledger: ctx.helpers,
      host: ctx.host,
      ...(ctx.record.caseId !== null ? { caseId: ctx.record.caseId } : {}),
      image,
      targetId: ctx.record.containerId,
      cmd: ['nft', ...args],
      purpose: 'packet-filter',
      capabilities: ['NET_ADMIN'],
      timeoutMs: HELPER_TIMEOUT_MS,
      maxOutputBytes: MAX_RULESET,
    }),
  );
  const stderr = result.stderr.toString('utf8').slice(0, 2000).trim();
  if (result.timedOut) throw ctx.failure('engine', `the packet-filter helper timed out ${what}`);
  if (result.truncated) throw ctx.failure('engine', `the namespace's ruleset is larger than ${MAX_RULESET} bytes: not recorded`);
  if (result.exitCode !== 0)
    throw ctx.failure(
      'engine',
      `the packet-filter helper failed ${what} (exit ${result.exitCode ?? 'none'})${stderr ? `: ${stderr}` : ''}`,
      stderr,
    );
  return { ...result, text: result.stdout.toString('utf8') };
}

const listRuleset = (ctx: StepContext, what: string) => nft(ctx, what, ['-s', 'list', 'ruleset']).then((r) => r.text);

/**
 * The isolate step of a Swarm task: records the namespace's ruleset (once: a re-run after a crash
 * keeps the first reading), adds Drydock's table and checks the namespace now lists it. Every helper
 * it runs is recorded in the helper ledger and removed when its command ends.
 * @throws DrydockFailure('conflict') when the namespace already holds a table of that name that this
 * quarantine did not add; ('engine') when a helper fails (its stderr as detail).
 */
export async function isolateInNamespace(ctx: StepContext): Promise<StepOutcome> {
  const { record } = ctx;
  if (!record.packetFilter) {
    const before = await listRuleset(ctx, 'reading the ruleset before');
    if (hasOurTable(before))
      throw ctx.failure(
        'conflict',
        `its network namespace already holds a table ${TABLE} that no record of this quarantine added: inspect it (drydock quarantine status) before quarantining again`,
      );
    record.packetFilter = {
      table: TABLE,
      rules: packetFilterRules(record.id),
      before: { sha256: sha256(before), ruleset: before },
      helperImage: await ctx.helperImage(),
    };
    ctx.save();
    ctx.audit('quarantine.packet-filter-recorded', { table: TABLE, rulesetSha256: record.packetFilter.before.sha256 });
    await ctx.checkpoint('isolate', 'ruleset recorded');
  }
  const filter = record.packetFilter;
  const current = await listRuleset(ctx, 'reading the ruleset');
  if (!hasOurTable(current)) {
    await nft(ctx, 'adding the quarantine table', [filter.rules]);
    await ctx.checkpoint('isolate', 'table added');
  }
  const after = await listRuleset(ctx, 'checking the table is in place');
  if (!hasOurTable(after)) throw ctx.failure('engine', `the packet-filter helper ran, but ${TABLE} is not in the namespace's ruleset`);
  filter.appliedAt = ctx.now();
  ctx.save();
  return {
    state: 'done',
    // The ruleset recorded is shown once, with the record's packet filter, not repeated here.
    detail: `Packet filter in its network namespace: table ${TABLE} drops everything in, out and forwarded but loopback (its networks stay attached: the engine cannot disconnect a task from a swarm-scoped network); the namespace's ruleset before was recorded`,
    facts: { table: TABLE, rules: filter.rules, rulesetBeforeSha256: filter.before.sha256, helperImage: filter.helperImage },
  };
}

/**
 * Release: deletes Drydock's table (only it), checks the namespace no longer lists it (audited as
 * `quarantine.packet-filter-verified`, after the step's own entry) and that its ruleset is byte for byte the one recorded before.
 * Skipped when the quarantine added no table.
 * A ruleset that still differs once the table is gone (someone else changed it) is said in the
 * step's detail and the record's warnings and audited with both rulesets; it does not hold release.
 * @throws DrydockFailure('engine') when a helper fails or the table is still listed after it was deleted.
 */
export async function removePacketFilter(ctx: StepContext): Promise<StepOutcome> {
  const filter = ctx.record.packetFilter;
  if (!filter) return { state: 'skipped', detail: 'skipped: the quarantine added no packet filter' };
  const inspect = await ctx.inspect();
  if (!inspect.State.Running)
    return {
      state: 'skipped',
      detail: `skipped: the task's container is ${inspect.State.Status}, so its network namespace (and the table in it) is gone`,
    };
  const current = await listRuleset(ctx, 'reading the ruleset before removing the table');
  let removed = false;
  if (hasOurTable(current)) {
    await nft(ctx, 'deleting the quarantine table', ['delete', 'table', 'inet', PACKET_FILTER_TABLE]);
    removed = true;
    await ctx.checkpoint('release', 'table deleted');
  }
  const after = await listRuleset(ctx, 'checking the table is gone');
  // Release says the table is gone only once the namespace's own listing no longer holds it.
  if (hasOurTable(after)) throw ctx.failure('engine', `${TABLE} is still in the namespace's ruleset after it was deleted`);
  const identical = after === filter.before.ruleset;
  filter.after = { sha256: sha256(after), identical };
  filter.removedAt = ctx.now();
  ctx.save();
  // The check is audited after the step's own entry (the deletion): the footprint reads removed, then checked.
  const afterwards: NonNullable<StepOutcome['afterwards']> = [
    {
      action: 'quarantine.packet-filter-verified',
      details: { table: TABLE, gone: true, identical, rulesetAfterSha256: filter.after.sha256 },
    },
  ];
  const what = removed
    ? `Deleted table ${TABLE} from its network namespace and checked it is gone`
    : `Table ${TABLE} was already gone from its network namespace (checked)`;
  const facts = { table: TABLE, removed, rulesetAfterSha256: filter.after.sha256, identical };
  if (!identical) {
    // Drydock's own table is gone; what differs is someone else's change: said, audited and kept, not retried forever.
    const warning = `After release the task's network namespace ruleset differs from the one recorded before quarantine (now ${rulesetLabel(filter.after.sha256, true)}; then ${rulesetLabel(filter.before.sha256, true)}): something other than Drydock changed it meanwhile`;
    if (!ctx.record.warnings.includes(warning)) ctx.record.warnings.push(warning);
    ctx.save();
    afterwards.push({
      action: 'quarantine.packet-filter-ruleset-differs',
      details: {
        before: filter.before.ruleset,
        after: after.slice(0, 64 * 1024),
        beforeSha256: filter.before.sha256,
        afterSha256: filter.after.sha256,
      },
    });
    return {
      state: 'done',
      detail: `${what}; the namespace's ruleset DIFFERS from the one recorded before quarantine (now ${rulesetLabel(filter.after.sha256)}; then ${rulesetLabel(filter.before.sha256)}): something else changed it; both are in the audit log`,
      facts,
      afterwards,
    };
  }
  return {
    state: 'done',
    detail: `${what}; the namespace's ruleset is byte for byte the one recorded before quarantine`,
    facts,
    afterwards,
  };
}
