// Runs Drydock's test suites with Node's own test runner (TypeScript through tsx).
//   node scripts/run-tests.mjs [unit|integration|ui|all] [file filter]
// Integration and UI suites need a Docker engine and the fixture images; this script builds the
// images first (offline, idempotent) so a fresh machine needs nothing else.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const suite = process.argv[2] ?? 'all';
const filter = process.argv[3];
const suites = suite === 'all' ? ['unit', 'integration', 'ui'] : [suite];

function findTests(dir) {
  let found = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const entry of entries.sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found = found.concat(findTests(full));
    else if (entry.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

const files = suites.flatMap((s) => findTests(path.join(root, 'test', s))).filter((f) => !filter || f.includes(filter));
if (files.length === 0) {
  console.error(`run-tests: no test files for suite '${suite}'${filter ? ` matching '${filter}'` : ''}`);
  process.exit(1);
}

if (suites.some((s) => s !== 'unit') && !process.env.DRYDOCK_SKIP_FIXTURES) {
  const fixtures = spawnSync('bash', [path.join(root, 'test/fixtures/build-images.sh')], { stdio: 'inherit' });
  if (fixtures.status !== 0) {
    console.error('run-tests: building the fixture images failed (is dockerd running? see the output above)');
    process.exit(fixtures.status ?? 1);
  }
  // The capture helper image Drydock loads onto hosts (offline, idempotent; gitignored).
  const bundle = spawnSync('bash', [path.join(root, 'resources/capture-helper/build-bundle.sh')], { stdio: 'inherit' });
  if (bundle.status !== 0) {
    console.error('run-tests: building the capture helper bundle failed (needs tcpdump and busybox-static; see above)');
    process.exit(bundle.status ?? 1);
  }
  // The fleet collector image (the built CLI, node and the helper bundle above; offline, gitignored).
  const collector = spawnSync('bash', [path.join(root, 'resources/collector/build-collector.sh')], { stdio: 'inherit' });
  if (collector.status !== 0) {
    console.error("run-tests: building the fleet collector image failed (needs dist/ built and Debian's nodejs; see above)");
    process.exit(collector.status ?? 1);
  }
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=900000', '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, TZ: 'UTC' } },
);
process.exit(result.status ?? 1);
