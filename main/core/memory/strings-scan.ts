import type { FoundString } from '../../../shared/domain/memory';

/** Characters kept of one string (a longer run is still one string; its text is cut, and marked truncated with its length). */
export const MAX_STRING_CHARS = 1024;

function printable(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 0x09;
}

interface Run {
  start: number;
  chars: number;
  text: string;
}

/**
 * Finds printable strings in a byte stream as strings(1) does (-e s and -e l): runs of at least
 * `minLength` printable ASCII characters (and tab), and runs of such characters each followed by a
 * zero byte (UTF-16LE, at either alignment). Reads the stream once, chunk by chunk; memory stays
 * bounded by MAX_STRING_CHARS per run whatever the stream's size. `emit` returning false stops it.
 */
export async function scanStrings(
  source: AsyncIterable<Buffer>,
  options: { startOffset: number; minLength: number; emit: (found: FoundString, end: number) => boolean },
): Promise<{ stoppedAt: number | null }> {
  let pos = options.startOffset;
  let ascii: Run | null = null;
  const wide: [Run | null, Run | null] = [null, null];
  let prev = -1;
  let stop = false;
  const flush = (run: Run | null, encoding: FoundString['encoding'], end: number) => {
    if (run && run.chars >= options.minLength && !stop) {
      // A run longer than what is kept of it says so, with its full length.
      const cut = run.chars > run.text.length ? { truncated: true as const, length: run.chars } : {};
      if (!options.emit({ offset: run.start, encoding, text: run.text, ...cut }, end)) stop = true;
    }
  };
  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i++, pos++) {
      const b = chunk[i] ?? 0;
      if (printable(b)) {
        ascii ??= { start: pos, chars: 0, text: '' };
        ascii.chars++;
        if (ascii.text.length < MAX_STRING_CHARS) ascii.text += String.fromCharCode(b);
      } else if (ascii) {
        flush(ascii, 'ascii', pos);
        ascii = null;
      }
      // The pair (prev, b) starts at pos - 1: the tracker of that alignment extends or ends.
      if (prev >= 0) {
        const t = (pos - 1) & 1;
        if (printable(prev) && b === 0) {
          const run: Run = wide[t] ?? { start: pos - 1, chars: 0, text: '' };
          run.chars++;
          if (run.text.length < MAX_STRING_CHARS) run.text += String.fromCharCode(prev);
          wide[t] = run;
        } else if (wide[t]) {
          flush(wide[t], 'utf-16le', pos - 1);
          wide[t] = null;
        }
      }
      prev = b;
      if (stop) {
        // Leaving the loop ends the iterator, which destroys the stream under it.
        return { stoppedAt: pos + 1 };
      }
    }
  }
  flush(ascii, 'ascii', pos);
  flush(wide[0], 'utf-16le', pos);
  flush(wide[1], 'utf-16le', pos);
  return { stoppedAt: stop ? pos : null };
}

/** Discards the first `bytes` of a stream and passes on the rest (a page starting deep in an image). */
export async function* skipBytes(stream: AsyncIterable<Buffer>, bytes: number): AsyncGenerator<Buffer> {
  let left = bytes;
  for await (const chunk of stream) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}
