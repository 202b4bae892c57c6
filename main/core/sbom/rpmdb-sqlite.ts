import Database from 'better-sqlite3';
import { RPM_TAG, RpmHeader, RpmHeaderError, rpmPackageOf, type RpmPackage } from './rpm-header';

// rpm's SQLite database (rpmdb.sqlite, rpm ≥ 4.16: RHEL 9, UBI 9, Fedora ≥ 33): table Packages
// (hnum INTEGER PRIMARY KEY, blob BLOB), one header blob per installed package (lib/backend/sqlite.c).
// The file's bytes are opened in memory (SQLite's deserialize): nothing is written to disk, and
// SQLite never touches a file the suspect filesystem supplied.

export interface RpmDatabaseRead {
  packages: RpmPackage[];
  /** Headers that did not parse, with why (at most a few kept). */
  badHeaders: number;
  problems: string[];
}

/**
 * Reads the installed packages of an rpmdb.sqlite file's bytes.
 * @throws Error when SQLite refuses the bytes (not a database, corrupt) or there is no Packages table.
 */
export function readRpmSqlite(bytes: Buffer): RpmDatabaseRead {
  const image = Buffer.from(bytes);
  // A WAL-mode database (header bytes 18 and 19 = 2) cannot be opened from memory; as legacy
  // rollback-journal mode (1) the same pages read the same. A -wal file left beside it is not read.
  if (image.length >= 100 && image.toString('latin1', 0, 16) === 'SQLite format 3\0') {
    if (image[18] === 2) image[18] = 1;
    if (image[19] === 2) image[19] = 1;
  }
  const db = new Database(image, { readonly: true });
  try {
    db.pragma('trusted_schema = OFF');
    const out: RpmDatabaseRead = { packages: [], badHeaders: 0, problems: [] };
    for (const row of db.prepare<[], { hnum: number; blob: unknown }>('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate()) {
      if (!Buffer.isBuffer(row.blob)) {
        out.badHeaders++;
        continue;
      }
      try {
        const pkg = rpmPackageOf(RpmHeader.parse(row.blob));
        if (pkg) out.packages.push(pkg);
      } catch (err) {
        if (!(err instanceof RpmHeaderError)) throw err;
        out.badHeaders++;
        if (out.problems.length < 5) out.problems.push(`header ${row.hnum}: ${err.message}`);
      }
    }
    return out;
  } finally {
    db.close();
  }
}

/** rpm's PGPHASHALGO numbers (rpmpgp.h) for the digests it records per file. */
const DIGEST_ALGORITHMS: Record<number, 'md5' | 'sha1' | 'sha256'> = { 1: 'md5', 2: 'sha1', 8: 'sha256' };

export interface RpmFileDigest {
  package: string;
  algorithm: 'md5' | 'sha1' | 'sha256';
  /** Lower-case hex; empty for files rpm records without content (directories, symlinks, ghosts). */
  digest: string;
}

/**
 * The file digests each installed package recorded (DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] →
 * FILEDIGESTS[i], in FILEDIGESTALGO, MD5 when absent): what `rpm -V` compares files against.
 * Headers that do not parse, or whose arrays disagree in length, are skipped and counted.
 * @throws Error when SQLite refuses the bytes.
 */
export function readRpmFileDigests(bytes: Buffer): { files: Map<string, RpmFileDigest>; badHeaders: number } {
  const image = Buffer.from(bytes);
  if (image.length >= 100 && image.toString('latin1', 0, 16) === 'SQLite format 3\0') {
    if (image[18] === 2) image[18] = 1;
    if (image[19] === 2) image[19] = 1;
  }
  const db = new Database(image, { readonly: true });
  const files = new Map<string, RpmFileDigest>();
  let badHeaders = 0;
  try {
    db.pragma('trusted_schema = OFF');
    for (const row of db.prepare<[], { blob: unknown }>('SELECT blob FROM Packages').iterate()) {
      try {
        if (!Buffer.isBuffer(row.blob)) throw new RpmHeaderError('not a blob');
        const header = RpmHeader.parse(row.blob);
        const name = header.string(RPM_TAG.name);
        const bases = header.stringArray(RPM_TAG.baseNames);
        const dirs = header.stringArray(RPM_TAG.dirNames);
        const index = header.int32(RPM_TAG.dirIndexes);
        const digests = header.stringArray(RPM_TAG.fileDigests);
        const algorithm = DIGEST_ALGORITHMS[header.int32(RPM_TAG.fileDigestAlgo)[0] ?? 1];
        if (!name || !algorithm || index.length !== bases.length || digests.length !== bases.length) {
          if (bases.length) badHeaders++;
          continue;
        }
        bases.forEach((base, i) => {
          const dir = dirs[index[i] as number];
          if (dir === undefined) return;
          files.set(`${dir}${base}`, { package: name, algorithm, digest: (digests[i] as string).toLowerCase() });
        });
      } catch (err) {
        if (!(err instanceof RpmHeaderError)) throw err;
        badHeaders++;
      }
    }
    return { files, badHeaders };
  } finally {
    db.close();
  }
}
