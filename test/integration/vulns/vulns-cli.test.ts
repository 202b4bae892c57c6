// Offline vulnerability matching through the built CLI, against OSV databases this test writes:
// nothing imported means "not scanned", never "no vulnerabilities"; an import is verified (its
// SHA-256 against the one given, every entry's CRC) and recorded in the case; records match only
// their own release (Debian:12, not Debian:11; RHEL 9, not 8) with each ecosystem's ordering
// (a source version equal to the fix, a last_affected below the installed version); a package
// added at runtime is told apart from the image's; a stale database warns on every finding.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import type { ArtifactInfo, AuditEntry } from '../../../shared/domain/evidence';
import type { VulnDbImportResult, VulnDbStatus, VulnReport } from '../../../shared/domain/vulns';
import { drydock } from '../../helpers/cli';
import { docker, removeContainers, runContainer } from '../../helpers/docker';

const DPKG = 'drydock-fixture/sbom-dpkg:1';
const APK = 'drydock-fixture/sbom-apk:1';
const RPM = 'drydock-fixture/sbom-rpm:1';

type Osv = Record<string, unknown>;

function record(id: string, modified: string, affected: Osv[], extra: Osv = {}): Osv {
  return { schema_version: '1.6.0', id, modified, published: modified, aliases: [], affected, ...extra };
}

function range(events: Osv[], type = 'ECOSYSTEM'): Osv[] {
  return [{ type, events }];
}

/** An OSV export as the OSV project publishes it: one <ID>.json per record in a zip. */
async function writeZip(file: string, entries: { name: string; body: string }[]): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.body), e.name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const outStream = createWriteStream(file);
    zip.outputStream.pipe(outStream).on('close', resolve).on('error', reject);
  });
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function json<T>(run: { code: number | null; out: string; err: string }): T {
  assert.equal(run.code, 0, run.err);
  return JSON.parse(run.out) as T;
}

describe('drydock vulndb and vulns', () => {
  let store: string;
  let work: string;
  let distros = '';
  let distrosSha = '';
  let languages = '';
  let damaged = '';
  let runtime = '';
  const now = new Date().toISOString();
  const old = '2020-01-01T00:00:00Z';

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'ddvulns-'));
    work = mkdtempSync(path.join(tmpdir(), 'ddvulns-work-'));
    const distroRecords = [
      record(
        'DSA-5532-1',
        now,
        [
          {
            package: { ecosystem: 'Debian:12', name: 'openssl' },
            ranges: range([{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]),
            ecosystem_specific: { urgency: 'high' },
          },
        ],
        { aliases: ['CVE-2023-5363'], summary: 'openssl: incorrect cipher key and IV length processing' },
      ),
      // Another release's record of the same package: never a finding on Debian 12.
      record('DLA-9999-1', now, [
        { package: { ecosystem: 'Debian:11', name: 'openssl' }, ranges: range([{ introduced: '0' }, { fixed: '9.9.9-1' }]) },
      ]),
      // Fixed in exactly the installed source version (the binary is a binNMU, 1:1.2.13.dfsg-1+b1).
      record('DSA-0001-1', now, [
        { package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: range([{ introduced: '0' }, { fixed: '1:1.2.13.dfsg-1' }]) },
      ]),
      // Last affected below what is installed.
      record('DEBIAN-CVE-2000-0001', now, [
        {
          package: { ecosystem: 'Debian:12', name: 'base-files' },
          ranges: range([{ introduced: '0' }, { last_affected: '12.4+deb12u4' }]),
        },
      ]),
      record(
        'DSA-5587-1',
        now,
        [{ package: { ecosystem: 'Debian:12', name: 'curl' }, ranges: range([{ introduced: '0' }, { fixed: '7.88.1-10+deb12u6' }]) }],
        {
          aliases: ['CVE-2023-46218'],
        },
      ),
      record(
        'ALPINE-CVE-2023-2975',
        now,
        [{ package: { ecosystem: 'Alpine:v3.18', name: 'openssl' }, ranges: range([{ introduced: '0' }, { fixed: '3.1.1-r2' }]) }],
        {
          aliases: ['CVE-2023-2975'],
        },
      ),
      record('ALPINE-CVE-2023-0001', now, [
        { package: { ecosystem: 'Alpine:v3.17', name: 'openssl' }, ranges: range([{ introduced: '0' }, { fixed: '9.0.0-r0' }]) },
      ]),
      record(
        'RHSA-2024:0001',
        now,
        [
          {
            package: { ecosystem: 'Red Hat:enterprise_linux:9::baseos', name: 'drydock-probe' },
            ranges: range([{ introduced: '0' }, { fixed: '2:1.2.3-5.el9' }]),
          },
        ],
        { database_specific: { severity: 'Important' } },
      ),
      record('RHSA-2023:0002', now, [
        {
          package: { ecosystem: 'Red Hat:enterprise_linux:8::baseos', name: 'drydock-probe-libs' },
          ranges: range([{ introduced: '0' }, { fixed: '3:0-1.el8' }]),
        },
      ]),
    ];
    distros = path.join(work, 'distros-all.zip');
    distrosSha = await writeZip(distros, [
      ...distroRecords.map((r) => ({ name: `${String(r.id)}.json`, body: JSON.stringify(r) })),
      { name: 'README.txt', body: 'not a record' },
    ]);
    languages = path.join(work, 'languages-all.zip');
    await writeZip(languages, [
      {
        name: 'GHSA-35jh-r3h4-6jhm.json',
        body: JSON.stringify(
          record(
            'GHSA-35jh-r3h4-6jhm',
            old,
            [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: range([{ introduced: '0' }, { fixed: '4.17.21' }], 'SEMVER') }],
            {
              aliases: ['CVE-2021-23337'],
              database_specific: { severity: 'HIGH' },
            },
          ),
        ),
      },
      {
        name: 'GHSA-j8r2-6x86-q33q.json',
        body: JSON.stringify(
          record('GHSA-j8r2-6x86-q33q', old, [{ package: { ecosystem: 'PyPI', name: 'requests' }, versions: ['2.30.0', '2.31.0'] }]),
        ),
      },
    ]);
    // The same archive with one byte of its first entry's compressed data changed.
    const bytes = readFileSync(distros);
    const at = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28) + 5;
    bytes[at] = (bytes[at] as number) ^ 0xff;
    damaged = path.join(work, 'damaged-all.zip');
    writeFileSync(damaged, bytes);
    // curl "installed" after start, libssl3 upgraded past the openssl fix.
    runtime = runContainer([
      '--name',
      `ddvulns-runtime-${process.pid}`,
      DPKG,
      'sh',
      '-c',
      `printf '\\nPackage: curl\\nStatus: install ok installed\\nArchitecture: amd64\\nVersion: 7.88.1-10+deb12u5\\n' >>/var/lib/dpkg/status && sed -i 's/^Version: 3.0.11-1~deb12u1$/Version: 3.0.11-1~deb12u2/' /var/lib/dpkg/status`,
    ]);
    assert.equal(docker(['wait', runtime]), '0');
    assert.equal(drydock(store, ['case', 'create', '--name', 'vulns-audit']).code, 0);
  });

  after(() => {
    removeContainers([runtime]);
    rmSync(store, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('says "not scanned" for every ecosystem while no database is imported, never "no vulnerabilities"', () => {
    const run = drydock(store, ['vulns', DPKG, '--no-record']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /deb: 4 packages NOT SCANNED: no Debian OSV database imported/);
    assert.match(run.out, /npm: 2 packages NOT SCANNED/);
    assert.match(run.out, /pypi: 1 package NOT SCANNED/);
    assert.doesNotMatch(run.out, /no vulnerabilit/i);
    const status = drydock(store, ['vulndb', 'status']);
    assert.match(status.out, /No vulnerability database imported/);
  });

  it('refuses an archive whose SHA-256 is not the one given, or whose entry fails its CRC, and imports nothing', () => {
    const wrong = drydock(store, ['vulndb', 'import', distros, '--sha256', '0'.repeat(64)]);
    assert.equal(wrong.code, 5, wrong.err);
    assert.match(wrong.err, new RegExp(`has SHA-256 ${distrosSha}, not the expected 0{64}: not imported`));
    const crc = drydock(store, ['vulndb', 'import', damaged]);
    assert.equal(crc.code === 5 || crc.code === 2, true, crc.err);
    assert.match(crc.err, /damaged-all\.zip/);
    assert.deepEqual(json<VulnDbStatus>(drydock(store, ['vulndb', 'status', '--json'])).imports, []);
  });

  it('imports verified exports, records them in the case, and reports their age', () => {
    const result = json<VulnDbImportResult>(drydock(store, ['vulndb', 'import', distros, '--sha256', distrosSha, '--json']));
    assert.equal(result.import.sha256, distrosSha);
    assert.equal(result.import.records, 9);
    assert.deepEqual(result.import.ecosystems, { Debian: 5, Alpine: 2, 'Red Hat': 2 });
    assert.equal(result.rejected, 1, 'README.txt is not a record');
    assert.ok(result.caseId, 'recorded in the open case');
    json<VulnDbImportResult>(drydock(store, ['vulndb', 'import', languages, '--json']));
    const status = json<VulnDbStatus>(drydock(store, ['vulndb', 'status', '--json']));
    assert.deepEqual(status.current.map((c) => c.ecosystem).sort(), ['Alpine', 'Debian', 'PyPI', 'Red Hat', 'npm']);
    assert.equal(status.current.find((c) => c.ecosystem === 'Debian')?.ageDays, 0);
    assert.ok((status.current.find((c) => c.ecosystem === 'npm')?.ageDays ?? 0) > 365);
    const audit = drydock(store, ['case', 'audit', '--json'])
      .out.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry)
      .filter((e) => e.action === 'vulndb.imported');
    assert.equal(audit.length, 2);
    assert.equal(audit[0]?.details.sha256, distrosSha);
    assert.equal(audit[0]?.details.source, 'distros-all.zip');
  });

  it("matches an image's packages against their own release with each ecosystem's ordering, and warns on every finding of a stale database", () => {
    const report = json<VulnReport>(drydock(store, ['vulns', DPKG, '--max-age', '30', '--json']));
    const found = report.findings.map((f) => `${f.id} ${f.package.name} ${f.fixedVersion ?? '-'} ${f.origin}`).sort();
    assert.deepEqual(found, [
      'DSA-5532-1 libssl3 3.0.11-1~deb12u2 image',
      'GHSA-35jh-r3h4-6jhm lodash 4.17.21 image',
      'GHSA-j8r2-6x86-q33q Requests - image',
    ]);
    const ssl = report.findings.find((f) => f.id === 'DSA-5532-1');
    assert.deepEqual(ssl?.aliases, ['CVE-2023-5363']);
    assert.equal(ssl?.severity, 'high');
    assert.equal(ssl?.osvEcosystem, 'Debian:12');
    assert.equal(ssl?.staleWarning, undefined, 'the Debian database is fresh');
    for (const f of report.findings.filter((x) => x.package.ecosystem !== 'deb'))
      assert.match(f.staleWarning ?? '', /days old .* over the 30-day threshold/);
    assert.equal(report.findings.find((f) => f.id === 'GHSA-35jh-r3h4-6jhm')?.severity, 'HIGH');
    const deb = report.coverage.find((c) => c.ecosystem === 'deb');
    assert.equal(deb?.state, 'scanned');
    assert.equal(deb?.database?.sha256, distrosSha);
    assert.ok(report.stored, 'stored in the case');
  });

  it('tells a package added at runtime from the image’s, and a package upgraded past the fix', () => {
    const run = drydock(store, ['vulns', runtime]);
    assert.equal(run.code, 0, run.err);
    assert.match(
      run.out,
      /DSA-5587-1\s+CVE-2023-46218\s+curl\s+7\.88\.1-10\+deb12u5\s+7\.88\.1-10\+deb12u6\s+runtime \(added after start\)/,
    );
    assert.doesNotMatch(run.out, /DSA-5532-1/, 'libssl3 was upgraded to the fixed version');
    assert.match(run.out, /Warning: .*languages-all\.zip.* over the 30-day threshold/);
  });

  it('matches Alpine by origin and release, and Red Hat by EVR and release', () => {
    const alpine = json<VulnReport>(drydock(store, ['vulns', APK, '--json', '--no-record']));
    assert.deepEqual(
      alpine.findings.map((f) => [f.id, f.package.name, f.osvPackage, f.fixedVersion]),
      [['ALPINE-CVE-2023-2975', 'libcrypto3', 'openssl', '3.1.1-r2']],
    );
    const rhel = json<VulnReport>(drydock(store, ['vulns', RPM, '--json', '--no-record']));
    assert.deepEqual(
      rhel.findings.map((f) => [f.id, f.package.name, f.package.version, f.fixedVersion, f.severity]),
      [['RHSA-2024:0001', 'drydock-probe', '2:1.2.3-4.el9', '2:1.2.3-5.el9', 'Important']],
    );
  });

  it('stores each recorded report in the case, naming the databases it used', () => {
    const listed = json<ArtifactInfo[]>(drydock(store, ['evidence', 'list', '--json'])).filter((a) => a.kind === 'vulnerability-report');
    assert.equal(listed.length, 2);
    const entries = drydock(store, ['case', 'audit', '--json'])
      .out.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry)
      .filter((e) => e.action === 'vulns.scanned');
    assert.equal(entries.length, 2);
    assert.ok(JSON.stringify(entries[0]?.details.databases).includes(distrosSha));
  });
});
