// Runs the benchmark scripts under test/bench (each prints its own ratios against a baseline
// measured in the same run). `npm run bench -- evidence` runs only files whose name matches.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv[2];
const dir = path.join(root, 'test', 'bench');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`run-bench: no benchmark matches '${filter ?? ''}'`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(dir, file)], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, TZ: 'UTC' },
  });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
