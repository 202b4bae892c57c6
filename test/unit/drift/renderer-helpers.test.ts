import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftEntry, DriftSeverity } from '../../../shared/domain/drift';
import { buildTree } from '../../../renderer/src/views/drift/change-tree';
import { displayName, displayPath, visibleLines } from '../../../renderer/src/views/drift/drift-text';
import { lineDiff } from '../../../renderer/src/views/drift/line-diff';

const entry = (path: string, severity: DriftSeverity, extra: Partial<DriftEntry> = {}): DriftEntry => ({
  path,
  change: 'added',
  verdict: 'added',
  differences: [],
  severity,
  classes: ['change'],
  reasons: [{ class: 'change', severity, reason: 'x' }],
  content: { state: 'not-read' },
  ...extra,
});

const ALL = new Set<DriftSeverity>(['critical', 'high', 'medium', 'low', 'info']);

describe('drift view helpers', () => {
  it('builds a tree with the worst severity bubbling up, worst first', () => {
    const root = buildTree(
      [
        entry('/etc', 'info'),
        entry('/etc/passwd', 'critical'),
        entry('/tmp', 'info'),
        entry('/tmp/a', 'low'),
        entry('/etc/issue', 'medium'),
      ],
      { severities: ALL, classes: new Set(), text: '' },
    );
    assert.deepEqual(
      root.children.map((c) => [c.name, c.worst, c.count]),
      [
        ['etc', 'critical', 3],
        ['tmp', 'low', 2],
      ],
    );
    assert.deepEqual(
      root.children[0]!.children.map((c) => c.name),
      ['passwd', 'issue'],
    );
  });

  it('filters by severity, class and text, keeping the directories that lead there', () => {
    const entries = [entry('/etc/passwd', 'critical', { classes: ['credentials'] }), entry('/tmp/a', 'low'), entry('/var/log/x', 'info')];
    const high = buildTree(entries, { severities: new Set(['critical', 'high']), classes: new Set(), text: '' });
    assert.deepEqual(
      high.children.map((c) => c.path),
      ['/etc'],
    );
    const cls = buildTree(entries, { severities: ALL, classes: new Set(['credentials']), text: '' });
    assert.equal(cls.count, 1);
    assert.equal(buildTree(entries, { severities: ALL, classes: new Set(), text: 'VAR/LOG' }).count, 1);
  });

  it('keeps two names that share a text (distinct invalid UTF-8) as two leaves', () => {
    const root = buildTree(
      [entry('/tmp/\uFFFD', 'high', { pathBase64: 'L3RtcC//' }), entry('/tmp/\uFFFD', 'high', { pathBase64: 'L3RtcC/+' })],
      { severities: ALL, classes: new Set(), text: '' },
    );
    assert.equal(root.children[0]!.children.length, 2);
    assert.deepEqual(root.children[0]!.children.map((c) => c.name).sort(), ['\\xfe', '\\xff'], 'each leaf named by its own bytes');
  });

  it('shows hostile names as visible text', () => {
    assert.equal(displayName('new\nline'), 'new\\x0aline');
    assert.equal(displayPath('/tmp/\u001b[31mred\u001b]0;pwned\u0007'), '/tmp/\\x1b[31mred\\x1b]0;pwned\\x07');
    assert.equal(displayPath('/tmp/a\u202Egnp.exe'), '/tmp/a\\u{202e}gnp.exe');
    assert.equal(
      displayPath('/tmp/\uFFFD\uFFFDbad', Buffer.from('/tmp/\xff\xfebad', 'latin1').toString('base64')),
      '/tmp/\\xff\\xfebad [not UTF-8]',
      'invalid bytes escaped, never U+FFFD',
    );
    assert.equal(
      displayPath('/tmp/<img src=x onerror=alert(1)>'),
      '/tmp/<img src=x onerror=alert(1)>',
      'markup stays text (React renders it as text)',
    );
    assert.equal(visibleLines('a\u001b[2J\nb'), 'a\\x1b[2J\nb');
  });

  it('diffs lines side by side', () => {
    const rows = lineDiff('root:x:0:0\ndaemon:x:1:1\nbin:x:2:2\n', 'root:x:0:0\ndaemon:x:1:1\nbin:x:2:2\nevil:x:0:0\n');
    assert.deepEqual(
      rows.map((r) => r.kind),
      ['same', 'same', 'same', 'added'],
    );
    const changed = lineDiff('a\nb\nc\n', 'a\nB\nc\n');
    assert.deepEqual(
      changed.map((r) => r.kind),
      ['same', 'changed', 'same'],
    );
    const removed = lineDiff('a\nb\nc\n', 'a\nc\n');
    assert.deepEqual(
      removed.map((r) => r.kind),
      ['same', 'removed', 'same'],
    );
  });
});
