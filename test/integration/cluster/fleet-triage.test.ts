// The fleet triage (fleet.triage, `drydock fleet triage`) on a real three-node Swarm
// (test/helpers/swarm.ts): the collector image, built offline by resources/collector/build-collector.sh,
// is loaded through each node's engine and run as a global-job service; each node's bundle comes back
// signed with the run key, is verified, countersigned and merged into one case, and nothing of the run
// is left on any node. Then a node is killed: it is reported, and the other nodes' results are kept.
//
// Each node's engine socket is at its own path on this one machine: the service mounts
// <swarm>/sockets/{{.Node.Hostname}}.sock (a Swarm template), a link to that node's socket.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import type { FleetProgressEvent, FleetTriageResult } from '../../../shared/domain/fleet';
import { createCore, type Core } from '../../../main/app/core';
import { canonicalJson } from '../../../main/core/evidence/canonical-json';
import { findCollectorBundle } from '../../../main/core/fleet/collector-bundle';
import { FLEET_RUN_LABEL } from '../../../main/core/fleet/fleet-run';
import { createDispatcher } from '../../../main/app/dispatch';
import { createHandlers } from '../../../main/app/handlers';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, docker, required } from '../../helpers/docker';
import { startSwarm, type Swarm } from '../../helpers/swarm';
import { waitFor } from '../../helpers/wait';

const PASSPHRASE = 'fleet test passphrase';
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The entries of a bundle tar, by name. */
async function tarEntries(bytes: Buffer): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const entries = new Map<string, Buffer>();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      entries.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  extract.end(bytes);
  await done;
  return entries;
}

async function readAll(core: Core, artifactId: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await core.evidence.openArtifact(artifactId)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Checks a manifest.sig.json against a raw Ed25519 public key (base64), by hand: the signed statement and the manifest's hash. */
function signatureHolds(manifest: Buffer, sigEntry: Buffer, publicKeyB64: string): boolean {
  const sig = JSON.parse(sigEntry.toString('utf8')) as { statement: { manifestSha256: string }; publicKey: string; signature: string };
  if (sig.publicKey !== publicKeyB64) return false;
  const key = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(publicKeyB64, 'base64')]),
    format: 'der',
    type: 'spki',
  });
  const signed = Buffer.concat([Buffer.from('drydock-bundle-signature/1\n'), Buffer.from(canonicalJson(sig.statement))]);
  return (
    verify(null, signed, key, Buffer.from(sig.signature, 'base64')) &&
    sig.statement.manifestSha256 === createHash('sha256').update(manifest).digest('hex')
  );
}

describe('fleet triage: the collector as a global-job service on every node', () => {
  let swarm: Swarm;
  let store = '';
  let nodeSocket = '';
  const collector = required(findCollectorBundle().bundle, 'the collector bundle (npm run collector-bundle)');
  const imageId = collector.imageId;

  /** What a run may leave behind, per engine: services, secrets, collector containers and images. */
  function leftovers(nodes = swarm.nodes): string[] {
    const found: string[] = [];
    const services = docker(['service', 'ls', '-q', '--filter', `label=${FLEET_RUN_LABEL}`], { host: swarm.manager.host });
    if (services) found.push(`services ${services}`);
    const secrets = docker(['secret', 'ls', '-q', '--filter', `label=${FLEET_RUN_LABEL}`], { host: swarm.manager.host });
    if (secrets) found.push(`secrets ${secrets}`);
    for (const n of nodes) {
      const containers = docker(['ps', '-aq', '--filter', `label=${FLEET_RUN_LABEL}`], { host: n.host });
      if (containers) found.push(`containers on node ${n.index}: ${containers}`);
      const images = docker(['images', '-q', '--no-trunc'], { host: n.host });
      if (images.includes(imageId)) found.push(`collector image on node ${n.index}`);
    }
    return found;
  }

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-fleet-triage-'));
    swarm = await startSwarm({ nodes: 3, images: [BUSYBOX] });
    mkdirSync(path.join(swarm.dir, 'sockets'));
    for (const n of swarm.nodes) symlinkSync(n.socket, path.join(swarm.dir, 'sockets', `${n.hostname}.sock`));
    nodeSocket = `${path.join(swarm.dir, 'sockets')}/{{.Node.Hostname}}.sock`;
    // One container per node, each with a file of its own added: each node's drift report says so.
    for (const n of swarm.nodes) {
      docker(['run', '-d', '--name', `dd-ft-${n.index}`, '--label', 'drydock.test=1', BUSYBOX, 'sleep', '3600'], { host: n.host });
      docker(['exec', `dd-ft-${n.index}`, 'sh', '-c', `echo node${n.index} > /etc/dropped-on-node${n.index}`], { host: n.host });
    }
    for (const n of swarm.nodes) assert.equal(drydock(store, ['hosts', 'add', `node${n.index}`, n.host]).code, 0);
    const key = drydock(store, ['key', 'create'], { env: { DRYDOCK_KEY_PASSPHRASE: PASSPHRASE } });
    assert.equal(key.code, 0, key.err);
    assert.equal(drydock(store, ['case', 'create', '--name', 'Fleet']).code, 0);
  });

  after(async () => {
    await swarm?.teardown();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('the fleet triage run leaves three verified bundles merged into one case and no service behind (drydock fleet triage)', async () => {
    // Node 1 already holds the collector image before the run: the run leaves it there.
    execFileSync('docker', ['-H', swarm.nodes[0]!.host, 'load', '-q', '-i', collector.tarPath], { stdio: 'ignore' });
    const run = drydock(
      store,
      ['fleet', 'triage', '--host', 'node1', '--case', 'Fleet', '--node-socket', nodeSocket, '--timeout', '300', '--json'],
      {
        env: { DRYDOCK_KEY_PASSPHRASE: PASSPHRASE },
        timeout: 600_000,
      },
    );
    assert.equal(run.code, 0, `${run.err}\n${run.out.slice(0, 4000)}`);
    const result = JSON.parse(run.out) as FleetTriageResult;
    assert.equal(result.merged, 3, JSON.stringify(result.nodes));
    assert.deepEqual(
      swarm.nodes.map((n) => result.nodes.find((r) => r.nodeId === n.nodeId)?.host),
      ['node1', 'node2', 'node3'],
    );
    assert.deepEqual(result.cleanup.problems, []);
    assert.equal(result.cleanup.service, 'removed');
    assert.equal(result.cleanup.secret, 'removed');
    assert.deepEqual(
      swarm.nodes.map((n) => result.cleanup.images.find((i) => i.nodeId === n.nodeId)?.state),
      ['left-as-found', 'removed', 'removed'],
    );
    assert.deepEqual(leftovers(), ['collector image on node 1'], 'only the image node 1 had before is left, as found');
    docker(['rmi', imageId], { host: swarm.nodes[0]!.host });
    assert.match(
      run.err,
      new RegExp(
        `node ${swarm.nodes[0]!.hostname} image done: already present \\(it was there before the run: left as found afterwards\\)`,
      ),
    );
    // Progress per node was on stderr as it happened, in words.
    for (const n of swarm.nodes) assert.match(run.err, new RegExp(`node ${n.hostname} task done: complete`));
    assert.match(run.err, /: run key made: [0-9a-f]{64}\n/);
    assert.doesNotMatch(run.err, /task started|key done/);

    const core = createCore({ storeDir: store, examiner: 'test-examiner' });
    try {
      const kase = await core.evidence.resolveCase('Fleet');
      assert.equal(result.caseId, kase.id);
      // The run key recorded in the case before the run: the public half only.
      const keyArtifact = required(await core.evidence.getArtifact(result.fleetKey.artifactId), 'the fleet-key artifact');
      assert.equal(keyArtifact.kind, 'fleet-key');
      const recorded = JSON.parse((await readAll(core, keyArtifact.id)).toString('utf8')) as { publicKey: string; fingerprint: string };
      assert.equal(recorded.publicKey, result.fleetKey.publicKey);
      assert.doesNotMatch(JSON.stringify(recorded), /PRIVATE/);
      const examinerKey = core.evidence.signing.showKey();
      assert.notEqual(recorded.fingerprint, examinerKey.fingerprint, 'the run key is not the examiner key');

      for (const n of swarm.nodes) {
        const node = required(
          result.nodes.find((r) => r.nodeId === n.nodeId),
          `node ${n.index} in the result`,
        );
        const bundle = required(node.bundle, `node ${n.index}'s bundle`);
        // The bundle as stored, checked by hand against the run key recorded in the case.
        const bytes = await readAll(core, bundle.artifactId);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), bundle.sha256);
        const entries = await tarEntries(bytes);
        const manifest = required(entries.get('manifest.json'), 'manifest.json');
        const sig = required(entries.get('manifest.sig.json'), 'manifest.sig.json');
        assert.ok(signatureHolds(manifest, sig, recorded.publicKey), `node ${n.index}'s bundle is signed by the run key`);
        const stored = required(await core.evidence.getArtifact(bundle.artifactId), 'the fleet-bundle artifact');
        assert.equal(stored.kind, 'fleet-bundle');
        const counter = stored.attributes.countersignature as object;
        assert.ok(
          signatureHolds(manifest, Buffer.from(JSON.stringify(counter)), examinerKey.publicKey),
          'countersigned by the examiner key',
        );
        // The node's own evidence, merged: its inventory, and its drift report naming the dropped file.
        const fromNode = (await core.evidence.listArtifacts({ caseRef: kase.id, limit: 10_000 })).filter(
          (a) => (a.attributes.fleet as { nodeId?: string } | undefined)?.nodeId === n.nodeId,
        );
        assert.ok(
          fromNode.some((a) => a.kind === 'inventory-snapshot'),
          `node ${n.index}'s inventory`,
        );
        const drift = fromNode.find((a) => a.kind === 'drift-report');
        assert.ok(drift, `node ${n.index}'s drift report`);
        assert.match((await readAll(core, drift.id)).toString('utf8'), new RegExp(`/etc/dropped-on-node${n.index}`));
        assert.equal(drift.source.host, `node${n.index}`);
        assert.equal(fromNode.length, bundle.artifacts.length);
        // Recorded on the node under the examiner's name for that node, not the collector's "local".
        const inventory = required(
          fromNode.find((a) => a.kind === 'inventory-snapshot'),
          `node ${n.index}'s inventory`,
        );
        assert.equal(inventory.source.host, `node${n.index}`);
        const content = JSON.parse((await readAll(core, inventory.id)).toString('utf8')) as { host?: string };
        assert.equal(content.host, `node${n.index}`, `node ${n.index}'s inventory names node ${n.index}`);
      }
      // The merged timeline: each node's container rows name that node; none says "local".
      const lifecycle = (await core.timeline.page({ caseRef: kase.id, limit: 10_000 })).rows.filter((r) => r.source === 'lifecycle');
      for (const n of swarm.nodes) {
        const rows = lifecycle.filter((r) => r.container?.replace(/^\//, '') === `dd-ft-${n.index}`);
        assert.ok(rows.length > 0, `node ${n.index}'s container in the timeline`);
        assert.deepEqual([...new Set(rows.map((r) => r.host))], [`node${n.index}`]);
      }
      assert.ok(!lifecycle.some((r) => r.host === 'local'), 'no merged row says local');
      // Each node's inventory lists the collector's own container (the node's Docker socket mounted
      // in it): the timeline shows it as Drydock's, at info, never as a critical container.
      const fetched = new Set(
        (await core.evidence.auditEntries({ caseRef: kase.id, limit: 10_000 }))
          .filter((e) => e.action === 'fleet.bundle-fetched')
          .map((e) => String(e.details.containerId)),
      );
      const collectorRows = lifecycle.filter((r) => r.containerId !== undefined && fetched.has(r.containerId));
      assert.ok(collectorRows.length > 0, "the collectors' containers are in the merged inventories");
      for (const r of collectorRows) {
        assert.equal(r.severity, 'info', r.message);
        assert.match(r.message, /^\[Drydock's fleet collector, run /);
      }
      const report = await core.evidence.verify(kase.id);
      assert.ok(report.ok, JSON.stringify(report.problems.slice(0, 3)));
      // Each step audited, in the case's chain.
      const actions = (await core.evidence.auditEntries({ caseRef: kase.id, limit: 10_000 })).map((e) => e.action);
      const count = (a: string) => actions.filter((x) => x === a).length;
      for (const a of [
        'fleet.key-created',
        'fleet.secret-created',
        'fleet.service-created',
        'fleet.service-removed',
        'fleet.secret-removed',
        'fleet.triage',
        'fleet.key-destroyed',
      ])
        assert.equal(count(a), 1, a);
      for (const a of ['fleet.collector-loaded', 'fleet.task-ended', 'fleet.bundle-fetched', 'fleet.bundle-merged'])
        assert.equal(count(a), 3, a);
      assert.equal(count('fleet.collector-removed'), 2);
      assert.equal(count('fleet.collector-left-as-found'), 1);
      // The footprint names every change fleet triage made on each engine, the collector's own included.
      const fp = await core.evidence.footprint({ caseRef: kase.id });
      const on = (h: string) => fp.hosts.find((x) => x.host === h)?.actions.map((a) => a.action) ?? [];
      assert.deepEqual(
        on('node1').filter((a) => /^fleet\.(secret|service)-/.test(a)),
        ['fleet.secret-created', 'fleet.service-created', 'fleet.service-removed', 'fleet.secret-removed'],
      );
      for (const n of swarm.nodes) {
        const a = on(`node${n.index}`);
        for (const x of ['fleet.task-ended', 'fleet.collector-containers-removed', 'helper.created', 'helper.removed'])
          assert.ok(a.includes(x), `node${n.index}: ${x} in the footprint`);
        assert.ok(a.includes(n.index === 1 ? 'fleet.collector-left-as-found' : 'fleet.collector-removed'), `node${n.index}'s image`);
      }
      assert.ok(actions.indexOf('fleet.key-created') < actions.indexOf('fleet.service-created'), 'the key is recorded before the deploy');
      const loaded = (await core.evidence.auditEntries({ caseRef: kase.id, limit: 10_000 })).find(
        (e) => e.action === 'fleet.collector-loaded',
      );
      assert.equal((loaded?.details as { bundleSha256?: string }).bundleSha256, result.collector.sha256);
    } finally {
      await core.close();
    }
  });

  it('without an examiner key it stops at once: no prompt, no case, nothing deployed', () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'drydock-fleet-nokey-'));
    try {
      assert.equal(drydock(bare, ['hosts', 'add', 'node1', swarm.nodes[0]!.host]).code, 0);
      // No passphrase in the environment and none on stdin: a prompt would fail with exit 2.
      const run = drydock(bare, ['fleet', 'triage', '--host', 'node1', '--case', 'Nope', '--node-socket', nodeSocket], {
        env: { DRYDOCK_KEY_PASSPHRASE: '' },
      });
      assert.equal(run.code, 3, run.err);
      assert.match(run.err, /this evidence store has no examiner key: run `drydock key create` first; nothing was deployed/);
      assert.doesNotMatch(run.err, /bundle was written|passphrase/);
      const cases = drydock(bare, ['case', 'list', '--json']);
      assert.deepEqual((JSON.parse(cases.out) as { cases: unknown[] }).cases, [], 'no case was opened');
      assert.deepEqual(leftovers(), [], 'nothing deployed');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('reports a node that cannot be reached and keeps the other nodes\u2019 results', async () => {
    await swarm.killNode(3);
    const core = createCore({ storeDir: store, examiner: 'test-examiner' });
    const dispatch = createDispatcher(createHandlers(core));
    const seen: FleetProgressEvent[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event === 'fleet.progress') seen.push(payload as FleetProgressEvent);
    });
    try {
      const kase = core.evidence.createCase({ name: 'Fleet, node 3 lost' });
      const answer = await dispatch('fleet.triage', {
        host: 'node1',
        caseRef: kase.id,
        passphrase: PASSPHRASE,
        nodeSocket,
        timeoutSeconds: 300,
      });
      assert.ok(answer.ok, JSON.stringify(answer));
      const result = answer.value as FleetTriageResult;
      const state = swarm.nodes.map((n) => result.nodes.find((r) => r.nodeId === n.nodeId)?.state);
      assert.deepEqual(state, ['merged', 'merged', 'unreached'], JSON.stringify(result.nodes));
      const lost = result.nodes.find((r) => r.nodeId === swarm.nodes[2]!.nodeId);
      assert.match(lost?.error ?? '', new RegExp(`node ${swarm.nodes[2]!.hostname}`));
      assert.match(lost?.error ?? '', /node3/, 'names the profile that did not answer');
      assert.equal(result.merged, 2);
      assert.deepEqual(result.cleanup.problems, []);
      assert.equal((await core.evidence.listArtifacts({ caseRef: kase.id, kind: 'fleet-bundle' })).length, 2);
      assert.ok(seen.some((p) => p.step === 'merge' && p.state === 'done' && p.node === swarm.nodes[1]!.hostname));
      const audit = await core.evidence.auditEntries({ caseRef: kase.id, limit: 10_000 });
      assert.ok(
        audit.some((e) => e.action === 'fleet.node-unreached' && (e.details as { nodeId?: string }).nodeId === swarm.nodes[2]!.nodeId),
      );
      assert.deepEqual(leftovers(swarm.nodes.slice(0, 2)), [], 'nothing left on the nodes that were reached');
    } finally {
      off();
      await core.close();
    }
  });

  it('cancelled while the collectors run, keeps nothing running and removes the service, secret and image', async () => {
    const core = createCore({ storeDir: store, examiner: 'test-examiner' });
    const dispatch = createDispatcher(createHandlers(core));
    const runId = 'fr-cancel-test';
    let cancel: Promise<unknown> | undefined;
    const off = core.events.subscribe((event, payload) => {
      const p = payload as FleetProgressEvent;
      if (event === 'fleet.progress' && p.step === 'service' && p.state === 'done' && !cancel) cancel = dispatch('fleet.cancel', { runId });
    });
    try {
      const kase = core.evidence.createCase({ name: 'Fleet, cancelled' });
      const answer = await dispatch('fleet.triage', {
        host: 'node1',
        caseRef: kase.id,
        passphrase: PASSPHRASE,
        nodeSocket,
        timeoutSeconds: 300,
        runId,
      });
      assert.ok(answer.ok, JSON.stringify(answer));
      const result = answer.value as FleetTriageResult;
      assert.deepEqual(await cancel, { ok: true, value: { cancelled: true } });
      assert.ok(result.cancelled, 'the result says it was cancelled');
      assert.equal(result.merged, 0, 'cancelled before any collector was waited for');
      assert.deepEqual(
        swarm.nodes.map((n) => result.nodes.find((r) => r.nodeId === n.nodeId)?.state),
        ['cancelled', 'cancelled', 'unreached'],
      );
      assert.equal(result.cancelledNodes, 2);
      assert.equal(result.failed, 0);
      assert.deepEqual(result.cleanup.problems, []);
      assert.equal(result.cleanup.service, 'removed');
      assert.equal(result.cleanup.secret, 'removed');
      assert.deepEqual(leftovers(swarm.nodes.slice(0, 2)), [], 'nothing left on the nodes that were reached');
      const actions = (await core.evidence.auditEntries({ caseRef: kase.id, limit: 10_000 })).map((e) => e.action);
      for (const a of ['fleet.cancelled', 'fleet.service-removed', 'fleet.secret-removed', 'fleet.key-destroyed'])
        assert.ok(actions.includes(a), a);
      assert.equal(actions.filter((a) => a === 'fleet.collector-removed').length, 2);
      assert.ok(!actions.includes('fleet.bundle-merged'));
    } finally {
      off();
      await core.close();
    }
  });

  it('cancelled during the image load: no service or secret made, the nodes cancelled, the image removed', async () => {
    const core = createCore({ storeDir: store, examiner: 'test-examiner' });
    const dispatch = createDispatcher(createHandlers(core));
    const runId = 'fr-cancel-load-test';
    let cancel: Promise<unknown> | undefined;
    const after: FleetProgressEvent[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event !== 'fleet.progress') return;
      const p = payload as FleetProgressEvent;
      if (cancel) after.push(p);
      if (p.step === 'image' && p.state === 'started' && !cancel) cancel = dispatch('fleet.cancel', { runId });
    });
    try {
      const kase = core.evidence.createCase({ name: 'Fleet, cancelled while loading' });
      const answer = await dispatch('fleet.triage', {
        host: 'node1',
        caseRef: kase.id,
        passphrase: PASSPHRASE,
        nodeSocket,
        timeoutSeconds: 300,
        runId,
      });
      assert.ok(answer.ok, JSON.stringify(answer));
      const result = answer.value as FleetTriageResult;
      assert.deepEqual(await cancel, { ok: true, value: { cancelled: true } });
      assert.equal(result.cleanup.service, 'not-created');
      assert.equal(result.cleanup.secret, 'not-created');
      assert.ok(
        result.cleanup.images.length > 0 && result.cleanup.images.every((i) => i.state === 'removed'),
        JSON.stringify(result.cleanup),
      );
      assert.deepEqual(
        swarm.nodes.map((n) => result.nodes.find((r) => r.nodeId === n.nodeId)?.state),
        ['cancelled', 'cancelled', 'unreached'],
      );
      assert.equal(result.cancelledNodes, 2);
      assert.ok(!after.some((p) => p.step === 'task' || p.step === 'service' || p.step === 'secret'), JSON.stringify(after));
      assert.deepEqual(leftovers(swarm.nodes.slice(0, 2)), [], 'nothing left on the nodes that were reached');
    } finally {
      off();
      await core.close();
    }
  });

  it('through a registry the nodes can reach: pushed once by the manager, pulled by digest, merged the same', async () => {
    // A registry (Debian's docker-registry) on the nodes' link, in the manager node's network
    // namespace: reachable by the nodes only, as a registry inside a cluster is.
    const registryAddress = swarm.manager.address;
    const config = path.join(swarm.dir, 'registry.yml');
    writeFileSync(
      config,
      `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(swarm.dir, 'registry')}\nhttp:\n  addr: ${registryAddress}:5000\n`,
    );
    const registry = spawn('nsenter', [`--net=/run/netns/${swarm.manager.netns}`, 'docker-registry', 'serve', config], { stdio: 'ignore' });
    const core = createCore({ storeDir: store, examiner: 'test-examiner' });
    const dispatch = createDispatcher(createHandlers(core));
    try {
      await waitFor(
        () => {
          try {
            // Asked from another node's namespace: what matters is that the nodes reach it (busybox wget's -T crashes: the call has its own timeout).
            execFileSync(
              'nsenter',
              [
                `--net=/run/netns/${swarm.nodes[1]!.netns}`,
                'busybox',
                'wget',
                '-q',
                '-O',
                '/dev/null',
                `http://${registryAddress}:5000/v2/`,
              ],
              { stdio: 'ignore', timeout: 3000 },
            );
            return true;
          } catch {
            return false;
          }
        },
        { what: "the registry to answer on the nodes' link", timeoutMs: 30_000, intervalMs: 200 },
      );
      const kase = core.evidence.createCase({ name: 'Fleet, through a registry' });
      const answer = await dispatch('fleet.triage', {
        host: 'node1',
        caseRef: kase.id,
        passphrase: PASSPHRASE,
        nodeSocket,
        timeoutSeconds: 300,
        registry: `${registryAddress}:5000`,
      });
      assert.ok(answer.ok, JSON.stringify(answer));
      const result = answer.value as FleetTriageResult;
      assert.deepEqual(
        swarm.nodes.map((n) => result.nodes.find((r) => r.nodeId === n.nodeId)?.state),
        ['merged', 'merged', 'unreached'],
        JSON.stringify(result.nodes),
      );
      assert.deepEqual(result.cleanup.problems, []);
      const reference = required(result.cleanup.registry, 'the registry copy named').reference;
      assert.match(reference, new RegExp(`^${registryAddress.replace(/\./g, '\\.')}:5000/drydock/collector@sha256:[a-f0-9]{64}$`));
      const audit = await core.evidence.auditEntries({ caseRef: kase.id, limit: 10_000 });
      const actions = audit.map((e) => e.action);
      assert.equal(actions.filter((a) => a === 'fleet.collector-pushed').length, 1);
      assert.equal(actions.filter((a) => a === 'fleet.collector-loaded').length, 0, 'nothing loaded node by node');
      assert.equal(actions.filter((a) => a === 'fleet.collector-pulled').length, 2, 'each reachable node pulled it');
      const created = audit.find((e) => e.action === 'fleet.service-created');
      assert.equal((created?.details as { image?: string }).image, reference, 'the service ran the pushed image by digest');
      // The nodes pulled it, and it is gone from them (and from the manager that pushed it) again.
      assert.deepEqual(leftovers(swarm.nodes.slice(0, 2)), [], 'nothing left on the nodes that were reached');
      for (const n of swarm.nodes.slice(0, 2))
        assert.equal(docker(['images', '-q', `${registryAddress}:5000/drydock/collector`], { host: n.host }), '', `node ${n.index}`);
    } finally {
      registry.kill('SIGKILL');
      await core.close();
    }
  });

  it('Ctrl-C on drydock fleet triage cancels the run, removes what it deployed and exits 130', async () => {
    const child = drydockSpawn(store, ['fleet', 'triage', '--host', 'node1', '--case', 'Fleet', '--node-socket', nodeSocket], {
      env: { DRYDOCK_KEY_PASSPHRASE: PASSPHRASE },
    });
    let err = '';
    let out = '';
    let interrupted = false;
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      // Once the service is deployed: the collectors are running when Ctrl-C comes.
      if (!interrupted && /: service done/.test(err)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.ok(interrupted, `the run was interrupted\n${err}`);
    assert.equal(code, 130, `${err}\n${out}`);
    assert.match(err, /cancelling \(Ctrl-C\): what was merged is kept; removing the service, secret and image\n/);
    assert.doesNotMatch(err.slice(err.indexOf('cancelling (Ctrl-C)')), / task /, 'no task progress after the cancel');
    assert.match(out, /CANCELLED at /);
    assert.match(out, /: 0 nodes merged, 0 failed, 2 cancelled, 1 not reached/);
    assert.match(out, /^afterwards: service removed; secret removed; collector image removed from 2 of 2 nodes$/m);
    assert.deepEqual(leftovers(swarm.nodes.slice(0, 2)), [], 'nothing left on the nodes that were reached');
  });
});
