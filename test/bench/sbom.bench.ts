// SBOM and offline vulnerability matching at a realistic size: the Debian minbase image's SBOM
// read through the engine and matched against a generated OSV Debian export of 50,000 records, in
// seconds and peak RSS, set against reading the same package database with `dpkg-query -W` in the
// same run (the image's /var/lib/dpkg copied out with `docker cp`, then queried on this machine).
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yazl from 'yazl';

const IMAGE = process.env.DRYDOCK_BENCH_SBOM_IMAGE ?? 'drydock-fixture/debian:bookworm';
const RECORDS = Number(process.env.DRYDOCK_BENCH_OSV_RECORDS ?? 50_000);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Sources and versions of the image, so a share of the generated records name real packages. */
function imageSources(dpkgDir: string): { source: string; version: string }[] {
  return execFileSync('dpkg-query', ['--admindir', dpkgDir, '-W', '-f', '${source:Package} ${source:Version}\\n'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => {
      const [source = '', version = ''] = line.split(' ');
      return { source, version };
    });
}

async function writeOsv(file: string, real: { source: string; version: string }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  const modified = new Date().toISOString();
  for (let i = 0; i < RECORDS; i++) {
    // One record in ten names a package of the image; the rest, packages it does not have.
    const pkg =
      i % 10 === 0 ? (real[i % real.length] as { source: string; version: string }) : { source: `pkg-${i % 9000}`, version: '1.0-1' };
    const fixed = i % 20 === 0 ? `${pkg.version}+deb12u9` : `0.${i % 7}-1`;
    const record = {
      schema_version: '1.6.0',
      id: `DEBIAN-CVE-2024-${String(i).padStart(6, '0')}`,
      modified,
      aliases: [`CVE-2024-${String(i).padStart(6, '0')}`],
      summary: `generated record ${i}`,
      affected: [
        {
          package: {
            ecosystem: i % 4 === 1 ? 'Debian:11' : 'Debian:12',
            name: pkg.source,
            purl: `pkg:deb/debian/${pkg.source}?arch=source`,
          },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
          ecosystem_specific: { urgency: 'medium' },
        },
      ],
    };
    zip.addBuffer(Buffer.from(JSON.stringify(record)), `${record.id}.json`);
  }
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject));
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'drydock-sbom-bench-'));
  try {
    // Baseline: the package database copied out of the image and listed by dpkg-query.
    const start = process.hrtime.bigint();
    const created = execFileSync('docker', ['create', IMAGE], { encoding: 'utf8' }).trim();
    try {
      execFileSync('docker', ['cp', `${created}:/var/lib/dpkg`, path.join(work, 'dpkg')]);
    } finally {
      execFileSync('docker', ['rm', created]);
    }
    const copySeconds = seconds(start);
    const zipFile = path.join(work, 'Debian-all.zip');
    await writeOsv(zipFile, imageSources(path.join(work, 'dpkg')));

    const child = execFileSync(
      '/usr/bin/time',
      ['-f', 'TIME %e %M', process.execPath, '--import', 'tsx', path.join(__dirname, 'sbom-child.ts'), zipFile, IMAGE],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const measured = JSON.parse(child.split('\n').find((l) => l.startsWith('{')) ?? '{}') as {
      records: number;
      packages: number;
      findings: number;
      importSeconds: number;
      sbomSeconds: number;
      matchSeconds: number;
      maxRssKiB: number;
    };
    const dpkgQuery = execFileSync(
      'sh',
      ['-c', `/usr/bin/time -f 'TIME %e %M' dpkg-query --admindir '${path.join(work, 'dpkg')}' -W 2>&1 >/dev/null`],
      {
        encoding: 'utf8',
      },
    );
    const [, qs = 'NaN', qrss = 'NaN'] = /TIME (\S+) (\S+)/.exec(dpkgQuery) ?? [];
    const baselineSeconds = copySeconds + Number(qs);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a');
    console.log(`image ${IMAGE}: ${measured.packages} packages; OSV export of ${measured.records} records, ${measured.findings} findings`);
    console.log(
      `baseline: docker create + cp /var/lib/dpkg ${copySeconds.toFixed(2)} s, dpkg-query -W ${Number(qs).toFixed(3)} s, peak RSS ${qrss} KiB`,
    );
    console.log(
      `import of the OSV export: ${measured.importSeconds.toFixed(2)} s (${Math.round(measured.records / measured.importSeconds)} records/s)`,
    );
    console.log(
      `SBOM through the engine: ${measured.sbomSeconds.toFixed(2)} s (${ratio(measured.sbomSeconds, baselineSeconds)} the copy + dpkg-query baseline); matching: ${measured.matchSeconds.toFixed(3)} s`,
    );
    console.log(
      `peak RSS of the Drydock process (import, SBOM, matching): ${measured.maxRssKiB} KiB (${ratio(measured.maxRssKiB, Number(qrss))} dpkg-query's)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
