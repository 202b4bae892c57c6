// The long fuzz budget: the same property tests as the unit suite's test/unit/fuzz/, with
// FUZZ_RUNS inputs per property (default 20000) and no per-file time cap.
//   FUZZ_RUNS=100000 npm run fuzz        FUZZ_SEED=123 npm run fuzz   (replay a printed seed)
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = { ...process.env, FUZZ_RUNS: process.env.FUZZ_RUNS ?? '20000' };
const result = spawnSync(process.execPath, [path.join(root, 'scripts/run-tests.mjs'), 'unit', 'fuzz'], {
  stdio: 'inherit',
  cwd: root,
  env,
});
process.exit(result.status ?? 1);
