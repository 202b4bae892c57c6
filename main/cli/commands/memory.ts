import {
  secretLookingEnv,
  type MemoryAcquisition,
  type ProcessDetail,
  type ProcessDetailReport,
  type StringsPage,
} from '../../../shared/domain/memory';
import { CliError, type CliCommand, type CliContext } from '../command';
import { safeText, table } from '../terminal-safe';
import { counted } from '../counted';
import { binaryBytes, progressLine } from '../progress-line';

/** NAME=value with the value masked when the name looks like a secret's. */
export function maskedEnv(entry: string): string {
  if (!secretLookingEnv(entry)) return entry;
  const eq = entry.indexOf('=');
  return `${entry.slice(0, eq)}=•••• (${entry.length - eq - 1} characters, masked; --json shows it)`;
}

function detailLines(d: ProcessDetail): string[] {
  const mark = d.flags.some((f) => f.severity === 'high') ? '!!' : d.flags.length ? '! ' : '  ';
  const exe = d.exe.path === null ? '(no executable: kernel thread or unreadable)' : `${d.exe.path}${d.exe.deleted ? ' (DELETED)' : ''}`;
  const lines = [
    `${mark} PID ${d.pid}  PPID ${d.ppid ?? '?'}  ${d.state}  ${safeText(d.comm, 64)}`,
    `     exe      ${safeText(exe, 512)}  sha256 ${d.exe.sha256 ?? '?'}`,
    `     argv     ${safeText(d.argv.join(' '), 512)}${d.argvCut ? ' (cut)' : ''}`,
    `     cwd      ${safeText(d.cwd ?? '?', 256)}   root ${safeText(d.root ?? '?', 256)}`,
    `     uid/gid  ${d.uids.join(',') || '?'} / ${d.gids.join(',') || '?'}   uid_map ${safeText(d.uidMap.replace(/\s+/g, ' '), 80)}`,
    `     caps     effective ${d.capabilities ? d.capabilities.effective.names.join(',') || 'none' : '?'}; bounding ${d.capabilities?.bounding.hex ?? '?'}   seccomp ${d.seccomp}`,
  ];
  const ns = d.namespaces.filter((n) => n.differsFromInit).map((n) => `${n.type}:${n.inode}`);
  if (ns.length) lines.push(`     ns       differs from PID 1: ${ns.join(', ')}`);
  for (const fd of d.fds.slice(0, 64)) {
    const sock = fd.socket
      ? `  ${fd.socket.protocol}${fd.socket.family === 6 ? '6' : ''} ${fd.socket.local.ip}:${fd.socket.local.port} -> ${fd.socket.remote.ip}:${fd.socket.remote.port} ${fd.socket.state}`
      : '';
    lines.push(`     fd ${String(fd.fd).padEnd(5)} ${safeText(fd.target, 200)}${sock}`);
  }
  if (d.fds.length > 64 || d.fdsCut)
    lines.push(`     … ${d.fds.length} descriptors${d.fdsCut ? ' (more than were read)' : ''}; --json lists them all`);
  for (const e of d.environ.slice(0, 32)) lines.push(`     env      ${safeText(maskedEnv(e), 300)}`);
  if (d.environ.length > 32) lines.push(`     … ${d.environ.length} environment entries; --json lists them all`);
  lines.push(`     maps     ${d.maps.length} regions${d.mapsCut ? ' (more than were read)' : ''}`);
  for (const f of d.flags) lines.push(`     ${f.severity.toUpperCase().padEnd(6)} ${f.kind}: ${safeText(f.reason, 400)}`);
  return lines;
}

/** A process-detail report for a terminal; every host-derived string goes through safeText. */
export function renderDetail(report: ProcessDetailReport): string {
  const lines = [
    `${safeText(report.containerName)} (${report.containerId.slice(0, 12)}) on ${safeText(report.host)} — live detail of ${counted(report.processes.length, 'process', 'processes')} at ${report.takenAt}, read from /proc of its PID namespace`,
  ];
  for (const d of report.processes) lines.push('', ...detailLines(d));
  const connected = report.connections.filter((c) => c.state !== 'listen' || c.pids.length);
  if (connected.length) {
    lines.push('', 'Sockets and their owners:');
    lines.push(
      table(
        ['PROTO', 'LOCAL', 'REMOTE', 'STATE', 'PIDS'],
        connected.map((c) => [
          `${c.protocol}${c.family === 6 ? '6' : ''}`,
          `${c.local.ip}:${c.local.port}`,
          `${c.remote.ip}:${c.remote.port}`,
          c.state,
          c.pids.join(',') || '-',
        ]),
      ),
    );
  }
  for (const limitation of report.limitations) lines.push(`Note: ${safeText(limitation)}`);
  if (report.stored)
    lines.push('', `Stored as artifact ${report.stored.artifactId} (sha256 ${report.stored.sha256}) in case ${report.stored.caseId}`);
  return lines.join('\n');
}

/**
 * One memory image for a terminal: what was imaged, where it is stored, the read window and each region not read
 * (its address range, its mapping's name or "anonymous", why). Every host-derived string goes through safeText.
 * `readWindow`: seconds from the reader's first read of the process's memory to its last, when recorded.
 */
export function renderImage(image: MemoryAcquisition, readWindow: number | undefined): string {
  const lines = [
    `PID ${image.pid} (${safeText(image.comm, 64)}, state ${image.state}${image.paused ? ', container paused' : ''}): ${image.memoryBytes} bytes of memory in ${image.regions} regions`,
    `  ${image.incomplete ? `INCOMPLETE (${safeText(image.incomplete, 300)}) ` : ''}stored as artifact ${image.artifactId} (sha256 ${image.sha256}, ${image.bytes} bytes, ELF core) in case ${safeText(image.caseName)} (${image.caseId})`,
  ];
  if (readWindow !== undefined)
    lines.push(
      `  read window ${readWindow.toFixed(2)} s: the first region to the last was read over this time${image.paused ? ' (container frozen)' : ' (the process ran on meanwhile)'}`,
    );
  for (const u of image.unreadable)
    // The region's name once (the reason never repeats it); an unnamed mapping is anonymous memory.
    lines.push(`  not read: ${u.start}-${u.end} ${u.path === '' ? 'anonymous' : safeText(u.path, 120)}: ${safeText(u.reason, 200)}`);
  return lines.join('\n');
}

/**
 * A page of strings for a terminal: offset, a (ASCII) or w (UTF-16LE), the text escaped and cut at
 * 400 characters; a string longer than the core keeps (truncated) says its full length. Then where
 * the next page starts, the end of the artifact, or that `from` lies past its end.
 */
export function renderStrings(page: StringsPage): string {
  const lines = page.strings.map(
    (s) =>
      `${String(s.offset).padStart(12)} ${s.encoding === 'ascii' ? 'a' : 'w'} ${safeText(s.text, 400)}${
        s.truncated ? ` [cut: a run of ${s.length ?? '?'} characters, the first ${s.text.length} kept]` : ''
      }`,
  );
  if (page.from >= page.size && page.strings.length === 0)
    lines.push(`-- nothing from offset ${page.from}: the artifact has ${page.size} bytes (offsets 0 to ${Math.max(page.size - 1, 0)})`);
  else lines.push(page.next === null ? `-- end of artifact (${page.size} bytes)` : `-- more: --from ${page.next}`);
  return lines.join('\n');
}

/** An option's whole number (any safe integer of at least `min`), or undefined when not given; `meaning` says what it takes. */
function wholeNumber(
  value: string | boolean | string[] | undefined,
  what: string,
  meaning = 'a whole number',
  min = 0,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new CliError(`${what} takes ${meaning}${Number.isFinite(n) && n > min ? ` (at most ${Number.MAX_SAFE_INTEGER})` : ''}`, 2);
  return n;
}

/** The image's read window and transport: from the result when the core gives them, else from the artifact's attributes. */
async function imageTiming(
  ctx: Pick<CliContext, 'call'>,
  image: MemoryAcquisition,
): Promise<{ readWindowSeconds?: number; transport?: string }> {
  let { readWindowSeconds, transport } = image;
  if (readWindowSeconds === undefined || transport === undefined) {
    // Kept in the artifact's attributes (a second, small call per image).
    const info = await ctx.call('evidence.artifact', { artifactId: image.artifactId }).catch(() => undefined);
    const attributes = (info?.attributes ?? {}) as { readWindowSeconds?: unknown; transport?: unknown };
    if (
      readWindowSeconds === undefined &&
      typeof attributes.readWindowSeconds === 'number' &&
      Number.isFinite(attributes.readWindowSeconds)
    )
      readWindowSeconds = attributes.readWindowSeconds;
    if (transport === undefined && typeof attributes.transport === 'string') transport = attributes.transport;
  }
  return { ...(readWindowSeconds !== undefined ? { readWindowSeconds } : {}), ...(transport !== undefined ? { transport } : {}) };
}

export const memoryCommands: CliCommand[] = [
  {
    path: ['memory'],
    summary:
      'Images the memory of a process of a running container (PID 1 by default, or --all) into the case as an ELF core file, through a helper joined to its PID namespace; --pause freezes the container for the read. Progress goes to stderr: one line updated in place on a terminal, a line per tenth otherwise',
    usage: 'memory CONTAINER [--pid N | --all] [--pause] [--host H] [--case NAME] [--json]',
    positionals: true,
    options: {
      host: { type: 'string' },
      pid: { type: 'string' },
      all: { type: 'boolean' },
      pause: { type: 'boolean' },
      case: { type: 'string' },
    },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER', 2);
      const pid = wholeNumber(values.pid, '--pid', 'a process ID, a whole number of 1 or more', 1);
      if (pid !== undefined && values.all === true) throw new CliError('--pid and --all exclude each other', 2);
      const host = await ctx.host(values.host);
      const acquisitionId = `ma-cli-${process.pid}-${Date.now().toString(36)}`;
      // On a terminal one line updated in place; in a log or a pipe about one line per tenth.
      const progress = progressLine({
        tty: process.stderr.isTTY === true,
        write: (chunk) => process.stderr.write(chunk),
        line: (text) => ctx.io.err(text),
      });
      let progressPid: number | undefined;
      const stopProgress = ctx.on('memory.progress', (p) => {
        if (p.acquisitionId !== acquisitionId || ctx.json) return;
        if (p.pid !== progressPid) progress.restart();
        progressPid = p.pid;
        const fraction = p.bytesTotal ? Math.min(p.bytesDone / p.bytesTotal, 1) : 1;
        progress.update(
          `PID ${p.pid}: ${binaryBytes(p.bytesDone)} of ${binaryBytes(p.bytesTotal)} (${Math.floor(100 * fraction)}%)`,
          fraction,
        );
      });
      let interrupted = false;
      void ctx.interrupted.then(() => {
        interrupted = true;
        void ctx.call('memory.cancel', { acquisitionId }).catch(() => undefined);
      });
      try {
        const result = await ctx.call('memory.acquire', {
          host,
          container,
          acquisitionId,
          all: values.all === true,
          pause: values.pause === true,
          ...(pid !== undefined ? { pid } : {}),
          ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
        });
        stopProgress();
        progress.done();
        const images = await Promise.all(result.images.map(async (image) => ({ ...image, ...(await imageTiming(ctx, image)) })));
        if (ctx.json) ctx.io.out(JSON.stringify({ ...result, images }));
        else {
          for (const image of images) ctx.io.out(renderImage(image, image.readWindowSeconds));
          for (const f of result.failures) ctx.io.out(`PID ${f.pid}: not imaged: ${safeText(f.message, 400)}`);
        }
        if (interrupted) return 130;
        return result.failures.length || result.images.some((i) => i.incomplete) ? 1 : 0;
      } catch (err) {
        // Ctrl-C before the first image was kept: the core says 'cancelled'; the exit status is the interruption's.
        if (interrupted && err instanceof CliError && err.error?.kind === 'cancelled') throw new CliError(err.message, 130, err.error);
        throw err;
      } finally {
        stopProgress();
        progress.done();
      }
    },
  },
  {
    path: ['strings'],
    summary:
      'Printable strings (ASCII and UTF-16LE) of a stored artifact such as a memory image, with their offsets, a page at a time; a string longer than 1,024 characters is cut and marked with its full length (in --json: truncated, length)',
    usage: 'strings ARTIFACT [--search TEXT] [--from OFFSET] [--limit N] [--min-length N] [--json]',
    positionals: true,
    options: { search: { type: 'string' }, from: { type: 'string' }, limit: { type: 'string' }, 'min-length': { type: 'string' } },
    async run(ctx, values, positionals) {
      const artifactId = positionals[0];
      if (!artifactId || positionals.length > 1) throw new CliError('needs one ARTIFACT', 2);
      const from = wholeNumber(values.from, '--from', 'a byte offset, a whole number of 0 or more');
      const limit = wholeNumber(values.limit, '--limit', 'a whole number of 1 or more', 1);
      const minLength = wholeNumber(values['min-length'], '--min-length');
      const page = await ctx.call('memory.strings', {
        artifactId,
        ...(from !== undefined ? { from } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(minLength !== undefined ? { minLength } : {}),
        ...(typeof values.search === 'string' ? { search: values.search } : {}),
      });
      ctx.io.out(ctx.json ? JSON.stringify(page) : renderStrings(page));
      return 0;
    },
  },
];
