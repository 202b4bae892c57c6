/**
 * What the Engine's `top` returns: column titles and rows of strings. `docker top` runs `ps` on the
 * host (no exec in the container) and splits each line on ASCII whitespace, joining everything
 * after the second-to-last title into the last column — which is why the command line must be the
 * last column and no other column may contain spaces.
 */
export interface TopOutput {
  Titles: string[];
  Processes: string[][];
}

/** ps arguments, most detailed first; the engine runs them with the host's ps. */
export const PS_ARGS_CHAIN = [
  // procps: pgid/sid show daemonisation, etimes gives exact seconds; -ww never truncates arguments.
  '-ww -o pid,ppid,pgid,sid,uid,etimes,stat,args',
  // Older procps without etimes.
  '-ww -o pid,ppid,pgid,sid,uid,etime,stat,args',
  // busybox or other minimal ps on the host.
  '-o pid,ppid,user,args',
  '-ef',
] as const;

export interface PsRow {
  pid: number;
  ppid: number;
  pgid: number | null;
  sid: number | null;
  uid: string;
  elapsedSeconds: number | null;
  state: string;
  args: string;
}

const TITLE_ALIASES: Record<string, keyof PsRow> = {
  PID: 'pid',
  PPID: 'ppid',
  PGID: 'pgid',
  PGRP: 'pgid',
  SID: 'sid',
  SESS: 'sid',
  UID: 'uid',
  USER: 'uid',
  ELAPSED: 'elapsedSeconds',
  STAT: 'state',
  S: 'state',
  COMMAND: 'args',
  CMD: 'args',
  ARGS: 'args',
};

export interface ParsedTop {
  rows: PsRow[];
  /** Columns the host's ps did not provide. */
  missing: (keyof PsRow)[];
  /** Rows left out: not a list of strings as long as the titles, or no valid PID (an engine that lies or a ps that broke). */
  skipped: number;
}

/** Maps the engine's columns onto rows; malformed rows and rows with unparsable PIDs are dropped and counted (`skipped`), not guessed. */
export function parseTop(top: TopOutput): ParsedTop {
  const index = new Map<keyof PsRow, number>();
  top.Titles.forEach((title: unknown, i) => {
    const field = typeof title === 'string' ? TITLE_ALIASES[title.toUpperCase()] : undefined;
    if (field && !index.has(field)) index.set(field, i);
  });
  if (!index.has('pid')) throw new Error(`the engine's top output has no PID column (titles: ${top.Titles.join(' ')})`);
  const missing = (['ppid', 'pgid', 'sid', 'uid', 'elapsedSeconds', 'state', 'args'] as const).filter((f) => !index.has(f));
  const rows: PsRow[] = [];
  let skipped = 0;
  for (const cells of top.Processes as unknown[]) {
    // The engine splits each ps line into exactly one cell per title; any other shape is not a ps row,
    // and filling the gaps (a missing PPID read as 0) would invent a parent.
    if (!Array.isArray(cells) || cells.length !== top.Titles.length || !cells.every((c) => typeof c === 'string')) {
      skipped++;
      continue;
    }
    const cell = (field: keyof PsRow): string | undefined => {
      const i = index.get(field);
      return i === undefined ? undefined : (cells[i] as string);
    };
    const pid = parsePid(cell('pid'));
    if (pid === null) {
      skipped++;
      continue;
    }
    rows.push({
      pid,
      ppid: parsePid(cell('ppid')) ?? 0,
      pgid: parsePid(cell('pgid')),
      sid: parsePid(cell('sid')),
      uid: cell('uid') ?? '',
      elapsedSeconds: parseElapsed(cell('elapsedSeconds')),
      state: cell('state') ?? '',
      args: cell('args') ?? '',
    });
  }
  return { rows, missing, skipped };
}

function parsePid(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return null;
  return Number(text);
}

/** `etimes` (seconds) or `etime` ([[dd-]hh:]mm:ss). */
export function parseElapsed(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text);
  if (!match) return null;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
}
