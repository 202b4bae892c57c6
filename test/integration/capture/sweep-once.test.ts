// One sweep of a host, one capture.helpers-swept audit entry: the sweep a request starts opens the
// host's connection, and the sweep on connect that the connection's 'connected' starts is that same
// sweep, not a second one finding (and auditing) the same impersonator again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventName } from '../../../shared/contract';
import { BUSYBOX, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';

describe('helper sweep', () => {
  let t: TestCore;
  let impersonator = '';
  const swept: string[] = [];

  before(async () => {
    t = startTestCore('drydock-sweep-once');
    await t.call('evidence.case-create', { name: 'sweep once' });
    // Carries a helper label Drydock never recorded: every sweep keeps and reports it.
    impersonator = runContainer(['--label', 'drydock.helper=capture', BUSYBOX, 'sleep', '3600']);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    t.core.events.subscribe((event: EventName, payload: unknown) => {
      if (event === 'capture.helpers-swept') swept.push((payload as { trigger: string }).trigger);
    });
  });

  after(async () => {
    removeContainers([impersonator]);
    await t.close();
  });

  it('audits a requested sweep that connects the host once', async () => {
    const first = await t.call('capture.sweep', { host: 'local' });
    assert.ok(first.impersonators.some((i) => i.containerId === impersonator));
    // A second request runs after any sweep of the host still queued: a sweep on connect would show before it.
    await t.call('capture.sweep', { host: 'local' });
    assert.deepEqual(swept, ['request', 'request']);
    const entries = (await t.call('evidence.audit', {})).filter((e) => e.action === 'capture.helpers-swept');
    assert.equal(entries.length, 2, 'one entry per sweep');
  });
});
