// Sections 1 and 3 of the benchmark from the host's own files, through the short-lived read-only
// helper: the Docker socket's owner and mode as this machine's stat shows them, and the paths this
// machine does not have (no systemd unit files, no auditd rules) could-not-check saying so; a
// missing path is never created on the host by the bind, and the helper is gone afterwards.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { noAudit } from '../../../main/core/audit-fn';
import { hostFileChecks } from '../../../main/core/benchmark/host-file-checks';
import { readHostFiles, type HostFiles } from '../../../main/core/benchmark/host-files';
import { docker, startTestCore, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

describe('benchmark host files through a read-only helper', () => {
  let t: TestCore;
  let files: HostFiles;

  before(async () => {
    t = startTestCore('drydock-host-files');
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    const engine = await t.core.hosts.docker('local');
    files = await readHostFiles(engine, {
      host: 'local',
      ledger: t.core.helpers,
      audit: noAudit,
      dockerSocket: '/var/run/docker.sock',
    });
  });

  after(async () => {
    await t.close();
  });

  it("reads the Docker socket's owner and mode as this machine's stat shows them", () => {
    const own = statSync('/var/run/docker.sock');
    const read = files.stats.get('/var/run/docker.sock');
    assert.deepEqual([read?.uid, read?.gid, read?.mode], [own.uid, own.gid, own.mode & 0o7777]);
    const checks = hostFileChecks(files);
    const docker = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(own.gid))
      ?.split(':')[0];
    assert.equal(checks.get('3.15')?.verdict, own.uid === 0 && docker === 'docker' ? 'pass' : 'fail');
    assert.equal(checks.get('3.16')?.verdict, (own.mode & 0o7777 & ~0o660) === 0 ? 'pass' : 'fail');
    assert.match(checks.get('3.16')?.reason ?? '', /^\/var\/run\/docker\.sock has mode \d{3}/);
  });

  it('judges the unit files and /etc/default/docker from their stat, and says could-not-check, and why, for what this machine lacks', () => {
    const checks = hostFileChecks(files);
    // docker.io installs its unit files even where systemd does not run; each verdict rests on this machine's stat.
    const cases: [string, string, 'owner' | number][] = [
      ['3.1', '/lib/systemd/system/docker.service', 'owner'],
      ['3.2', '/lib/systemd/system/docker.service', 0o644],
      ['3.3', '/lib/systemd/system/docker.socket', 'owner'],
      ['3.4', '/lib/systemd/system/docker.socket', 0o644],
      ['3.19', '/etc/default/docker', 'owner'],
      ['3.20', '/etc/default/docker', 0o644],
      ['3.21', '/etc/sysconfig/docker', 0o644],
      ['3.22', '/etc/sysconfig/docker', 'owner'],
    ];
    for (const [id, file, rule] of cases) {
      const check = checks.get(id);
      if (!existsSync(file)) {
        assert.equal(check?.verdict, 'could-not-check', id);
        assert.match(check?.reason ?? '', /not exist on the engine's host/, id);
        continue;
      }
      const st = statSync(file);
      const ok = rule === 'owner' ? st.uid === 0 && st.gid === 0 : (st.mode & 0o7777 & ~rule) === 0;
      assert.equal(check?.verdict, ok ? 'pass' : 'fail', id);
    }
    // This machine runs no auditd: every auditing recommendation says so.
    assert.equal(existsSync('/etc/audit/audit.rules'), false);
    for (const id of ['1.1.3', '1.1.5', '1.1.18']) {
      assert.equal(checks.get(id)?.verdict, 'could-not-check', id);
      assert.match(checks.get(id)?.reason ?? '', /auditd is not installed/, id);
    }
  });

  it('creates nothing on the host and leaves no helper behind', async () => {
    for (const p of files.missing) assert.equal(existsSync(p), false, `${p} was not created by the bind`);
    assert.ok(files.missing.has('/etc/sysconfig/docker'));
    // The engine's own AutoRemove and Drydock's forced removal race; the container is gone once either ends.
    await waitFor(() => docker(['ps', '-a', '--filter', 'name=drydock-benchmark-host-files-', '--format', '{{.Names}}']) === '', {
      what: 'the host-file helper to be removed',
    });
    assert.deepEqual(t.core.helpers.open('local'), [], 'the helper is recorded as removed');
  });
});
