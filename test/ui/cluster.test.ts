// The Cluster view through the bridge in Chromium, on a real three-node Swarm (test/helpers/swarm.ts)
// reached from the bridge's core as host profiles over their unix sockets (the manager and node 2
// saved first; node 3 mapped from the view). The view lists the nodes (a hostile label among them, shown escaped and cut), the
// service's tasks, runs "Triage service" with progress per node and shows the tampered replica as
// the outlier with why; a worker chosen as the host says it is not a manager.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker } from '../helpers/docker';
import { startSwarm, type Swarm } from '../helpers/swarm';
import { createService, tamperReplica, type TamperedReplica } from '../helpers/swarm-services';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

const SERVICE = 'dd-ui-web';

describe('Cluster view', () => {
  let swarm: Swarm;
  let ui: UiHarness;
  let tampered: TamperedReplica | undefined;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    swarm = await startSwarm({ nodes: 3, images: [BUSYBOX] });
    const manager = swarm.manager.host;
    // A hostile node label: an escape sequence and a value far too long to show.
    docker(
      ['node', 'update', '--label-add', `evil=\u001b[31mred\u202eevil`, '--label-add', `huge=${'A'.repeat(4000)}`, swarm.nodes[2]!.nodeId],
      {
        host: manager,
      },
    );
    await createService(swarm, SERVICE);
    tampered = await tamperReplica(swarm, SERVICE, swarm.nodes[1]!);
    ui = await startUi();
    ui.core.hosts.add({ name: 'mgr', url: manager });
    ui.core.hosts.add({ name: 'box-b', url: swarm.nodes[1]!.host });
    ui.core.evidence.createCase({ name: 'UI cluster case' });
  });

  after(async () => {
    await ui?.close();
    await swarm?.teardown();
  });

  it('shows the nodes and the service tasks, triages the service and shows the outlier', async () => {
    const { page } = ui;
    await page.reload();
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Cluster/ })
      .click();
    const view = page.locator('[data-view="cluster"]');
    await view.getByLabel('Manager host').selectOption('mgr');
    await waitText(view.getByTestId('cluster-summary'), /3 nodes · 1 service · /, 60_000);

    // Nodes: all three, each reached through the profile that answers as it; the hostile label escaped and cut.
    const nodes = view.getByRole('table', { name: 'Swarm nodes' });
    assert.equal(await nodes.locator('tbody tr').count(), 3);
    // Node 3 has no saved profile yet: said so, and mapped from the view (a profile whose engine answers as it).
    const third = nodes.locator(`tr[data-node="${swarm.nodes[2]!.nodeId}"]`);
    await waitText(third, 'no profile reaches it');
    await third.getByRole('button', { name: 'Map to a host profile…' }).click();
    await third.getByLabel('Profile name').fill('box-c');
    await third.getByLabel('Engine URL').fill(swarm.nodes[2]!.host);
    await third.getByRole('button', { name: 'Add profile' }).click();
    for (const [i, profile] of ['mgr', 'box-b', 'box-c'].entries())
      await waitText(
        nodes.locator(`tr[data-node="${swarm.nodes[i]!.nodeId}"]`),
        new RegExp(`${swarm.nodes[i]!.hostname}[\\s\\S]*${profile}$`),
      );
    const hostileRow = await nodes.locator(`tr[data-node="${swarm.nodes[2]!.nodeId}"]`).innerText();
    assert.match(hostileRow, /evil=\\x1b\[31mred\\u\{202e\}evil/, 'escape codes shown as escapes');
    assert.ok(!hostileRow.includes('\u001b') && !hostileRow.includes('\u202e'), 'no raw control characters on the page');
    assert.ok(!hostileRow.includes('A'.repeat(100)), 'the huge label is cut');
    assert.match(await nodes.locator(`tr[data-node="${swarm.nodes[0]!.nodeId}"]`).innerText(), /manager\s+leader/i);

    await ui.screenshot('cluster-nodes');

    // Tasks of the service: three running, one per node, with their containers.
    await view.getByRole('tab', { name: /Services/ }).click();
    const services = view.getByRole('table', { name: 'Swarm services' });
    await waitText(services, SERVICE);
    await services.locator(`tr[data-service="${SERVICE}"]`).getByRole('button', { name: 'Tasks' }).click();
    const tasks = view.getByRole('table', { name: 'Swarm tasks' });
    await waitText(tasks, tampered!.name);
    const rows = await tasks.locator('tbody tr').allInnerTexts();
    assert.equal(rows.filter((r) => /running/.test(r)).length, 3, rows.join('\n'));
    for (const n of swarm.nodes)
      assert.ok(
        rows.some((r) => r.includes(n.hostname)),
        `a task on ${n.hostname}`,
      );

    // Triage the service: progress per node, then the tampered replica as the outlier, and only it.
    await view.getByRole('tab', { name: /Services/ }).click();
    await services.getByRole('button', { name: `Triage service ${SERVICE}` }).click();
    const triage = view.getByLabel('Service triage');
    await waitText(triage.getByTestId('service-triage-summary'), /3 running tasks, 3 compared, 1 outlier · stored as artifact/, 300_000);
    const progress = await triage.getByLabel('Progress per node').innerText();
    for (const profile of ['mgr', 'box-b', 'box-c']) assert.match(progress, new RegExp(`via ${profile} · ${SERVICE} · done`));
    const outliers = triage.getByLabel('Outliers');
    const outlier = await outliers.innerText();
    assert.match(outlier, new RegExp(`OUTLIER[\\s\\S]*${tampered!.name.replace('.', '\\.')}[\\s\\S]*${tampered!.taskId}`));
    assert.match(outlier, /added \/tmp\/\.x\/nc here, in 0 of 2 sibling/);
    assert.equal(await outliers.locator('[data-outlier]').count(), 1);
    const verdicts = await triage.getByRole('table', { name: 'Replica verdicts' }).locator('tbody tr').allInnerTexts();
    assert.equal(verdicts.filter((v) => v.includes('OUTLIER')).length, 1);
    assert.equal(verdicts.filter((v) => v.includes('like its siblings')).length, 2);
    await ui.screenshot('cluster');

    // The whole swarm: every node reached, the one service triaged, its outlier shown.
    const whole = view.getByLabel('Cluster triage', { exact: true });
    await whole.getByRole('button', { name: 'Triage cluster' }).click();
    await waitText(
      whole.getByTestId('cluster-triage-summary'),
      /1 service triaged · 1 outlier · 0 replicas not read · nodes reached 3, not reached 0 · stored as artifact/,
      300_000,
    );
    assert.equal(await whole.getByLabel('Outliers').locator(`[data-outlier="${tampered!.taskId}"]`).count(), 1);
    await whole.scrollIntoViewIfNeeded();
    await ui.screenshot('cluster-triage');

    // Live: the service scaled down on the manager shows without a refresh (cluster.changed).
    docker(['service', 'update', '-d', '--replicas', '2', SERVICE], { host: swarm.manager.host });
    await waitText(view.getByTestId('cluster-summary'), /change(s)? seen/);
    await view.getByRole('tab', { name: /Services/ }).click();
    await waitText(services.locator(`tr[data-service="${SERVICE}"]`), /\/2/);

    // Two replicas left: no majority names an outlier, and the panel says so rather than reading clean;
    // when the tampered replica is one of the two, its differences are shown with their worst severity.
    const left = docker(['service', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.ID}}', SERVICE], {
      host: swarm.manager.host,
    }).split('\n');
    await view.getByRole('tab', { name: 'Triage', exact: true }).click();
    await whole.getByRole('button', { name: 'Triage cluster' }).click();
    await waitText(whole.getByTestId('cluster-triage-summary'), /1 service triaged · 0 outliers · 0 replicas not read/, 300_000);
    const note = await whole.getByTestId('no-majority-note').innerText();
    if (left.includes(tampered!.taskId)) {
      assert.match(
        note,
        new RegExp(`^2 replicas: no majority, no outlier named; ${tampered!.name.replace('.', '\\.')} (critical|high) \\(`),
      );
      assert.match(await whole.getByTestId('service-worst').innerText(), /critical|high/);
      assert.match(await whole.getByTestId('cluster-triage-summary').innerText(), /replicas? differs? with no majority/);
      const listed = whole.locator(`[data-unattributed="${tampered!.taskId}"]`);
      assert.match(await listed.innerText(), /added \/tmp\/\.x\/nc here, in 0 of 1 sibling/);
    } else assert.equal(note, '2 replicas: no majority; they do not differ');

    // A worker is not a manager: the view says so.
    await view.getByLabel('Manager host').selectOption('box-b');
    await waitText(view.getByTestId('cluster-not-manager'), /box-b is not a Swarm manager/);
    assert.deepEqual(ui.pageErrors, []);
  });
});
