import { visibleText } from '../processes/visible-text';

const TAB_STOP = 8;

/** Tabs become the spaces they stand for: harmless whitespace, unlike the other control characters. */
function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) out += ch === '\t' ? ' '.repeat(TAB_STOP - (out.length % TAB_STOP)) : ch;
  return out;
}

/**
 * Artifact text for a <pre>: kept line by line and never shortened (the preview is already bounded),
 * with every control character other than the line breaks made visible (a carriage return or an
 * escape sequence cannot overwrite or hide what the examiner reads).
 */
export function visiblePreview(text: string): string {
  return text
    .split('\n')
    .map((line) => visibleText(expandTabs(line), Number.POSITIVE_INFINITY))
    .join('\n');
}
