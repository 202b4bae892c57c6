import type { DataRootInfo, DataRootProblem } from '../../../shared/domain/dataroot';
import type { DriftReport, DriftSeverity } from '../../../shared/domain/drift';
import type { ContainerSummary } from '../../../shared/domain/inventory';
import { findingsAtOrAbove } from '../../core/drift/report-math';
import { CliError, GATE_FAILED_EXIT, type CliCommand, type CliContext } from '../command';
import { caseLabel } from '../case-label';
import { safeText, table } from '../terminal-safe';
import { counted } from '../counted';

// Dead-box analysis from the command line: `--data-root DIR` on inventory, drift and logs (those
// commands hand over to the functions here), and the two commands only a data root answers:
// images and layer-owner. DIR is a data root directory or a tar archive of one; nothing is written to it.

type Values = Record<string, string | boolean | string[] | undefined>;

function dataRootOf(values: Values): string {
  const dir = values['data-root'];
  if (typeof dir !== 'string' || dir === '') throw new CliError('--data-root takes a directory or a tar archive', 2);
  if (values.host !== undefined) throw new CliError('give --host or --data-root, not both', 2);
  return dir;
}

function caseOf(values: Values): { caseRef?: string } {
  return typeof values.case === 'string' ? { caseRef: values.case } : {};
}

function sourceLines(info: DataRootInfo, problems: readonly DataRootProblem[]): string[] {
  const lines = [
    `Read-only source: ${safeText(info.path)} (${info.kind === 'directory' ? 'data root directory' : 'tar archive of a data root'})`,
  ];
  for (const w of info.warnings) lines.push(`Warning: ${safeText(w, 600)}`);
  for (const p of problems.slice(0, 50)) lines.push(`Problem: ${safeText(p.path, 300)}: ${safeText(p.problem, 600)}`);
  if (problems.length > 50) lines.push(`… and ${counted(problems.length - 50, 'more problem')} (--json lists them all)`);
  return lines;
}

/** `drydock inventory --data-root DIR`; `renderInventory` is the inventory command's own table (passed in: no import cycle). */
export async function inventoryFromDataRoot(
  ctx: CliContext,
  values: Values,
  renderInventory: (host: string, containers: ContainerSummary[], detail: boolean) => string,
): Promise<number> {
  const result = await ctx.call('dataroot.inventory', {
    dataRoot: dataRootOf(values),
    record: values['no-record'] !== true,
    ...caseOf(values),
  });
  const shown = values.flagged
    ? result.containers.filter((c) => c.topSeverity === 'critical' || c.topSeverity === 'high')
    : result.containers;
  if (ctx.json) {
    ctx.io.out(JSON.stringify({ ...result, containers: shown }));
    return 0;
  }
  ctx.io.err(sourceLines(result.source, result.problems).join('\n'));
  ctx.io.out(renderInventory(result.source.host, shown, true));
  const withVolumes = shown.filter((c) => c.volumes.length > 0);
  if (withVolumes.length) {
    ctx.io.out('\nVolumes and mounts (as recorded):');
    ctx.io.out(
      table(
        ['CONTAINER', 'DESTINATION', 'TYPE', 'NAME', 'SOURCE', 'IN DATA ROOT'],
        withVolumes.flatMap((c) =>
          c.volumes.map((v) => [
            c.name,
            v.destination,
            v.type,
            v.name ?? '-',
            v.source,
            v.presentInDataRoot === undefined ? '-' : v.presentInDataRoot ? 'yes' : 'no',
          ]),
        ),
      ),
    );
  }
  ctx.io.err(
    result.stored
      ? `recorded: inventory snapshot ${result.stored.artifactId} (sha256 ${result.stored.sha256}) in case ${await caseLabel(ctx, result.stored.caseId)}`
      : 'not recorded (--no-record): nothing was stored in a case',
  );
  return 0;
}

/** `drydock drift CONTAINER...|--all --data-root DIR`. */
export async function driftFromDataRoot(
  ctx: CliContext,
  values: Values,
  positionals: string[],
  failOn: DriftSeverity | undefined,
  caps: { cap?: number; keyCap?: number },
  renderReport: (report: DriftReport) => string,
): Promise<number> {
  if ((values.all === true) === positionals.length > 0) throw new CliError('name the containers, or give --all (not both)', 2);
  const result = await ctx.call('dataroot.drift', {
    dataRoot: dataRootOf(values),
    containers: values.all === true ? 'all' : positionals,
    ...caseOf(values),
    ...(caps.cap !== undefined ? { contentCapBytes: caps.cap } : {}),
    ...(caps.keyCap !== undefined ? { keyEvidenceCapBytes: caps.keyCap } : {}),
  });
  if (ctx.json) ctx.io.out(JSON.stringify(result));
  else {
    ctx.io.err(sourceLines(result.source, result.problems).join('\n'));
    for (const r of result.reports) ctx.io.out(renderReport(r));
    ctx.io.out(
      `\nStored: ${counted(result.reports.length, 'drift report')}, read from the upper directories on disk, in case ${await caseLabel(ctx, result.caseId)}`,
    );
  }
  if (failOn) {
    const hits = result.reports.reduce((n, r) => n + findingsAtOrAbove(r, failOn), 0);
    if (hits > 0) {
      ctx.io.err(`gate failed: ${counted(hits, 'finding')} at or above ${failOn} (exit ${GATE_FAILED_EXIT})`);
      return GATE_FAILED_EXIT;
    }
  }
  return 0;
}

/** `drydock logs CONTAINER --data-root DIR`. */
export async function logsFromDataRoot(ctx: CliContext, values: Values, container: string): Promise<number> {
  const result = await ctx.call('dataroot.logs', { dataRoot: dataRootOf(values), container, ...caseOf(values) });
  if (ctx.json) {
    ctx.io.out(JSON.stringify(result));
    return 0;
  }
  ctx.io.err(sourceLines(result.source, []).join('\n'));
  const streams = result.tty ? `${result.ttyLines} from the TTY` : `${result.stdoutLines} stdout, ${result.stderrLines} stderr`;
  const span = result.firstTimestamp ? `, ${result.firstTimestamp} to ${result.lastTimestamp ?? '?'}` : '';
  ctx.io.out(
    [
      `${counted(result.lines, 'log line')} (${streams}${span}) of ${safeText(result.containerName)} (${result.containerId.slice(0, 12)}), from the ${safeText(result.driver)} files ${result.files.map((f) => safeText(f)).join(', ')}`,
      `Stored as artifact ${result.artifactId} (sha256 ${result.sha256}, ${result.bytes} bytes) in case ${safeText(result.caseName)} (${result.caseId})`,
      ...result.limitations.map((l) => `Note: ${safeText(l)}`),
    ].join('\n'),
  );
  return 0;
}

/**
 * The data-root half of `drydock timeline --data-root DIR`: reads what the timeline needs into the
 * case (said on stderr) and returns the case and the host name its rows carry, for the timeline
 * command to show the case's timeline restricted to them.
 */
export async function timelineFromDataRoot(ctx: CliContext, values: Values): Promise<{ caseRef: string; host: string }> {
  const result = await ctx.call('dataroot.timeline', { dataRoot: dataRootOf(values), ...caseOf(values) });
  const lines = [
    ...sourceLines(result.source, result.problems),
    `Read into case ${safeText(result.caseName)} (${result.caseId}): ${result.stored.map((s) => `${safeText(s.what)} ${s.artifactId}`).join(', ')}`,
    ...result.logsNotRead.map((l) => `No logs of ${safeText(l.container)}: ${safeText(l.reason, 600)}`),
    ...result.limitations.map((l) => `note: ${safeText(l, 600)}`),
    `The timeline below is the case's, restricted to rows from ${safeText(result.host)} (read from disk)`,
  ];
  ctx.io.err(lines.join('\n'));
  return { caseRef: result.caseId, host: result.host };
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** `drydock ps CONTAINER --data-root DIR`: the processes' last known configuration; `maskEnv` is the CLI's env masking. */
export async function processesFromDataRoot(
  ctx: CliContext,
  values: Values,
  container: string,
  maskEnv: (entry: string) => string,
): Promise<number> {
  for (const live of ['watch', 'detail', 'pid'] as const)
    if (values[live] !== undefined) throw new CliError(`--${live} reads a running container: a data root has no processes`, 2);
  const result = await ctx.call('dataroot.processes', {
    dataRoot: dataRootOf(values),
    container,
    record: values['no-store'] !== true,
    ...caseOf(values),
  });
  if (ctx.json) {
    ctx.io.out(JSON.stringify(result));
    return 0;
  }
  ctx.io.err(sourceLines(result.source, []).join('\n'));
  const st = result.state;
  const list = (v: string[] | null) => (v === null ? '(none)' : safeText(JSON.stringify(v), 1000));
  const lines = [
    `${safeText(result.containerName)} (${result.containerId.slice(0, 12)}) in ${safeText(result.source.path)}: the last known configuration of its processes. No process list exists on disk.`,
    '',
    'Command the engine started (PID 1 of the container):',
    `  command      ${result.path === '' && result.args.length === 0 ? '(not recorded: config.v2.json has no Path)' : safeText(JSON.stringify([result.path, ...result.args]), 2000)}`,
    `  entrypoint   ${list(result.entrypoint)}`,
    `  cmd          ${list(result.cmd)}`,
    `  image        ${safeText(result.image)}`,
    // The engine merges the image's User and WorkingDir into the record at create: empty means root and /.
    `  user         ${result.user === '' ? '(not set: root)' : safeText(result.user)}`,
    `  working dir  ${result.workingDir === '' ? '(not set: /)' : safeText(result.workingDir)}`,
    `  tty          ${yesNo(result.tty)}`,
    ...result.env.slice(0, 64).map((e) => `  env          ${safeText(maskEnv(e), 600)}`),
    ...(result.env.length > 64 ? [`  … ${result.env.length} environment entries; --json lists them all`] : []),
    '',
    'State as the engine last recorded it (config.v2.json):',
    `  status       ${safeText(st.status)}   running ${yesNo(st.running)}, paused ${yesNo(st.paused)}, restarting ${yesNo(st.restarting)}, dead ${yesNo(st.dead)}`,
    `  pid          ${st.pid}${st.pid > 0 ? '   (a host PID at that time, not now)' : ''}`,
    `  started at   ${st.startedAt ?? '-'}`,
    `  finished at  ${st.finishedAt ?? '-'}`,
    `  exit code    ${st.exitCode}   OOM killed ${yesNo(st.oomKilled)}${st.error ? `   error ${safeText(st.error, 600)}` : ''}`,
    `  restarts     ${result.restartCount}`,
    '',
    ...result.notes.map((n) => `Note: ${safeText(n, 1000)}`),
  ];
  ctx.io.out(lines.join('\n'));
  ctx.io.err(
    result.stored
      ? `recorded: process configuration ${result.stored.artifactId} (sha256 ${result.stored.sha256}) in case ${await caseLabel(ctx, result.stored.caseId)}`
      : 'not recorded (--no-store): nothing was stored in a case',
  );
  return 0;
}

export const dataRootCommands: CliCommand[] = [
  {
    path: ['compare-disk'],
    summary:
      "A live engine against its data root: containers hidden from the API, layers whose content no longer matches their diff ID, writable layers the engine's change list misreports",
    usage:
      "compare-disk --host H --data-root DIR [--json] [--no-record] [--case NAME]   (DIR: the host's data root, read-only: on this machine, or a copy)",
    options: { host: { type: 'string' }, 'data-root': { type: 'string' }, 'no-record': { type: 'boolean' }, case: { type: 'string' } },
    async run(ctx, values) {
      const dir = values['data-root'];
      if (typeof dir !== 'string' || dir === '')
        throw new CliError("--data-root takes the host's data root directory (or a tar archive of it)", 2);
      const host = await ctx.host(values.host);
      const result = await ctx.call('dataroot.compareDisk', {
        host,
        dataRoot: dir,
        record: values['no-record'] !== true,
        ...caseOf(values),
      });
      if (ctx.json) ctx.io.out(JSON.stringify(result));
      else {
        ctx.io.err(sourceLines(result.source, result.problems).join('\n'));
        ctx.io.out(
          `${counted(result.findings.length, 'finding')}: ${counted(result.containersCompared, 'container')} compared, ${counted(result.layersVerified, 'layer')} re-hashed, ${safeText(host)} against ${safeText(result.source.path)}`,
        );
        for (const f of result.findings) {
          ctx.io.out(`${f.severity.padEnd(8)} ${f.kind}: ${safeText(f.detail, 1000)}`);
          for (const p of f.onlyOnDisk?.slice(0, 20) ?? []) ctx.io.out(`    only on disk: ${safeText(p, 300)}`);
          for (const p of f.onlyInApi?.slice(0, 20) ?? []) ctx.io.out(`    only in the API: ${safeText(p, 300)}`);
        }
        if (result.stored)
          ctx.io.err(`recorded: comparison ${result.stored.artifactId} in case ${await caseLabel(ctx, result.stored.caseId)}`);
      }
      return 0;
    },
  },
  {
    path: ['images'],
    summary: 'Every image of a data root read with no daemon: tags, history, layers and their overlay2 directories',
    usage: 'images --data-root DIR [--json] [--no-record] [--case NAME]',
    options: { 'data-root': { type: 'string' }, 'no-record': { type: 'boolean' }, case: { type: 'string' } },
    async run(ctx, values) {
      const result = await ctx.call('dataroot.images', {
        dataRoot: dataRootOf(values),
        record: values['no-record'] !== true,
        ...caseOf(values),
      });
      if (ctx.json) {
        ctx.io.out(JSON.stringify(result));
        return 0;
      }
      ctx.io.err(sourceLines(result.source, result.problems).join('\n'));
      ctx.io.out(`${result.images.length} images in ${safeText(result.source.path)}`);
      ctx.io.out(
        table(
          ['ID', 'TAGS', 'CREATED', 'LAYERS', 'CONTAINERS'],
          result.images.map((i) => [
            i.id.slice(7, 19),
            i.tags.join(',') || '<none>',
            i.created ?? '-',
            String(i.layers.length),
            String(i.containers.length),
          ]),
        ),
      );
      for (const i of result.images) {
        ctx.io.out(`\n${i.id.slice(7, 19)} ${safeText(i.tags.join(', ') || '<none>')}`);
        for (const l of i.layers)
          ctx.io.out(
            `  layer ${l.diffId.slice(7, 19)}  overlay2/${l.cacheId ?? '(missing)'}${l.size !== undefined ? `  ${l.size} bytes` : ''}`,
          );
      }
      if (result.stored)
        ctx.io.err(
          `recorded: image list ${result.stored.artifactId} (sha256 ${result.stored.sha256}) in case ${await caseLabel(ctx, result.stored.caseId)}`,
        );
      return 0;
    },
  },
  {
    path: ['layer-owner'],
    summary: 'Which container or image an overlay2 directory, layer or mount ID of a data root belongs to',
    usage:
      'layer-owner LAYER_OR_MOUNT_ID --data-root DIR [--json] [--no-record] [--case NAME]   (an ID, a unique prefix, an overlay2/l link name or a path with overlay2/<id>)',
    positionals: true,
    options: { 'data-root': { type: 'string' }, 'no-record': { type: 'boolean' }, case: { type: 'string' } },
    async run(ctx, values, positionals) {
      const id = positionals[0];
      if (!id || positionals.length > 1) throw new CliError('needs one LAYER_OR_MOUNT_ID', 2);
      const result = await ctx.call('dataroot.layerOwner', {
        dataRoot: dataRootOf(values),
        id,
        record: values['no-record'] !== true,
        ...caseOf(values),
      });
      if (ctx.json) {
        ctx.io.out(JSON.stringify(result));
        return 0;
      }
      ctx.io.err(sourceLines(result.source, []).join('\n'));
      for (const o of result.owners) {
        ctx.io.out(`overlay2/${o.cacheId}: ${o.matchedAs}${o.diffId ? ` (diff ID ${o.diffId})` : ''}`);
        for (const c of o.containers) ctx.io.out(`  container ${c.id.slice(0, 12)} ${safeText(c.name)}: ${c.role}`);
        for (const i of o.images) ctx.io.out(`  image ${i.id.slice(7, 19)} ${safeText(i.tags.join(', ') || '<none>')}`);
      }
      if (result.stored)
        ctx.io.err(`recorded: layer ownership ${result.stored.artifactId} in case ${await caseLabel(ctx, result.stored.caseId)}`);
      return 0;
    },
  },
];
