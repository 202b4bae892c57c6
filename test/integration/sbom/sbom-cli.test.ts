// SBOMs through the built `drydock sbom`: the Debian minbase image's packages exactly as dpkg-query
// inside it lists them; dpkg (status and status.d), apk and rpm (SQLite) databases and Python and
// npm manifests with their Package URLs; a container's runtime package drift beside its image's;
// CycloneDX 1.5 and SPDX 2.3 documents stored in the case and written out; hostile databases
// stated, never fatal; no helper container left behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ArtifactInfo, AuditEntry } from '../../../shared/domain/evidence';
import type { SbomResult } from '../../../shared/domain/sbom';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';

const DEBIAN = 'drydock-fixture/debian:bookworm';
const DPKG = 'drydock-fixture/sbom-dpkg:1';
const APK = 'drydock-fixture/sbom-apk:1';
const RPM = 'drydock-fixture/sbom-rpm:1';

function sbom(store: string, args: string[]): SbomResult {
  const run = drydock(store, ['sbom', ...args, '--json']);
  assert.equal(run.code, 0, run.err);
  return JSON.parse(run.out) as SbomResult;
}

function sbomHelpers(): string {
  return docker(['ps', '-a', '--filter', 'name=drydock-sbom-', '--format', '{{.Names}}']);
}

describe('drydock sbom', () => {
  let store: string;
  let out: string;
  const containers: string[] = [];
  let drifted = '';
  let hostile = '';

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddsbom-'));
    out = mkdtempSync(path.join(tmpdir(), 'ddsbom-out-'));
    // After start: curl "installed", libssl3 upgraded, base-files removed (the status file edited as dpkg would leave it).
    const script = [
      `printf '\\nPackage: curl\\nStatus: install ok installed\\nArchitecture: amd64\\nVersion: 7.88.1-10+deb12u5\\n' >>/var/lib/dpkg/status`,
      'sed -i "s/^Version: 3.0.11-1~deb12u1$/Version: 3.0.11-1~deb12u2/; /^Package: base-files$/,/^$/ s/^Status: .*/Status: deinstall ok config-files/" /var/lib/dpkg/status',
    ].join(' && ');
    drifted = runContainer(['--name', `ddsbom-drift-${process.pid}`, DPKG, 'sh', '-c', script]);
    const evil = [
      'mkdir -p /var/lib/dpkg /var/lib/rpm',
      `printf 'Package: \\033]0;pwned\\007evil\\nStatus: install ok installed\\nVersion: 1\\n\\nno colon here\\n\\nStatus: install ok installed\\n' >/var/lib/dpkg/status`,
      'printf "SQLite format 3\\000" >/var/lib/rpm/rpmdb.sqlite',
      'head -c 8192 /dev/urandom >>/var/lib/rpm/rpmdb.sqlite',
    ].join(' && ');
    hostile = runContainer(['--name', `ddsbom-hostile-${process.pid}`, BUSYBOX, 'sh', '-c', evil]);
    containers.push(drifted, hostile);
    for (const id of containers) assert.equal(docker(['wait', id]), '0');
  });

  after(() => {
    removeContainers(containers);
    rmSync(store, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it("lists the Debian minbase image's packages exactly as dpkg-query inside it does, and leaves no helper behind", () => {
    const result = sbom(store, [DEBIAN, '--no-record']);
    const reference = docker([
      'run',
      '--rm',
      '--network',
      'none',
      DEBIAN,
      'dpkg-query',
      '-W',
      '-f',
      '${Package} ${Version} ${Architecture} ${source:Package}\\n',
    ])
      .split('\n')
      .sort();
    const ours = result.sbom.packages.map((p) => `${p.name} ${p.version} ${p.architecture ?? ''} ${p.sourceName ?? p.name}`).sort();
    assert.ok(reference.length > 50, 'minbase has its packages');
    assert.deepEqual(ours, reference);
    assert.equal(result.sbom.os?.id, 'debian');
    assert.equal(result.sbom.os?.versionId, '12');
    assert.equal(result.stored, undefined, '--no-record stores nothing');
    const dpkg = result.sbom.packages.find((p) => p.name === 'dpkg');
    assert.match(dpkg?.purl ?? '', /^pkg:deb\/debian\/dpkg@[^?]+\?arch=amd64&distro=debian-12$/);
    assert.equal(sbomHelpers(), '', 'the never-started helper of the image is removed');
  });

  it('reads dpkg status and status.d, Python and npm manifests, and says an rpm Berkeley DB is not read', () => {
    const { sbom: s } = sbom(store, [DPKG, '--no-record']);
    const purls = s.packages.map((p) => p.purl).sort();
    assert.deepEqual(
      purls,
      [
        'pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12',
        'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12',
        'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12',
        'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1%2Bb1?arch=amd64&distro=debian-12',
        'pkg:npm/%40babel/core@7.22.0',
        'pkg:npm/lodash@4.17.20',
        'pkg:pypi/requests@2.31.0',
      ]
        .sort()
        .map((p) => purls.find((q) => decodeURIComponent(q) === decodeURIComponent(p)) ?? p),
    );
    assert.ok(!s.packages.some((p) => p.name === 'oldtool'), 'a package with only its config files left is not installed');
    const ssl = s.packages.find((p) => p.name === 'libssl3');
    assert.equal(ssl?.sourceName, 'openssl');
    const zlib = s.packages.find((p) => p.name === 'zlib1g');
    assert.deepEqual([zlib?.sourceName, zlib?.sourceVersion], ['zlib', '1:1.2.13.dfsg-1']);
    assert.equal(s.packages.find((p) => p.name === 'tzdata')?.foundIn, '/var/lib/dpkg/status.d/tzdata');
    const bdb = s.databases.find((d) => d.format === 'rpm-berkeley-db');
    assert.equal(bdb?.state, 'not-read');
    assert.ok(
      s.limitations.some((l) => /Berkeley DB .* not read/.test(l)),
      s.limitations.join('\n'),
    );
  });

  it("reads apk's installed database with its origins, and rpm's SQLite database with epochs and source rpms", () => {
    const apk = sbom(store, [APK, '--no-record']).sbom;
    assert.deepEqual(
      apk.packages.map((p) => [p.purl, p.sourceName]),
      [
        ['pkg:apk/alpine/libcrypto3@3.1.1-r1?arch=x86_64&distro=3.18.2', 'openssl'],
        ['pkg:apk/alpine/musl@1.2.4-r1?arch=x86_64&distro=3.18.2', 'musl'],
      ],
    );
    const rpm = sbom(store, [RPM, '--no-record']).sbom;
    assert.deepEqual(
      rpm.packages.map((p) => [p.name, p.version, p.architecture, p.sourceName, p.purl]),
      [
        [
          'drydock-probe',
          '2:1.2.3-4.el9',
          'noarch',
          'drydock-probe',
          'pkg:rpm/redhat/drydock-probe@1.2.3-4.el9?arch=noarch&distro=rhel-9.2&epoch=2',
        ],
        [
          'drydock-probe-libs',
          '2:1.2.3-4.el9',
          'noarch',
          'drydock-probe',
          'pkg:rpm/redhat/drydock-probe-libs@1.2.3-4.el9?arch=noarch&distro=rhel-9.2&epoch=2',
        ],
      ],
    );
    // The reference: this machine's rpm reading the same database, copied out of the image.
    const dbDir = mkdtempSync(path.join(out, 'rpmdb-'));
    const copy = docker(['create', RPM]);
    try {
      docker(['cp', `${copy}:/var/lib/rpm/rpmdb.sqlite`, path.join(dbDir, 'rpmdb.sqlite')]);
    } finally {
      docker(['rm', copy]);
    }
    const reference = execFileSync(
      'rpm',
      ['--dbpath', dbDir, '-qa', '--qf', '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n'],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .sort();
    assert.deepEqual(
      rpm.packages
        .map((p) => `${p.name} ${p.version} ${p.architecture ?? ''} ${p.sourceName ?? ''}-${p.sourceVersion ?? ''}.src.rpm`)
        .sort(),
      reference,
    );
    assert.equal(rpm.databases[0]?.state, 'read');
  });

  it("shows a container's runtime package drift beside its image's, and stores CycloneDX 1.5 and SPDX 2.3 in the case", () => {
    const cdxFile = path.join(out, 'c.cdx.json');
    const run = drydock(store, ['sbom', drifted, '--format', 'cyclonedx', '--out', cdxFile]);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /Runtime package drift: 1 added, 1 removed, 1 changed/);
    assert.match(run.out, /deb\s+curl\s+-\s+7\.88\.1-10\+deb12u5\s+added at runtime/);
    assert.match(run.out, /deb\s+libssl3\s+3\.0\.11-1~deb12u1\s+3\.0\.11-1~deb12u2\s+changed at runtime/);
    assert.match(run.out, /deb\s+base-files\s+12\.4\+deb12u5\s+-\s+removed at runtime/);
    const cdx = JSON.parse(readFileSync(cdxFile, 'utf8')) as {
      bomFormat: string;
      specVersion: string;
      metadata: { component: { type: string; name: string } };
      components: { name: string; version: string; purl: string }[];
    };
    assert.equal(cdx.bomFormat, 'CycloneDX');
    assert.equal(cdx.specVersion, '1.5');
    assert.equal(cdx.metadata.component.type, 'container');
    assert.ok(cdx.components.some((c) => c.name === 'curl' && c.purl.startsWith('pkg:deb/debian/curl@7.88.1-10')));

    const listed = drydock(store, ['evidence', 'list', '--json']);
    assert.equal(listed.code, 0, listed.err);
    const sboms = (JSON.parse(listed.out) as ArtifactInfo[]).filter((a) => a.kind === 'sbom');
    // The container's and the image's document, each in both formats.
    assert.equal(sboms.length, 4);
    assert.deepEqual(sboms.map((a) => `${String(a.attributes.subject)} ${a.mediaType}`).sort(), [
      'container application/spdx+json',
      'container application/vnd.cyclonedx+json',
      'image application/spdx+json',
      'image application/vnd.cyclonedx+json',
    ]);
    assert.ok(sboms.every((a) => a.source.host !== undefined));
    assert.ok(sboms.filter((a) => a.attributes.subject === 'container').every((a) => a.source.containerId === drifted));
    const storedSpdx = sboms.find((a) => a.attributes.subject === 'container' && a.mediaType === 'application/spdx+json');
    const spdxFile = path.join(out, 'c.spdx.json');
    const exported = drydock(store, ['artifact', 'export', storedSpdx?.id ?? '', '--out', spdxFile]);
    assert.equal(exported.code, 0, exported.err);
    const spdx = JSON.parse(readFileSync(spdxFile, 'utf8')) as {
      spdxVersion: string;
      dataLicense: string;
      creationInfo: { created: string };
      packages: { SPDXID: string; name: string; externalRefs?: { referenceType: string; referenceLocator: string }[] }[];
      relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
    };
    assert.equal(spdx.spdxVersion, 'SPDX-2.3');
    assert.equal(spdx.dataLicense, 'CC0-1.0');
    assert.match(spdx.creationInfo.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const curl = spdx.packages.find((p) => p.name === 'curl');
    assert.equal(curl?.externalRefs?.[0]?.referenceType, 'purl');
    assert.ok(spdx.relationships.some((r) => r.relationshipType === 'CONTAINS' && r.relatedSpdxElement === curl?.SPDXID));
    assert.ok(spdx.relationships.some((r) => r.relationshipType === 'DESCRIBES'));

    const audit = drydock(store, ['case', 'audit', '--json']);
    const entries = audit.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    const acquired = entries.filter((e) => e.action === 'sbom.acquired');
    assert.equal(acquired.length, 1);
    assert.equal(acquired[0]?.details.runtimeAdded, 1);
    assert.ok(entries.some((e) => e.action === 'helper.created' && e.details.purpose === 'sbom-image'));
    assert.ok(entries.some((e) => e.action === 'helper.removed' && e.details.purpose === 'sbom-image'));
    assert.equal(sbomHelpers(), '');
  });

  it('states a hostile dpkg database and a corrupt rpm database, and prints their names safely', () => {
    const run = drydock(store, ['sbom', hostile, '--no-record']);
    assert.equal(run.code, 0, run.err);
    assert.ok(!run.out.includes('\u001b') && !run.out.includes('\u0007'), 'no raw escape reaches the terminal');
    assert.match(run.out, /\\x1b\]0;pwned\\x07evil/);
    assert.match(run.out, /\/var\/lib\/dpkg\/status \(dpkg-status\): read, 1 packages/, 'the stanza without a Package field is skipped');
    assert.match(run.out, /\/var\/lib\/rpm\/rpmdb\.sqlite \(rpm-sqlite\): not-read, 0 packages — SQLite refused it/);
  });
});
