import path from 'node:path';
import type { TrustedKey } from '../../../shared/contract/evidence';
import { CliError, type CliCommand, type CliContext } from '../command';
import { safeText, table } from '../terminal-safe';

// The examiner's signing key (Ed25519) and the keys a reviewer trusts. The private key stays in
// the store, encrypted with a passphrase (main/core/evidence/examiner-key.ts); the passphrase
// comes from DRYDOCK_KEY_PASSPHRASE or is read from standard input, never from an argument
// (arguments show in `ps` and shell history).

const PASSPHRASE_ENV = 'DRYDOCK_KEY_PASSPHRASE';
const MAX_LINE = 4096;

function str(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** One line from standard input; on a terminal without echo. */
function readLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let line = '';
    const raw = stdin.isTTY === true;
    if (raw) stdin.setRawMode(true);
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      if (raw) process.stderr.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\n' || ch === '\r') return finish();
        if (raw && ch === '\u0003') return finish(new CliError('cancelled', 130));
        if (raw && (ch === '\u007f' || ch === '\b')) line = [...line].slice(0, -1).join('');
        else line += ch;
        if (line.length > MAX_LINE) return finish(new CliError(`the passphrase is longer than ${MAX_LINE} characters`, 2));
      }
    };
    const onEnd = () => finish();
    const onError = (err: Error) => finish(err);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

/** The key's passphrase from DRYDOCK_KEY_PASSPHRASE, else from standard input (asked twice on a terminal when confirming). */
export async function passphrase(confirm: boolean): Promise<string> {
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const first = await readLine('Examiner key passphrase: ');
  if (!first) throw new CliError(`needs the key's passphrase (set ${PASSPHRASE_ENV} or type it on standard input)`, 2);
  if (confirm && process.stdin.isTTY === true && (await readLine('Repeat the passphrase: ')) !== first)
    throw new CliError('the passphrases differ; no key was created', 2);
  return first;
}

function out(ctx: CliContext, value: unknown, human: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(value) : human());
}

function trustedLine(k: TrustedKey): string {
  return `${safeText(k.name, 200)}, fingerprint ${k.fingerprint}`;
}

export const keyCommands: CliCommand[] = [
  {
    path: ['key', 'create'],
    summary: `Create this store's examiner signing key (Ed25519; passphrase from ${PASSPHRASE_ENV} or standard input)`,
    usage: 'key create [--examiner NAME]',
    async run(ctx, values) {
      const examiner = str(values, 'examiner');
      const secret = await passphrase(true);
      const info = await ctx.call('evidence.key-create', { passphrase: secret, ...(examiner !== undefined ? { examiner } : {}) });
      out(
        ctx,
        info,
        () =>
          `Created an Ed25519 examiner key for ${safeText(info.examiner, 200)}\nFingerprint (SHA-256 of the raw 32-byte public key): ${info.fingerprint}\nGive reviewers the public key file: drydock key show --out FILE`,
      );
      return 0;
    },
  },
  {
    path: ['key', 'show'],
    summary: "Show this store's examiner key and its fingerprint (SHA-256 of the raw 32-byte public key); --out writes the public key file",
    usage: 'key show [--out FILE]',
    options: { out: { type: 'string' } },
    async run(ctx, values) {
      const info = await ctx.call('evidence.key-show', {});
      const target = str(values, 'out');
      const written = target !== undefined ? await ctx.call('evidence.key-export', { path: path.resolve(target) }) : undefined;
      out(ctx, written ? { ...info, file: written } : info, () =>
        [
          `Examiner key of ${safeText(info.examiner, 200)} (Ed25519, created ${safeText(info.createdAt, 64)})`,
          `Fingerprint (SHA-256 of the raw 32-byte public key): ${info.fingerprint}`,
          `Public key (raw, base64): ${info.publicKey}`,
          ...(written ? [`Wrote the public key file ${safeText(written.path)}`] : []),
        ].join('\n'),
      );
      return 0;
    },
  },
  {
    path: ['key', 'trust'],
    summary: 'Trust the examiner public key in FILE (compare its fingerprint with the signer first)',
    usage: 'key trust FILE [--name NAME]',
    positionals: true,
    options: { name: { type: 'string' } },
    async run(ctx, values, positionals) {
      const file = positionals[0];
      if (file === undefined || positionals.length > 1) throw new CliError('needs one public key FILE', 2);
      const name = str(values, 'name');
      const key = await ctx.call('evidence.key-trust', { path: path.resolve(file), ...(name !== undefined ? { name } : {}) });
      out(ctx, key, () => `Trusted ${trustedLine(key)}`);
      return 0;
    },
  },
  {
    path: ['key', 'list'],
    summary: 'List the examiner keys this store trusts',
    usage: 'key list',
    async run(ctx) {
      const keys = await ctx.call('evidence.keys-trusted', {});
      out(ctx, keys, () =>
        keys.length === 0
          ? 'No trusted keys: drydock key trust FILE'
          : table(
              ['NAME', 'FINGERPRINT (SHA-256)', 'TRUSTED (UTC)'],
              keys.map((k) => [k.name, k.fingerprint, k.trustedAt]),
            ),
      );
      return 0;
    },
  },
];
