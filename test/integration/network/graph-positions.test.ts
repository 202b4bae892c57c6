import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCore, type Core } from '../../../main/app/core';
import { createDispatcher, type Dispatch } from '../../../main/app/dispatch';
import { createHandlers } from '../../../main/app/handlers';
import { MAX_POSITIONS_PER_CASE } from '../../../main/core/network/graph-positions';
import { GRAPH_POSITIONS_MAX } from '../../../shared/contract/network';
import type { GraphPositionsLoaded, GraphPositionsSaved } from '../../../shared/domain/network';

// The Connections view's layout, stored per case through the contract (validated like any
// request from a renderer) in a real evidence store, and read back after the store is reopened.

describe('graph positions: stored per case, read back for a warm start', () => {
  let storeDir: string;
  let core: Core;
  let dispatch: Dispatch;
  let first = '';
  let second = '';

  const open = () => {
    core = createCore({ storeDir, examiner: 'positions test' });
    dispatch = createDispatcher(createHandlers(core));
  };
  const save = async (request: unknown): Promise<GraphPositionsSaved> => {
    const result = await dispatch('network.graph-positions.save', request);
    assert.ok(result.ok, `save failed: ${JSON.stringify(result)}`);
    return result.value as GraphPositionsSaved;
  };
  const load = async (request: unknown = {}): Promise<GraphPositionsLoaded> => {
    const result = await dispatch('network.graph-positions.load', request);
    assert.ok(result.ok, `load failed: ${JSON.stringify(result)}`);
    return result.value as GraphPositionsLoaded;
  };

  before(async () => {
    storeDir = mkdtempSync(path.join(tmpdir(), 'drydock-positions-'));
    open();
  });

  after(async () => {
    await core?.close().catch(() => undefined);
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  });

  it('stores nothing with no case selected', async () => {
    assert.deepEqual(await save({ positions: [{ id: 'm', x: 1, y: 1 }] }), { caseId: null, saved: 0 });
    assert.deepEqual(await load(), { caseId: null, positions: [] });
    first = core.evidence.createCase({ name: 'First', organisation: '', timeZone: 'UTC', description: '' }).id;
    second = core.evidence.createCase({ name: 'Second', organisation: '', timeZone: 'UTC', description: '' }).id;
  });

  it('keeps hostile node IDs exact, each case its own, across a reopened store', async () => {
    // IDs as a graph names nodes from hosts under investigation: anything, lone surrogates included.
    const hostile = [
      'c:local/abc',
      "x'); DROP TABLE graph_positions; --",
      'lone \ud800 surrogate',
      '\u202eevil',
      'é'.repeat(500),
      '"quoted"',
    ];
    const positions = hostile.map((id, i) => ({ id, x: i * 10.5 - 3, y: 0.25 - i * 0.5 }));
    assert.deepEqual(await save({ caseRef: first, positions }), { caseId: first, saved: hostile.length });
    await save({ caseRef: 'Second', positions: [{ id: 'c:local/abc', x: 999, y: 999 }] });
    await core.close();
    open();
    const loaded = await load({ caseRef: first });
    assert.equal(loaded.caseId, first);
    const byId = new Map(loaded.positions.map((p) => [p.id, p]));
    assert.equal(byId.size, hostile.length);
    for (const p of positions) assert.deepEqual(byId.get(p.id), p, `position of ${JSON.stringify(p.id)}`);
    assert.deepEqual((await load({ caseRef: second })).positions, [{ id: 'c:local/abc', x: 999, y: 999 }]);
    // A later save moves what it names and keeps the rest.
    await save({ caseRef: first, positions: [{ id: 'c:local/abc', x: 1, y: 2 }] });
    const after = new Map((await load({ caseRef: first })).positions.map((p) => [p.id, p]));
    assert.deepEqual(after.get('c:local/abc'), { id: 'c:local/abc', x: 1, y: 2 });
    assert.equal(after.size, hostile.length);
  });

  it('uses the current case by default; an unknown case is not found', async () => {
    await core.evidence.useCase(second);
    assert.equal((await save({ positions: [{ id: 'n', x: 5, y: 6 }] })).caseId, second);
    assert.ok((await load()).positions.some((p) => p.id === 'n' && p.x === 5 && p.y === 6));
    assert.ok(!(await load({ caseRef: first })).positions.some((p) => p.id === 'n'));
    const unknown = await dispatch('network.graph-positions.load', { caseRef: 'no such case' });
    assert.equal(unknown.ok, false);
    assert.equal(!unknown.ok && unknown.error.kind, 'not-found');
  });

  it('refuses what a hostile renderer could send: odd numbers, long IDs, too many, extra fields', async () => {
    const refused = async (request: unknown, what: string) => {
      const result = await dispatch('network.graph-positions.save', request);
      assert.equal(result.ok, false, what);
      assert.equal(!result.ok && result.error.kind, 'invalid-input', what);
    };
    await refused({ caseRef: first, positions: [{ id: 'a', x: Number.NaN, y: 0 }] }, 'NaN');
    await refused({ caseRef: first, positions: [{ id: 'a', x: Infinity, y: 0 }] }, 'Infinity');
    await refused({ caseRef: first, positions: [{ id: 'a', x: 1e12, y: 0 }] }, 'far away');
    await refused({ caseRef: first, positions: [{ id: '', x: 0, y: 0 }] }, 'empty ID');
    await refused({ caseRef: first, positions: [{ id: 'a'.repeat(1025), x: 0, y: 0 }] }, 'ID too long');
    await refused({ caseRef: first, positions: [{ id: 'a', x: '1', y: 0 }] }, 'a string for a number');
    await refused({ caseRef: first, positions: [{ id: 'a', x: 0, y: 0, extra: 1 }] }, 'an extra field');
    await refused({ caseRef: first, positions: 'all' }, 'not an array');
    const many = Array.from({ length: GRAPH_POSITIONS_MAX + 1 }, (_, i) => ({ id: `n${i}`, x: 0, y: 0 }));
    await refused({ caseRef: first, positions: many }, 'more than a save may carry');
  });

  it('keeps at most MAX_POSITIONS_PER_CASE per case, dropping the least recently saved', async () => {
    const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: `bulk-${from + i}`, x: from + i, y: 0 }));
    const kase = core.evidence.createCase({ name: 'Bulk', organisation: '', timeZone: 'UTC', description: '' }).id;
    // Saves at distinct times: the clock moves on between them.
    for (let from = 0; from < MAX_POSITIONS_PER_CASE + GRAPH_POSITIONS_MAX; from += GRAPH_POSITIONS_MAX) {
      await save({ caseRef: kase, positions: batch(from, GRAPH_POSITIONS_MAX) });
      await new Promise<void>((resolve) => setImmediate(resolve));
      const before = Date.now();
      while (Date.now() === before) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const loaded = await load({ caseRef: kase });
    assert.equal(loaded.positions.length, MAX_POSITIONS_PER_CASE);
    const ids = new Set(loaded.positions.map((p) => p.id));
    // By time, not by name: 'bulk-9' of the first save sorts after most later IDs, and goes all the same.
    const firstSave = batch(0, GRAPH_POSITIONS_MAX).filter((p) => ids.has(p.id));
    assert.deepEqual(firstSave, [], 'the first save went first, every position of it');
    assert.ok(ids.has(`bulk-${MAX_POSITIONS_PER_CASE + GRAPH_POSITIONS_MAX - 1}`), 'the last saved is kept');
  });
});
