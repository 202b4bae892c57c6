import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apkFileOwners, diffPackages, dpkgListPackage, parseApkInstalled, parseDpkgStatus } from '../../../main/core/drift/packages';

const STATUS_IMAGE = `Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 2.36-9+deb12u4
Description: GNU C Library
 multi-line description
 continues here

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2

Package: old-tool
Status: deinstall ok config-files
Architecture: all
Version: 1.0

Package: broken
Status: install reinstreq half-installed
Architecture: all
Version: 0.1
`;

const STATUS_CONTAINER = `${STATUS_IMAGE.replace('Version: 5.2.15-2+b2', 'Version: 5.2.15-3')}
Package: drydock-hello
Status: install ok installed
Architecture: all
Version: 1.0
Description: planted
`;

describe('package databases', () => {
  it('parses dpkg status: only installed packages, continuation lines ignored', () => {
    const pkgs = parseDpkgStatus(STATUS_IMAGE);
    assert.deepEqual(
      pkgs.map((p) => `${p.name}=${p.version}:${p.architecture}`),
      ['libc6=2.36-9+deb12u4:amd64', 'bash=5.2.15-2+b2:amd64'],
    );
  });

  it('diffs into added, removed and upgraded', () => {
    const drift = diffPackages(
      'dpkg',
      '/var/lib/dpkg/status',
      parseDpkgStatus(STATUS_IMAGE),
      parseDpkgStatus(STATUS_CONTAINER.replace(/Package: libc6[\s\S]*?\n\n/, '')),
    );
    assert.deepEqual(
      drift.added.map((p) => p.name),
      ['drydock-hello'],
    );
    assert.deepEqual(
      drift.removed.map((p) => p.name),
      ['libc6'],
    );
    assert.deepEqual(drift.upgraded, [{ name: 'bash', from: '5.2.15-2+b2', to: '5.2.15-3' }]);
  });

  it('survives garbage: no throw, nothing invented', () => {
    assert.deepEqual(parseDpkgStatus('\u0000\u001b[2J\nPackage\n:::\n\n\n'), []);
    assert.deepEqual(parseApkInstalled('garbage\n\nP:\n'), []);
  });

  it('parses apk installed and its file lists', () => {
    const text =
      'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:netcat-openbsd\nV:1.219-r1\nA:x86_64\nF:usr/bin\nR:nc\n';
    assert.deepEqual(parseApkInstalled(text), [
      { name: 'musl', version: '1.2.4-r2', architecture: 'x86_64' },
      { name: 'netcat-openbsd', version: '1.219-r1', architecture: 'x86_64' },
    ]);
    const owners = apkFileOwners(text);
    assert.equal(owners.get('/usr/bin/nc'), 'netcat-openbsd');
    assert.equal(owners.get('/lib/ld-musl-x86_64.so.1'), 'musl');
  });

  it('names the package of a dpkg file list', () => {
    assert.equal(dpkgListPackage('/var/lib/dpkg/info/drydock-hello.list'), 'drydock-hello');
    assert.equal(dpkgListPackage('/var/lib/dpkg/info/libc6:amd64.list'), 'libc6');
    assert.equal(dpkgListPackage('/var/lib/dpkg/info/libc6.md5sums'), undefined);
  });
});
