// Part of `npm run build`, after build:node and build:helper: builds the fleet collector image (the
// compiled CLI with Debian's node, loaded onto swarm nodes by `drydock fleet triage`) where it can
// be built — Debian or Ubuntu with the nodejs package — and otherwise says, in one sentence, why not
// and what to do, without failing the build: only `drydock fleet triage` needs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const script = path.join(root, 'resources', 'collector', 'build-collector.sh');
const installed = (pkg) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') ?? false;

if (!existsSync('/usr/bin/dpkg-query') || !installed('nodejs')) {
  console.log(
    "build-collector-bundle: the fleet collector image was not built because this is not a Debian/Ubuntu machine with the nodejs package; `drydock fleet triage` needs it: run `npm run collector-bundle` on one (same architecture as the swarm's nodes) and copy resources/collector/drydock-collector.{tar,json} here.",
  );
  process.exit(0);
}
const result = spawnSync('bash', [script], { stdio: 'inherit' });
process.exit(result.status ?? 1);
