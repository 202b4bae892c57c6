import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftFileMeta } from '../../../shared/domain/drift';
import { compareEntry } from '../../../main/core/drift/compare';

const file = (over: Partial<DriftFileMeta> = {}): DriftFileMeta => ({
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 10,
  sha256: 'a'.repeat(64),
  mtime: '2024-01-01T00:00:00.000Z',
  ...over,
});

describe('compare', () => {
  it('tells content changes from metadata-only changes and from a touch', () => {
    assert.equal(compareEntry('modified', file({ sha256: 'b'.repeat(64) }), file()).verdict, 'content-changed');
    assert.deepEqual(compareEntry('modified', file({ mode: 0o4755 }), file({ mode: 0o755 })), {
      verdict: 'metadata-only',
      differences: ['mode'],
    });
    assert.deepEqual(compareEntry('modified', file({ uid: 1000 }), file()).differences, ['owner']);
    const touched = compareEntry('modified', file({ mtime: '2025-05-05T00:00:00.000Z' }), file());
    assert.deepEqual(touched, { verdict: 'identical', differences: ['mtime'] }, 'a touched and reverted file is not a content change');
  });

  it('reports type changes and retargeted symlinks', () => {
    assert.equal(compareEntry('modified', { type: 'symlink', mode: 0o777, size: 0, linkTarget: '/x' }, file()).verdict, 'type-changed');
    const link = compareEntry(
      'modified',
      { type: 'symlink', mode: 0o777, size: 0, linkTarget: '/etc/shadow' },
      { type: 'symlink', mode: 0o777, size: 0, linkTarget: 'busybox' },
    );
    assert.deepEqual(link, { verdict: 'content-changed', differences: ['link-target'] });
  });

  it('compares directories by mode only when the engine stat gives no owner', () => {
    const dir: DriftFileMeta = { type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 };
    assert.equal(compareEntry('modified', { type: 'directory', mode: 0o755, size: 0 }, dir).verdict, 'identical');
    assert.equal(compareEntry('modified', { type: 'directory', mode: 0o777, size: 0 }, dir).verdict, 'metadata-only');
  });

  it('handles added, deleted, vanished and missing image sides', () => {
    assert.equal(compareEntry('added', file(), undefined).verdict, 'added');
    assert.equal(compareEntry('deleted', undefined, file()).verdict, 'deleted');
    assert.equal(compareEntry('modified', undefined, file()).verdict, 'vanished');
    assert.equal(compareEntry('modified', file(), undefined).verdict, 'unknown');
    assert.equal(
      compareEntry('modified', file({ sha256: undefined }), file()).verdict,
      'unknown',
      'an unhashed file is never called identical',
    );
  });
});
