import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createDispatcher, type Handlers } from '../../../main/app/dispatch';
import { ErrorLog } from '../../../main/app/error-log';
import { DrydockFailure } from '../../../main/core/errors';

const dir = mkdtempSync(path.join(tmpdir(), 'drydock-error-log-'));

function throwingHandlers(thrown: () => never): Handlers {
  // Only the channel under test is called; the dispatcher looks handlers up by channel name.
  return { 'evidence.cases': thrown } as Partial<Handlers> as Handlers;
}

function aBugInAHandler(): never {
  throw new TypeError('cannot read the thing', { cause: new Error('the root of it') });
}

describe('internal errors keep their stack in a rotated log file', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives an internal error an ID that finds its stack in the log, and leaves expected failures alone', async () => {
    const log = new ErrorLog(path.join(dir, 'one', 'logs'));
    const dispatch = createDispatcher(throwingHandlers(aBugInAHandler), { errorLog: log });
    const result = await dispatch('evidence.cases', {});
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.kind, 'internal');
    assert.match(result.error.errorId ?? '', /^E-[0-9a-f]{8}$/);
    assert.equal(result.error.logFile, log.file);
    const text = readFileSync(log.file, 'utf8');
    const entry = text.slice(text.indexOf(result.error.errorId ?? '\0'));
    assert.ok(text.includes(`${result.error.errorId} channel=evidence.cases`), text);
    assert.match(entry, /TypeError: cannot read the thing\n\s+at aBugInAHandler/);
    assert.match(entry, /Caused by: Error: the root of it/);

    const expected = createDispatcher(
      throwingHandlers(() => {
        throw new DrydockFailure('not-found', 'no such case');
      }),
      { errorLog: log },
    );
    const failure = await expected('evidence.cases', {});
    assert.ok(!failure.ok && failure.error.kind === 'not-found' && failure.error.errorId === undefined);
    assert.equal(readFileSync(log.file, 'utf8'), text, 'an expected failure is not a bug: nothing logged');
  });

  it('rotates by size, keeping the newest entries in a fixed number of files', () => {
    const log = new ErrorLog(path.join(dir, 'two'), { maxBytes: 2048, files: 3 });
    const ids = Array.from({ length: 40 }, (_, i) => log.record(new Error(`bug number ${i} ${'x'.repeat(200)}`)).errorId);
    const files = [log.file, `${log.file}.1`, `${log.file}.2`];
    for (const file of files) {
      assert.ok(existsSync(file), `${file} exists`);
      assert.ok(statSync(file).size <= 2048, `${file} is ${statSync(file).size} bytes`);
    }
    assert.ok(!existsSync(`${log.file}.3`), 'no fourth file');
    const all = files.map((f) => readFileSync(f, 'utf8')).join('');
    assert.ok(readFileSync(log.file, 'utf8').includes(ids[39] ?? '\0'), 'the newest entry is in the current file');
    assert.ok(!all.includes(ids[0] ?? '\0'), 'the oldest entry rotated out');
    const idsIn = (file: string) =>
      [...readFileSync(file, 'utf8').matchAll(/^--- \S+ (E-[0-9a-f]{8})/gm)].map((m) => ids.indexOf(m[1] ?? ''));
    const [current, first, second] = files.map(idsIn);
    assert.ok(
      Math.max(...(second ?? [])) < Math.min(...(first ?? [])) && Math.max(...(first ?? [])) < Math.min(...(current ?? [])),
      'older entries in higher-numbered files',
    );
  });
});
