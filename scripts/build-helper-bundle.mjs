// Part of `npm run build`: builds the capture-helper bundle (the offline tcpdump + busybox image
// Drydock loads onto hosts for capture, connections and process reads) where it can be built —
// Debian or Ubuntu with Debian's tcpdump and busybox-static installed — and otherwise says, in one
// sentence, why not and what to do, without failing the build: the CLI's other commands and the
// UI work without it, and the packaged desktop app ships a bundle per architecture.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const script = path.join(root, 'resources', 'capture-helper', 'build-bundle.sh');
const installed = (pkg) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') ?? false;

if (!existsSync('/usr/bin/dpkg-query')) {
  console.log(
    'build-helper-bundle: not a Debian/Ubuntu machine, so the capture helper bundle was not built; capture and connections need it: build it on Debian/Ubuntu with `npm run helper-bundle` and copy resources/capture-helper/drydock-capture-helper.{tar,json} here, or use the packaged app, which ships one.',
  );
  process.exit(0);
}
const missing = ['tcpdump', 'yara', 'nftables', 'busybox-static'].filter((pkg) => !installed(pkg));
if (missing.length) {
  console.log(
    `build-helper-bundle: the capture helper bundle was not built because Debian's ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed: run \`sudo apt-get install -y tcpdump yara nftables busybox-static && npm run helper-bundle\` before capturing.`,
  );
  process.exit(0);
}
const result = spawnSync('bash', [script], { stdio: 'inherit' });
process.exit(result.status ?? 1);
