// The measured side of sbom.bench.ts, in a process of its own so its peak RSS is its own: imports
// the generated OSV export, reads the image's SBOM through the engine, matches it; prints JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCore } from '../../main/app/core';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const [zip, image] = process.argv.slice(2) as [string, string];
  const storeDir = mkdtempSync(path.join(tmpdir(), 'drydock-sbom-bench-'));
  const core = createCore({ storeDir, examiner: 'bench' });
  try {
    core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    let start = process.hrtime.bigint();
    const imported = await core.vulns.importDb(zip);
    const importSeconds = seconds(start);
    start = process.hrtime.bigint();
    const { sbom } = await core.sbom.packages('local', image);
    const sbomSeconds = seconds(start);
    start = process.hrtime.bigint();
    const report = core.vulns.match(sbom, undefined, 30);
    const matchSeconds = seconds(start);
    console.log(
      JSON.stringify({
        records: imported.import.records,
        packages: sbom.packages.length,
        findings: report.findings.length,
        importSeconds,
        sbomSeconds,
        matchSeconds,
        maxRssKiB: process.resourceUsage().maxRSS,
      }),
    );
  } finally {
    await core.close();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

void main();
