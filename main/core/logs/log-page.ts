import type { Readable } from 'node:stream';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { LogPage, LogPageLine } from '../../../shared/domain/logs';
import { DrydockFailure } from '../errors';
import { LOG_FORMAT } from './log-lines';

/** The evidence slice a pager needs: the artifact's row and a byte range of its blob. */
export interface LogPageEvidence {
  getArtifact(id: string): Promise<ArtifactInfo | undefined>;
  openArtifactRange(id: string, start: number, end: number): Promise<Readable>;
}

/** Bytes read at most for one page (a page of 2,000 long lines stops earlier, at a line boundary). */
const WINDOW = 1024 * 1024;
/** Characters of one line shown (the stored line is whole in the artifact). */
const LINE_SHOWN = 8192;

async function read(evidence: LogPageEvidence, id: string, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await evidence.openArtifactRange(id, start, end)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parse(line: Buffer, offset: number): LogPageLine {
  const text = line.toString('utf8');
  const m = /^(stdout|stderr|tty)(\+?) (\S+) ?/.exec(text.slice(0, 80));
  const body = m ? text.slice(m[0].length) : text;
  return {
    offset,
    stream: (m?.[1] as LogPageLine['stream'] | undefined) ?? 'stdout',
    continued: m?.[2] === '+',
    time: m?.[3] ?? '',
    text: body.length > LINE_SHOWN ? body.slice(0, LINE_SHOWN) : body,
    truncated: body.length > LINE_SHOWN,
  };
}

/**
 * A page of a stored logs artifact (LOG_FORMAT) read by byte range, never the whole artifact:
 * `limit` lines starting at byte `offset` (a line start; 0 for the first page), or the `limit`
 * lines ending before byte `before` (the previous page; `before` = size for the last page).
 * Lines longer than 8,192 characters are cut in the page (flagged), never in the evidence.
 * @throws DrydockFailure('not-found') for an unknown artifact; ('invalid-input') for one that is
 *   not a logs artifact or an offset outside it.
 */
export async function readLogPage(
  evidence: LogPageEvidence,
  request: { artifactId: string; offset?: number; before?: number; limit: number },
): Promise<LogPage> {
  const artifact = await evidence.getArtifact(request.artifactId);
  if (!artifact) throw new DrydockFailure('not-found', `No artifact ${request.artifactId} in the evidence store`);
  if (artifact.kind !== 'logs' || artifact.attributes.format !== LOG_FORMAT)
    throw new DrydockFailure('invalid-input', `Artifact ${artifact.id} is ${artifact.kind}, not container logs in ${LOG_FORMAT}`);
  const size = artifact.size;
  const base = {
    artifactId: artifact.id,
    size,
    timestamps: artifact.attributes.timestamps === 'received' ? ('received' as const) : ('engine' as const),
  };
  if (request.before !== undefined) {
    const before = Math.min(request.before, size);
    if (before < 0)
      throw new DrydockFailure('invalid-input', `Offset ${request.before} is outside artifact ${artifact.id} (${size} bytes)`);
    const start = Math.max(0, before - WINDOW);
    const data = await read(evidence, artifact.id, start, before - 1);
    // Line starts inside the window: after each newline, and the window's start only when it is the artifact's start.
    const starts: number[] = start === 0 ? [0] : [];
    for (let i = data.indexOf(0x0a); i >= 0 && i < data.length - 1; i = data.indexOf(0x0a, i + 1)) starts.push(i + 1);
    if (!starts.length && before > 0) {
      // The window lies inside one line longer than the window: find where it starts, show it cut.
      let lineStart = 0;
      for (let from = start; from > 0; from -= WINDOW) {
        const back = await read(evidence, artifact.id, Math.max(0, from - WINDOW), from - 1);
        const nl = back.lastIndexOf(0x0a);
        if (nl >= 0) {
          lineStart = Math.max(0, from - WINDOW) + nl + 1;
          break;
        }
      }
      const head = await read(evidence, artifact.id, lineStart, Math.min(before, lineStart + WINDOW) - 1);
      const line = { ...parse(head.subarray(0, head[head.length - 1] === 0x0a ? -1 : undefined), lineStart), truncated: true };
      return { ...base, offset: lineStart, nextOffset: before, lines: [line], atStart: lineStart === 0, atEnd: before >= size };
    }
    const chosen = starts.slice(-request.limit);
    const lines = chosen.map((s, k) => {
      const e = k + 1 < chosen.length ? chosen[k + 1]! - 1 : data.length - (data[data.length - 1] === 0x0a ? 1 : 0);
      return parse(data.subarray(s, e), start + s);
    });
    const first = lines[0]?.offset ?? before;
    return { ...base, offset: first, nextOffset: before, lines, atStart: first === 0, atEnd: before >= size };
  }
  const offset = request.offset ?? 0;
  if (offset < 0 || offset > size)
    throw new DrydockFailure('invalid-input', `Offset ${offset} is outside artifact ${artifact.id} (${size} bytes)`);
  const data = await read(evidence, artifact.id, offset, Math.min(size, offset + WINDOW) - 1);
  const lines: LogPageLine[] = [];
  let at = 0;
  while (lines.length < request.limit && at < data.length) {
    const nl = data.indexOf(0x0a, at);
    if (nl < 0) {
      // The window ended inside a line: stop before it, unless it is the only one (a line over 1 MiB: shown cut).
      if (lines.length === 0) {
        lines.push({ ...parse(data.subarray(at), offset + at), truncated: true });
        at = data.length;
      }
      break;
    }
    lines.push(parse(data.subarray(at, nl), offset + at));
    at = nl + 1;
  }
  let next = offset + at;
  if (lines.length === 1 && lines[0]!.truncated && at === data.length && next < size) {
    // Skip the rest of an over-long line so the next page starts at a line start.
    for (let from = next; from < size; from += WINDOW) {
      const more = await read(evidence, artifact.id, from, Math.min(size, from + WINDOW) - 1);
      const nl = more.indexOf(0x0a);
      if (nl >= 0) {
        next = from + nl + 1;
        break;
      }
      next = Math.min(size, from + WINDOW);
    }
  }
  return { ...base, offset, nextOffset: next, lines, atStart: offset === 0, atEnd: next >= size };
}
