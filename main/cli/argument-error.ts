import { safeText } from './terminal-safe';

/** An option as node:util parseArgs declares it (only what is read here). */
interface OptionShape {
  type: 'string' | 'boolean';
  short?: string;
}

/**
 * The arguments, with a negative number that follows an option taking a value joined to it
 * (`--pid -1` → `--pid=-1`; after a short option, as its long form: `-n -5` → `--limit=-5`).
 * parseArgs reads a value starting with a dash as another option and fails with "argument is
 * ambiguous"; joined, the value reaches the command, whose own check says what the option takes.
 * Nothing after `--` is touched.
 */
export function attachNegativeValues(args: readonly string[], options: Readonly<Record<string, OptionShape>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = arg.startsWith('--')
      ? arg.slice(2)
      : /^-[^-]$/.test(arg)
        ? Object.keys(options).find((key) => options[key]?.short === arg.slice(1))
        : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d+(\.\d+)?$/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * A parseArgs error for the terminal: each line of its message made safe (an argument is the
 * user's text, never trusted raw) and kept a line, not escaped into a literal "\n".
 */
export function argumentErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split('\n')
    .map((line) => safeText(line))
    .join('\n');
}
