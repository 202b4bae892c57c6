// The SBOM parsers on hostile input: rpm header blobs (truncated, over rpm's limits, offsets past
// the data, strings without their NUL, random bytes), dpkg and apk databases, os-release.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseApkInstalled } from '../../../main/core/sbom/apk-database';
import { parseDpkgStatus } from '../../../main/core/sbom/dpkg-database';
import { parseOsRelease } from '../../../main/core/sbom/os-release';
import { RPM_TAG, RpmHeader, RpmHeaderError, rpmPackageOf } from '../../../main/core/sbom/rpm-header';

/** A header blob: il, dl, 16-byte entries (tag, type, offset, count), then the data. */
function blob(entries: [tag: number, type: number, offset: number, count: number][], data: Buffer): Buffer {
  const head = Buffer.alloc(8 + entries.length * 16);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(data.length, 4);
  entries.forEach(([tag, type, offset, count], i) => {
    head.writeUInt32BE(tag, 8 + i * 16);
    head.writeUInt32BE(type, 12 + i * 16);
    head.writeUInt32BE(offset, 16 + i * 16);
    head.writeUInt32BE(count, 20 + i * 16);
  });
  return Buffer.concat([head, data]);
}

const STRING = 6;
const INT32 = 4;

describe('rpm header blobs', () => {
  const data = Buffer.concat([
    Buffer.from('bash\0' + '5.1.8\0' + '6.el9\0' + 'x86_64\0' + 'bash-5.1.8-6.el9.src.rpm\0'),
    Buffer.from([0, 0, 0, 1]),
  ]);
  const good = blob(
    [
      [RPM_TAG.name, STRING, 0, 1],
      [RPM_TAG.version, STRING, 5, 1],
      [RPM_TAG.release, STRING, 11, 1],
      [RPM_TAG.arch, STRING, 17, 1],
      [RPM_TAG.sourceRpm, STRING, 24, 1],
      [RPM_TAG.epoch, INT32, 49, 1],
    ],
    data,
  );

  it('reads name, EVR, arch and source rpm', () => {
    assert.deepEqual(rpmPackageOf(RpmHeader.parse(good)), {
      name: 'bash',
      version: '1:5.1.8-6.el9',
      epoch: 1,
      architecture: 'x86_64',
      sourceName: 'bash',
      sourceVersion: '5.1.8-6.el9',
    });
  });

  it('refuses truncated blobs, counts over rpm limits, offsets past the data and strings without a NUL', () => {
    assert.throws(() => RpmHeader.parse(good.subarray(0, 7)), RpmHeaderError);
    assert.throws(() => RpmHeader.parse(good.subarray(0, good.length - 1)), RpmHeaderError);
    const huge = Buffer.from(good);
    huge.writeUInt32BE(0x10000, 0);
    assert.throws(() => RpmHeader.parse(huge), /index entries/);
    const bigData = Buffer.from(good);
    bigData.writeUInt32BE(0x10000000, 4);
    assert.throws(() => RpmHeader.parse(bigData), /data bytes/);
    assert.throws(() => RpmHeader.parse(blob([[RPM_TAG.name, STRING, 99, 1]], Buffer.from('x\0'))), /points at byte 99/);
    assert.throws(
      () =>
        rpmPackageOf(
          RpmHeader.parse(
            blob(
              [
                [RPM_TAG.name, STRING, 0, 1],
                [RPM_TAG.version, STRING, 0, 1],
              ],
              Buffer.from('abc'),
            ),
          ),
        ),
      /no terminating NUL/,
    );
    assert.throws(() => RpmHeader.parse(blob([[RPM_TAG.epoch, INT32, 0, 1000]], Buffer.alloc(8))).int32(RPM_TAG.epoch), /past the data/);
  });

  it('never fails other than with an RpmHeaderError on random and mutated bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), (bytes, at, value) => {
        for (const input of [Buffer.from(bytes), Buffer.concat([good.subarray(0, at), Buffer.from([value]), good.subarray(at + 1)])]) {
          try {
            const header = RpmHeader.parse(input);
            rpmPackageOf(header);
            header.stringArray(RPM_TAG.baseNames);
            header.int32(RPM_TAG.dirIndexes);
          } catch (err) {
            if (!(err instanceof RpmHeaderError)) throw err;
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('package databases and os-release', () => {
  it('keeps installed dpkg packages only, with their source, and skips garbage stanzas', () => {
    const text =
      'Package: a\nStatus: install ok installed\nVersion: 1\nSource: b (2)\n\nPackage: c\nStatus: deinstall ok config-files\nVersion: 1\n\n\u001b]0;x\nPackage\n\nVersion: 3\nStatus: install ok installed\n';
    assert.deepEqual(parseDpkgStatus(text), [{ name: 'a', version: '1', sourceName: 'b', sourceVersion: '2' }]);
  });

  it('reads apk origin and architecture', () => {
    assert.deepEqual(parseApkInstalled('P:libcrypto3\nV:3.1.1-r1\nA:x86_64\no:openssl\n\nV:1\n'), [
      { name: 'libcrypto3', version: '3.1.1-r1', architecture: 'x86_64', origin: 'openssl' },
    ]);
  });

  it('reads os-release values quoted or not, evaluating nothing', () => {
    assert.deepEqual(parseOsRelease('ID="debian"\nVERSION_ID=\'12\'\nPRETTY_NAME="Debian \\"x\\" $(reboot)"\nID_LIKE=""\n'), {
      id: 'debian',
      idLike: [],
      versionId: '12',
      prettyName: 'Debian "x" $(reboot)',
    });
    assert.equal(parseOsRelease('NAME=nothing\n'), undefined);
  });
});
