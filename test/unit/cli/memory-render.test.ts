// `drydock memory`'s page for one image: each region not read is listed once by its mapping's name
// (the reason does not repeat it), an unnamed mapping as "anonymous", and a name a host chose
// (a file path in the container) reaches the terminal escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderImage, renderStrings } from '../../../main/cli/commands/memory';
import { regionSkipReason } from '../../../main/core/memory/memory-service';
import type { MemoryAcquisition } from '../../../shared/domain/memory';

function image(unreadable: MemoryAcquisition['unreadable']): MemoryAcquisition {
  return {
    host: 'lab',
    containerId: 'c'.repeat(64),
    containerName: 'web-1',
    pid: 1,
    comm: 'nginx',
    state: 'S',
    paused: false,
    artifactId: '0f1e2d3c-0000-4000-8000-000000000001',
    sha256: 'a'.repeat(64),
    caseId: 'case-1',
    caseName: 'INC-1',
    bytes: 8192,
    memoryBytes: 4096,
    regions: 3,
    unreadable,
  };
}

/** A region left out, with the reason the memory capability gives for it. */
function skipped(start: string, end: string, perms: string, path: string): MemoryAcquisition['unreadable'][number] {
  const reason = regionSkipReason({ perms, path });
  assert.ok(reason, `${path || 'an anonymous mapping'} (${perms}) is not read`);
  return { start, end, path, reason };
}

const notRead = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('  not read: '));

describe('drydock memory output', () => {
  it('names a kernel-special region once', () => {
    const lines = notRead(renderImage(image([skipped('7ffd1000', '7ffd5000', 'r--p', '[vvar]')]), undefined));
    assert.deepEqual(lines, ['  not read: 7ffd1000-7ffd5000 [vvar]: kernel pages /proc/PID/mem does not read']);
    assert.equal(lines[0]?.split('[vvar]').length, 2, 'the name appears once');
  });

  it('calls an unnamed region anonymous', () => {
    const lines = notRead(
      renderImage(
        image([
          skipped('7f0000000000', '7f0000001000', '---p', ''),
          { start: '1000', end: '2000', path: '', reason: '3 pages could not be read and are zeros in the image' },
        ]),
        undefined,
      ),
    );
    assert.deepEqual(lines, [
      '  not read: 7f0000000000-7f0000001000 anonymous: not readable (---p)',
      '  not read: 1000-2000 anonymous: 3 pages could not be read and are zeros in the image',
    ]);
  });

  it('escapes a mapped file name from the container', () => {
    const text = renderImage(image([skipped('5000', '6000', '-w-p', '/tmp/\u001b[2Jx\u202e.so')]), 1.5);
    assert.ok(![...text].some((ch) => ch === '\u001b' || ch === '\u202e'), text);
    assert.deepEqual(notRead(text), ['  not read: 5000-6000 /tmp/\\x1b[2Jx\\x202e.so: not readable (-w-p)']);
    assert.match(text, /\n {2}read window 1\.50 s: /);
  });

  it('marks a string the core cut with the length of its whole run', () => {
    const text = renderStrings({
      artifactId: 'a',
      from: 0,
      next: null,
      size: 9000,
      strings: [
        { offset: 16, encoding: 'ascii', text: 'A'.repeat(1024), truncated: true, length: 5000 },
        { offset: 6000, encoding: 'utf-16le', text: 'short one' },
      ],
    });
    const [cut, whole, end] = text.split('\n');
    assert.match(cut ?? '', /^ {10}16 a A{400}… \[cut: a run of 5000 characters, the first 1024 kept\]$/);
    assert.equal(whole, '        6000 w short one');
    assert.equal(end, '-- end of artifact (9000 bytes)');
  });

  it('says when --from lies past the end of the artifact', () => {
    const text = renderStrings({ artifactId: 'a', from: 999999999999, next: null, size: 2301952, strings: [] });
    assert.equal(text, '-- nothing from offset 999999999999: the artifact has 2301952 bytes (offsets 0 to 2301951)');
  });
});
