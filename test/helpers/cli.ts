// The CLI as a responder runs it: the built `drydock` bin (bin/drydock.js → dist/main/cli) in a
// child process of its own, never through tsx, so the tests exercise what ships. The test script
// builds dist/ first (npm test runs npm run build).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const DRYDOCK_BIN = path.join(ROOT, 'bin', 'drydock.js');

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

export interface CliOptions {
  /** Run as another OS account (runuser -u). */
  user?: string;
  /** Standard input for prompts. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Milliseconds before the child is killed (default 180 s). */
  timeout?: number;
}

function assertBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'main', 'cli', 'index.js'))) {
    throw new Error('the CLI is not built: run `npm run build:node` before the CLI tests (npm test does)');
  }
}

/** Runs `drydock ARGS` (with `--store STORE` appended when a store is given) to completion. */
export function drydock(store: string | undefined, args: string[], options: CliOptions = {}): CliRun {
  assertBuilt();
  const cli = [process.execPath, DRYDOCK_BIN, ...args, ...(store ? ['--store', store] : [])];
  const [cmd, ...argv] = options.user ? ['runuser', '-u', options.user, '--', ...cli] : cli;
  const result = spawnSync(cmd!, argv, {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input,
    env: { ...process.env, DRYDOCK_EXAMINER: 'cli-test', ...options.env },
    timeout: options.timeout ?? 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** Starts `drydock ARGS` in the background (for serve, watches and captures stopped with SIGINT). */
export function drydockSpawn(store: string | undefined, args: string[], options: CliOptions = {}) {
  assertBuilt();
  return spawn(process.execPath, [DRYDOCK_BIN, ...args, ...(store ? ['--store', store] : [])], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, DRYDOCK_EXAMINER: 'cli-test', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
