// Quarantine of a Swarm task from the UI, through the bridge in Chromium, on a real single-node
// Swarm (test/helpers/swarm.ts: a throwaway dockerd in namespaces of its own). The Cluster view's
// Tasks tab opens the quarantine dialog for a task: the plan shows the service's restart and update
// policy and what the orchestrator will do, the isolation is a packet filter (nothing disconnected),
// draining the node and scaling the service each need their own acknowledgement, apply adds the
// nftables table in the task's namespace and scales the service, release removes exactly that and
// puts the replica count back. The Quarantine view takes a task reference (SERVICE.SLOT) too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker } from '../helpers/docker';
import { startSwarm, type Swarm } from '../helpers/swarm';
import { createService, runningTasks, taskContainerId } from '../helpers/swarm-services';
import { waitFor } from '../helpers/wait';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

const SERVICE = 'dd-ui-qt';

describe('Quarantine of a Swarm task in the UI', () => {
  let swarm: Swarm;
  let ui: UiHarness;

  const replicas = () => docker(['service', 'inspect', '-f', '{{.Spec.Mode.Replicated.Replicas}}', SERVICE], { host: swarm.manager.host });

  /** The task container's network namespace ruleset, read with the host's nft through its PID. */
  function ruleset(containerId: string): string {
    const pid = docker(['inspect', '-f', '{{.State.Pid}}', containerId], { host: swarm.manager.host });
    return execFileSync('nsenter', ['-t', pid, '-n', 'nft', '-s', 'list', 'ruleset'], { encoding: 'utf8' });
  }

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    swarm = await startSwarm({ nodes: 1, images: [BUSYBOX] });
    await createService(swarm, SERVICE, {
      replicas: 2,
      maxPerNode: null,
      restart: 'on-failure',
      extra: ['--restart-max-attempts', '3', '--update-order', 'start-first'],
    });
    ui = await startUi();
    ui.core.hosts.add({ name: 'mgr', url: swarm.manager.host });
    ui.core.evidence.createCase({ name: 'UI task quarantine' });
  });

  after(async () => {
    await ui?.close();
    await swarm?.teardown();
  });

  it('quarantines a task from the Tasks tab with the policy, per-option acknowledgements, and releases it', async () => {
    const { page } = ui;
    const task = runningTasks(swarm, SERVICE).find((t) => t.Name === `${SERVICE}.1`)!;
    assert.ok(task, 'slot 1 runs');
    const containerId = taskContainerId(swarm.manager, task.ID);
    const rulesetBefore = ruleset(containerId);
    await page.reload();
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Cluster/ })
      .click();
    const view = page.locator('[data-view="cluster"]');
    await view.getByLabel('Manager host').selectOption('mgr');
    await waitText(view.getByTestId('cluster-summary'), /1 node · 1 service · /, 60_000);
    await view.getByRole('tab', { name: /Tasks/ }).click();
    const tasks = view.getByRole('table', { name: 'Swarm tasks' });
    await tasks.locator(`tr[data-task="${task.ID}"]`).getByRole('button', { name: 'Quarantine…' }).click();

    const dialog = page.getByTestId('quarantine-dialog');
    const swarmPlan = dialog.getByTestId('quarantine-swarm-plan');
    await waitText(swarmPlan, `Swarm task ${SERVICE}.1`);
    const policy = await swarmPlan.getByRole('table', { name: 'Service policy' }).innerText();
    assert.match(policy, /Mode\s+replicated, 2 replicas/);
    assert.match(policy, /Restart policy\s+condition on-failure; delay .*; attempts 3/);
    assert.match(policy, /Update policy\s+parallelism 1; on failure pause; order start-first/);
    await waitText(dialog.getByTestId('quarantine-swarm-consequences'), /Isolation here is a packet filter/);
    await waitText(dialog.getByTestId('quarantine-plan'), /nftables table inet drydock_quarantine/);
    assert.match((await dialog.locator('label.dd-q-mode').first().innerText()) ?? '', /Packet filter .* stays attached to its networks/);
    assert.doesNotMatch((await dialog.innerText()) ?? '', /disconnected/i, 'a task is never said to be disconnected');
    assert.doesNotMatch(
      await dialog.getByTestId('quarantine-plan').innerText(),
      /paused|stopped, it/i,
      'no warning about modes not chosen',
    );

    // Draining the node: its consequence, and apply waits for its own acknowledgement.
    const apply = dialog.getByTestId('quarantine-apply');
    await dialog.getByTestId('quarantine-drain').check();
    await waitText(dialog.getByTestId('quarantine-drain-consequence'), /THIS ONE INCLUDED/);
    assert.equal(await apply.isDisabled(), true, 'drain needs its acknowledgement');
    await dialog.getByTestId('quarantine-drain').uncheck();
    // Scaling the service: the count, its consequence, its own acknowledgement.
    await dialog.getByTestId('quarantine-scale').check();
    await dialog.getByTestId('quarantine-scale-to').fill('3');
    await waitText(dialog.getByTestId('quarantine-scale-consequence'), /from 2 to 3 replicas.*back to 2/);
    assert.equal(await apply.isDisabled(), true, 'scale needs its acknowledgement');
    await dialog.getByTestId('quarantine-scale-ack').check();
    await waitFor(() => apply.isEnabled(), { what: 'apply enabled once the scale is acknowledged' });
    await dialog.getByTestId('quarantine-orchestrator').scrollIntoViewIfNeeded();
    await ui.screenshot('task-quarantine-plan');
    await apply.click();

    await dialog.locator('[data-testid="quarantine-record"][data-state="quarantined"]').waitFor({ timeout: 120_000 });
    await waitText(dialog.getByTestId('quarantine-orchestrator-actions'), /Scale service\s*done/);
    await waitText(dialog.getByTestId('quarantine-packet-filter'), /table inet drydock_quarantine in its network namespace/);
    assert.match(ruleset(containerId), /table inet drydock_quarantine \{/);
    assert.equal(replicas(), '3');
    await dialog.getByTestId('quarantine-release').click();
    await waitText(
      dialog.getByTestId('quarantine-release-summary'),
      /deletes the packet-filter table inet drydock_quarantine .* checks it is gone; scales service dd-ui-qt back to 2 replicas/,
    );
    assert.doesNotMatch(await dialog.getByTestId('quarantine-release-summary').innerText(), /networks/);
    await dialog.getByTestId('quarantine-orchestrator-actions').scrollIntoViewIfNeeded();
    const shot = await ui.screenshot('task-quarantine');
    assert.ok(shot.endsWith('.png'));

    await dialog.getByTestId('quarantine-release-reason').fill('false positive');
    await dialog.getByTestId('quarantine-release-confirm').click();
    await dialog.locator('[data-testid="quarantine-record"][data-state="released"]').waitFor({ timeout: 120_000 });
    const released = await dialog.getByTestId('quarantine-record').innerText();
    assert.match(released, /Deleted table inet drydock_quarantine from its network namespace and checked it is gone/);
    assert.match(released, /Release restored it to 2/);
    assert.doesNotMatch(released, /skipped\s+skipped/i);
    assert.doesNotMatch(released, /\(\(/, 'an empty ruleset reads "(empty ruleset)", never in doubled brackets');
    assert.equal(await dialog.locator('.dd-q-restored').count(), 0, 'no network listed as restored');
    assert.equal(ruleset(containerId), rulesetBefore, 'the namespace ruleset is byte for byte the one before');
    assert.equal(replicas(), '2');
    await ui.screenshot('task-quarantine-released');
    await dialog.getByRole('button', { name: 'Close' }).last().click();
  });

  it('the Quarantine view takes a task as SERVICE.SLOT through its manager', async () => {
    const { page } = ui;
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Quarantine/ })
      .click();
    const view = page.getByTestId('quarantine-view');
    await view.getByLabel('Host').selectOption('mgr');
    await view.getByLabel('Container to quarantine').fill(`${SERVICE}.2`);
    await view.getByRole('button', { name: 'Quarantine…' }).click();
    const dialog = page.getByTestId('quarantine-dialog');
    await waitText(dialog.getByTestId('quarantine-swarm-plan'), `Swarm task ${SERVICE}.2`);
    await waitText(dialog.getByTestId('quarantine-orchestrator'), `Scale service ${SERVICE}`);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
  });
});
