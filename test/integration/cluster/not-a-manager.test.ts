// An engine in no swarm (the machine's own, which the tests keep out of swarm mode) is refused by
// the cluster commands in the core's own words: pointed at a manager, never told to create or join
// a swarm, and with no front end's wording (no "in the app" on the command line, no "--host" in the app).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { drydock } from '../../helpers/cli';

describe('cluster commands on an engine in no swarm', () => {
  const store = mkdtempSync(path.join(tmpdir(), 'drydock-not-manager-'));
  after(() => rmSync(store, { recursive: true, force: true }));

  it('say what to give Drydock in neutral words', () => {
    const run = drydock(store, ['cluster', 'nodes', '--host', 'unix:///var/run/docker.sock']);
    assert.notEqual(run.code, 0);
    assert.match(
      run.err,
      /is not a swarm manager: it is not in a swarm \(Swarm\.LocalNodeState inactive\); give Drydock a manager of the swarm under investigation as its host/,
    );
    assert.doesNotMatch(run.err, /in the app|choose that manager|swarm init|join it/);
    const json = drydock(store, ['cluster', 'nodes', '--host', 'unix:///var/run/docker.sock', '--json']);
    const error = (JSON.parse(json.out) as { error: { kind: string; message: string } }).error;
    assert.equal(error.kind, 'unsupported');
    assert.doesNotMatch(error.message, /in the app|--host/);
  });
});
