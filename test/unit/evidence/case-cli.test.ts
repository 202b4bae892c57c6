import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../../main/app/core';
import { createDispatcher, type Handlers } from '../../../main/app/dispatch';
import { evidenceHandlers } from '../../../main/app/handlers/evidence';
import { CliError, type CliContext } from '../../../main/cli/command';
import { caseCommands } from '../../../main/cli/commands/case';
import { type TestStore, meta, openStore, tempDir } from './store-fixture';

interface Run {
  code: number;
  out: string;
  err: string;
}

function cli(store: TestStore) {
  const dispatch = createDispatcher(evidenceHandlers({ evidence: store.evidence } as unknown as Core) as unknown as Handlers);
  return async (words: string[], values: Record<string, string | boolean | undefined> = {}, json = false): Promise<Run> => {
    const command = caseCommands.find((c) => c.path.every((w, i) => words[i] === w) && c.path.length <= words.length && (c.positionals || c.path.length === words.length));
    assert.ok(command, `a command for ${words.join(' ')}`);
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CliContext = {
      core: {} as Core,
      io: { out: (t) => out.push(t), err: (t) => err.push(t) },
      json,
      interrupted: new Promise(() => undefined),
      async call(channel, request) {
        const result = await dispatch(channel, request);
        if (!result.ok) throw new CliError(result.error.message, result.error.kind === 'integrity' ? 5 : 1, result.error);
        return result.value as never;
      },
    };
    try {
      const code = await command.run(ctx, values, words.slice(command.path.length));
      return { code, out: out.join('\n'), err: err.join('\n') };
    } catch (e) {
      if (e instanceof CliError) return { code: e.exitCode, out: out.join('\n'), err: e.message };
      throw e;
    }
  };
}

describe('case CLI commands', () => {
  let a: TestStore;
  let b: TestStore;
  const work = tempDir('drydock-cli-');
  let run: ReturnType<typeof cli>;

  before(() => {
    a = openStore();
    b = openStore();
    run = cli(a);
  });
  after(() => {
    a.dispose();
    b.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('creates, lists, selects and notes cases', async () => {
    let r = await run(['case', 'create'], { name: 'Intrusion 42', organisation: 'CERT', tz: 'Europe/Berlin', description: 'web host' });
    assert.equal(r.code, 0);
    assert.match(r.out, /Created case Intrusion 42 \([\w-]+\).*Europe\/Berlin.*current case/);
    r = await run(['case', 'create'], { name: 'Second' });
    r = await run(['case', 'list']);
    assert.match(r.out, /^\*\s+[\w-]+\s+Second\s+open/m);
    r = await run(['case', 'use', 'Intrusion 42']);
    assert.match(r.out, /Current case: Intrusion 42/);
    r = await run(['case', 'note', 'found', 'a', 'web', 'shell']);
    assert.equal(r.code, 0);
    assert.match(r.out, /Note recorded as audit entry 2/);
    r = await run(['case', 'create'], { name: 'Bad', tz: 'Mars/Olympus' });
    assert.equal(r.code, 1);
    assert.match(r.err, /Unknown time zone "Mars\/Olympus"/);
    r = await run(['case', 'create'], {});
    assert.equal(r.code, 2);
  });

  it('prints artifacts and the audit log without raw control characters', async () => {
    const kase = await a.evidence.currentCase();
    assert.ok(kase);
    await a.evidence.ingest(meta(kase.id, { source: { host: 'lab', containerName: 'evil\u001b]0;pwned\u0007', path: '/tmp/\u001b[2Jx' } }), Readable.from([Buffer.from('x')]));
    a.evidence.audit('host.tested', { host: 'lab\u001b[31m' });
    const artifacts = await run(['case', 'artifacts']);
    assert.equal(artifacts.code, 0);
    assert.ok(!artifacts.out.includes('\u001b') && !artifacts.out.includes('\u0007'), 'no raw escape reaches the terminal');
    assert.match(artifacts.out, /evil\\x1b\]0;pwned\\x07/);
    const audit = await run(['case', 'audit']);
    assert.ok(!audit.out.includes('\u001b'));
    assert.match(audit.out, /artifact\.added/);
    const json = await run(['case', 'audit'], {}, true);
    const lines = json.out.split('\n').map((l) => JSON.parse(l) as { action: string });
    assert.equal(lines[0]?.action, 'case.created');
  });

  it('verifies (exit 0), and exits non-zero once a row is tampered with', async () => {
    let r = await run(['case', 'verify']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^Verified \d+ artifacts and \d+ audit entries: OK/);
    const kase = await a.evidence.currentCase();
    a.db.prepare("UPDATE audit_log SET action = 'note.edited' WHERE chain = ? AND seq = 2").run(kase?.id);
    r = await run(['case', 'verify'], { case: 'Intrusion 42' });
    assert.equal(r.code, 5);
    assert.match(r.out, /Verification FAILED .*\nfirst: audit chain broken at entry 2: /);
    a.db.prepare("UPDATE audit_log SET action = 'note.added' WHERE chain = ? AND seq = 2").run(kase?.id);
  });

  it('exports a bundle and an artifact, and imports the bundle elsewhere', async () => {
    const bundle = path.join(work, 'case.tar');
    let r = await run(['case', 'export'], { out: bundle });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Wrote .*case\.tar: 1 artifacts, \d+ audit entries, \d+ bytes, sha256 [a-f0-9]{64}/);
    r = await run(['case', 'export'], { out: bundle });
    assert.equal(r.code, 1);
    assert.match(r.err, /already exists/);

    const [artifact] = await a.evidence.listArtifacts();
    assert.ok(artifact);
    const copy = path.join(work, 'artifact.bin');
    r = await run(['artifact', 'export', artifact.id], { out: copy });
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(copy, 'utf8'), 'x');

    const runB = cli(b);
    r = await runB(['case', 'import', bundle]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Imported case Intrusion 42 \([\w-]+\) read-only\nVerified 1 artifacts/);
    r = await runB(['case', 'import', bundle]);
    assert.equal(r.code, 1);
    assert.match(r.err, /already in this evidence store/);
    r = await runB(['case', 'close', 'Intrusion 42']);
    assert.match(r.err, /read-only/);
    assert.ok(!existsSync(path.join(work, 'nothing.tar')));
  });
});
