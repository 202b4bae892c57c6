import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftFileMeta } from '../../../shared/domain/drift';
import { classifyEntry, type ClassifyInput } from '../../../main/core/drift/classify';
import { configDrift } from '../../../main/core/drift/config-drift';
import { applyNoiseRules, DEFAULT_NOISE_RULES, globToRegExp } from '../../../main/core/drift/noise-rules';
import { maxSeverity } from '../../../main/core/drift/report-math';

const file = (over: Partial<DriftFileMeta> = {}): DriftFileMeta => ({
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 10,
  sha256: 'a'.repeat(64),
  ...over,
});

function classify(input: Partial<ClassifyInput> & { path: string }) {
  const reasons = classifyEntry({ change: 'added', verdict: 'added', differences: [], ...input });
  return { reasons, severity: maxSeverity(reasons.map((r) => r.severity)), classes: reasons.map((r) => r.class) };
}

describe('classify', () => {
  it('an ELF dropped in /tmp is critical; a script in a system path too; a plain file in /tmp is low', () => {
    const elf = classify({ path: '/tmp/x', container: file({ executable: 'elf', mode: 0o755 }) });
    assert.equal(elf.severity, 'critical');
    assert.ok(elf.classes.includes('executable'));
    assert.match(elf.reasons[0]!.reason, /ELF binary dropped in a world-writable temporary directory/);
    assert.equal(classify({ path: '/usr/bin/drydock-hello', container: file({ executable: 'script', mode: 0o755 }) }).severity, 'critical');
    const replaced = classify({
      path: '/usr/bin/ls',
      change: 'modified',
      verdict: 'content-changed',
      differences: ['content'],
      container: file({ executable: 'elf', sha256: 'b'.repeat(64) }),
      image: file({ executable: 'elf' }),
    });
    assert.match(replaced.reasons[0]!.reason, /replaced/);
    assert.equal(classify({ path: '/tmp/notes.txt', container: file() }).severity, 'low');
  });

  it('setuid newly set is critical; already setuid in the image is not re-raised', () => {
    const suid = classify({
      path: '/usr/bin/env',
      change: 'modified',
      verdict: 'metadata-only',
      differences: ['mode'],
      container: file({ mode: 0o4755, executable: 'elf' }),
      image: file({ mode: 0o755, executable: 'elf' }),
    });
    assert.equal(suid.severity, 'critical');
    assert.ok(suid.classes.includes('setuid'));
    const same = classify({
      path: '/usr/bin/passwd',
      change: 'modified',
      verdict: 'identical',
      differences: ['mtime'],
      container: file({ mode: 0o4755 }),
      image: file({ mode: 0o4755 }),
    });
    assert.equal(same.severity, 'info');
  });

  it('names the account added to /etc/passwd and flags uid 0', () => {
    const result = classify({
      path: '/etc/passwd',
      change: 'modified',
      verdict: 'content-changed',
      differences: ['content'],
      container: file(),
      image: file(),
      imageText: Buffer.from('root:x:0:0:root:/root:/bin/sh\n'),
      containerText: Buffer.from('root:x:0:0:root:/root:/bin/sh\nevil:x:0:0::/root:/bin/sh\n'),
    });
    assert.equal(result.severity, 'critical');
    assert.match(result.reasons[0]!.reason, /added evil; now uid 0: evil/);
  });

  it('authorized_keys, cron, ld.so.preload, shell rc and history are credentials or persistence', () => {
    assert.equal(classify({ path: '/root/.ssh/authorized_keys', container: file() }).severity, 'critical');
    assert.ok(classify({ path: '/var/spool/cron/crontabs/root', container: file() }).classes.includes('persistence'));
    assert.equal(classify({ path: '/etc/cron.d/backdoor', container: file() }).severity, 'high');
    assert.equal(classify({ path: '/etc/ld.so.preload', container: file() }).severity, 'critical');
    assert.ok(
      classify({
        path: '/home/app/.bashrc',
        change: 'modified',
        verdict: 'content-changed',
        container: file(),
        image: file(),
      }).classes.includes('persistence'),
    );
    assert.ok(classify({ path: '/root/.bash_history', container: file() }).classes.includes('history'));
  });

  it('a touched-and-reverted file is info only, whatever its path', () => {
    const touched = classify({
      path: '/etc/shadow',
      change: 'modified',
      verdict: 'identical',
      differences: ['mtime'],
      container: file(),
      image: file(),
    });
    assert.equal(touched.severity, 'info');
    assert.deepEqual(touched.classes, ['change']);
  });

  it('hostile names: newline, escape codes, markup, invalid UTF-8', () => {
    assert.match(classify({ path: '/tmp/a\nb', container: file() }).reasons.find((r) => r.class === 'hostile-name')!.reason, /a newline/);
    assert.match(
      classify({ path: '/tmp/\u001b[31mred', container: file() }).reasons.find((r) => r.class === 'hostile-name')!.reason,
      /terminal escape/,
    );
    assert.match(
      classify({ path: '/tmp/<img src=x onerror=alert(1)>', container: file() }).reasons.find((r) => r.class === 'hostile-name')!.reason,
      /markup/,
    );
    assert.match(
      classify({ path: '/tmp/\uFFFD', pathBase64: Buffer.from([0x2f, 0xff]).toString('base64'), container: file() }).reasons.find(
        (r) => r.class === 'hostile-name',
      )!.reason,
      /not valid UTF-8/,
    );
    assert.equal(classify({ path: '/tmp/plain-name.txt', container: file() }).classes.includes('hostile-name'), false);
  });

  it('absolute symlinks, web shells, hidden files, deleted binaries, config changes', () => {
    const link = classify({ path: '/tmp/lnk', container: { type: 'symlink', mode: 0o777, size: 0, linkTarget: '/etc/shadow' } });
    assert.equal(link.severity, 'high');
    assert.ok(link.classes.includes('symlink'));
    assert.equal(
      classify({ path: '/tmp/rel', container: { type: 'symlink', mode: 0o777, size: 0, linkTarget: 'x' } }).classes.includes('symlink'),
      false,
    );
    assert.equal(classify({ path: '/var/www/html/shell.php', container: file() }).severity, 'critical');
    assert.equal(
      classify({ path: '/var/www/html/index.html', change: 'modified', verdict: 'content-changed', container: file(), image: file() })
        .severity,
      'medium',
    );
    assert.ok(classify({ path: '/opt/.secret', container: file() }).classes.includes('hidden'));
    const gone = classify({ path: '/usr/bin/who', change: 'deleted', verdict: 'deleted', image: file({ executable: 'elf', mode: 0o755 }) });
    assert.equal(gone.severity, 'high');
    assert.equal(
      classify({
        path: '/bin/wget',
        change: 'deleted',
        verdict: 'deleted',
        image: { type: 'symlink', mode: 0o777, size: 0, linkTarget: 'busybox' },
      }).severity,
      'medium',
    );
    assert.equal(
      classify({ path: '/etc/issue', change: 'modified', verdict: 'content-changed', container: file(), image: file() }).severity,
      'medium',
    );
  });
});

describe('noise rules', () => {
  it('globs: ** across directories, * within a name', () => {
    assert.ok(globToRegExp('**/*.pid').test('/run/nginx.pid'));
    assert.ok(globToRegExp('**/*.pid').test('/var/run/a/b.pid'));
    assert.ok(!globToRegExp('/var/log/*').test('/var/log/a/b'));
    assert.ok(globToRegExp('/var/log/**').test('/var/log/a/b'));
    assert.ok(globToRegExp('/tmp/a.b').test('/tmp/a.b') && !globToRegExp('/tmp/a.b').test('/tmp/axb'));
  });

  it('demotes noise but keeps it, never demotes executables or deletions', () => {
    const log = applyNoiseRules(DEFAULT_NOISE_RULES, {
      path: '/var/log/app.log',
      change: 'added',
      severity: 'medium',
      classes: ['change'],
    });
    assert.deepEqual(log, { severity: 'low', demoted: { ruleId: 'logs', from: 'medium' } });
    const dropped = applyNoiseRules(DEFAULT_NOISE_RULES, {
      path: '/var/log/.x',
      change: 'added',
      severity: 'critical',
      classes: ['executable'],
    });
    assert.deepEqual(dropped, { severity: 'critical' });
    const wiped = applyNoiseRules(DEFAULT_NOISE_RULES, {
      path: '/var/log/auth.log',
      change: 'deleted',
      severity: 'medium',
      classes: ['deleted'],
    });
    assert.deepEqual(wiped, { severity: 'medium' });
    const custom = applyNoiseRules(
      [{ id: 'mine', pattern: '/opt/app/**', demoteTo: 'info', description: '', enabled: true, includeExecutables: true }],
      { path: '/opt/app/bin/x', change: 'added', severity: 'high', classes: ['executable'] },
    );
    assert.equal(custom.severity, 'info');
  });
});

describe('configuration drift', () => {
  it('masks secret-looking values and flags root and LD_PRELOAD', () => {
    const drift = configDrift(
      { Entrypoint: ['/entry'], Cmd: ['serve'], User: 'app', Env: ['PATH=/usr/bin'], ExposedPorts: { '8080/tcp': {} } },
      {
        Entrypoint: ['/entry'],
        Cmd: ['sh'],
        User: '',
        Env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter2', 'LD_PRELOAD=/tmp/x.so', 'MODE=debug'],
        ExposedPorts: { '8080/tcp': {}, '4444/tcp': {} },
        Healthcheck: { Test: ['NONE'] },
      },
    );
    const by = (field: string, key?: string) => drift.find((d) => d.field === field && (key === undefined || d.key === key));
    assert.equal(by('user')?.severity, 'high');
    assert.equal(by('env', 'DB_PASSWORD')?.masked, true);
    assert.ok(!JSON.stringify(drift).includes('hunter2'), 'the secret never appears');
    assert.equal(by('env', 'LD_PRELOAD')?.severity, 'high');
    assert.equal(by('env', 'MODE')?.container, 'debug');
    assert.equal(by('exposed-ports', '4444/tcp')?.severity, 'low');
    assert.equal(by('healthcheck')?.severity, 'medium');
    assert.equal(by('cmd')?.severity, 'low');
    assert.equal(by('entrypoint'), undefined);
  });
});
