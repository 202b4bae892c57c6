// Paging a stored logs artifact by byte range, on a real evidence store: forward from the first
// byte and backward from the last give every line exactly once, in order, whatever the page
// size; a line longer than the read window is shown cut and the next page starts after it;
// offsets outside the artifact and other kinds are refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createCore, type Core } from '../../../main/app/core';
import { readLogPage } from '../../../main/core/logs/log-page';

describe('logs pager', () => {
  let dir: string;
  let core: Core;
  let artifactId: string;
  const lines: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dd-logpage-'));
    core = createCore({ storeDir: dir, examiner: 'test' });
    const kase = core.evidence.createCase({ name: 'pager' });
    for (let i = 0; i < 20_000; i++)
      lines.push(
        `${i % 7 ? 'stdout' : 'stderr'} 2026-11-30T10:00:${String(i % 60).padStart(2, '0')}.000000001Z line ${i} ${'x'.repeat(i % 300)}`,
      );
    lines.splice(12_345, 0, `stdout 2026-11-30T10:00:00.000000001Z ${'L'.repeat(1_500_000)}`);
    const stored = await core.evidence.ingest(
      {
        caseId: kase.id,
        kind: 'logs',
        source: { host: 'h' },
        method: 'test',
        mediaType: 'text/plain',
        attributes: { format: 'drydock-log-lines/1' },
      },
      Readable.from([Buffer.from(lines.join('\n') + '\n')]),
    );
    artifactId = stored.id;
  });

  after(async () => {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const text = (line: string) => line.replace(/^\S+ \S+ /, '');

  it('pages forward through every line once', async () => {
    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const page = await readLogPage(core.evidence, { artifactId, offset, limit: 777 });
      seen.push(...page.lines.map((l) => l.text));
      if (page.atEnd) break;
      assert.ok(page.nextOffset > offset);
      offset = page.nextOffset;
    }
    assert.equal(seen.length, lines.length);
    for (let i = 0; i < lines.length; i++) {
      const want = text(lines[i]!);
      if (want.length > 8192) assert.equal(seen[i], want.slice(0, 8192), 'a long line is cut for display');
      else assert.equal(seen[i], want, `line ${i}`);
    }
  });

  it('pages backward from the end through every line once', async () => {
    const size = (await core.evidence.getArtifact(artifactId))!.size;
    const seen: string[] = [];
    let before = size;
    for (;;) {
      const page = await readLogPage(core.evidence, { artifactId, before, limit: 500 });
      seen.unshift(...page.lines.map((l) => l.text));
      if (page.atStart) break;
      assert.ok(page.offset < before);
      before = page.offset;
    }
    assert.equal(seen.length, lines.length);
    assert.equal(seen[0], text(lines[0]!));
    assert.equal(seen.at(-1), text(lines.at(-1)!));
  });

  it('refuses offsets outside the artifact and artifacts that are not logs', async () => {
    await assert.rejects(readLogPage(core.evidence, { artifactId, offset: 10 ** 12, limit: 10 }), { kind: 'invalid-input' });
    const note = await core.evidence.addNote('a note');
    assert.ok(note);
    await assert.rejects(readLogPage(core.evidence, { artifactId: '00000000-0000-0000-0000-000000000000', limit: 10 }), {
      kind: 'not-found',
    });
  });
});
