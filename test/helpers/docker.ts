// Test scaffolding on the real engine: containers made with the docker CLI, labelled so that a
// crashed run's leftovers are swept by scripts/test-all.sh, and removed in after() hooks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChannelName, RequestOf, ResponseOf } from '../../shared/contract';
import { createCore, type Core } from '../../main/app/core';
import { createDispatcher, type Dispatch } from '../../main/app/dispatch';
import { createHandlers } from '../../main/app/handlers';

export const BUSYBOX = 'drydock-fixture/busybox:1';
export const TEST_LABEL = 'drydock.test=1';

export function docker(args: string[], options: { host?: string } = {}): string {
  return execFileSync('docker', [...(options.host ? ['-H', options.host] : []), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * `docker run -d` with the test label; returns the full container ID. On a machine whose own
 * capability bounding set is short (a CI sandbox), Docker 20.10 cannot start a --privileged
 * container; it is still created, with the same inspect document, which is all the inventory
 * reads, so such a container is returned in state 'created'.
 */
export function runContainer(args: string[], options: { host?: string } = {}): string {
  try {
    return docker(['run', '-d', '--label', TEST_LABEL, ...args], options);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const id = /^[0-9a-f]{64}$/m.exec(e.stdout ?? '')?.[0];
    if (id && args.includes('--privileged') && /unable to apply caps/.test(e.stderr ?? '')) return id;
    throw err;
  }
}

export function removeContainers(ids: string[], options: { host?: string } = {}): void {
  for (const id of ids) {
    try {
      docker(['rm', '-f', '-v', id], options);
    } catch {
      // Already gone.
    }
  }
}

export interface TestCore {
  core: Core;
  dispatch: Dispatch;
  storeDir: string;
  /**
   * Calls through the contract exactly as the UI does, typed by the contract; an error result
   * throws an Error whose message names the channel, the failure kind and its message (the
   * failure itself is on `.drydock`). Requests the contract would refuse go through `dispatch`.
   */
  call<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  close(): Promise<void>;
}

export function startTestCore(prefix = 'drydock-test', options: { followLogs?: boolean } = {}): TestCore {
  const storeDir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const core = createCore({ storeDir, examiner: 'test-examiner', ...options });
  const dispatch = createDispatcher(createHandlers(core));
  return {
    core,
    dispatch,
    storeDir,
    async call<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
      const result = await dispatch(channel, request);
      if (!result.ok)
        throw Object.assign(new Error(`${channel} failed: ${result.error.kind}: ${result.error.message}`), { drydock: result.error });
      // The dispatcher is untyped on the wire; the contract ties this channel to this response.
      return result.value as ResponseOf<C>;
    },
    async close() {
      await core.close();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** A value the test needs to go on: an assertion failure naming `what` when it is missing. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined)
    throw new assert.AssertionError({ message: `expected ${what}`, actual: value, operator: 'required' });
  return value;
}
