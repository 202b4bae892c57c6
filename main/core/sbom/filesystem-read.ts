import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import type { PackageDatabaseFormat } from '../../../shared/domain/sbom';
import { isNpmManifest, isPythonMetadata } from './language-manifests';

// One pass over a filesystem archive (GET /containers/{id}/export: the container's merged
// filesystem as tar): every entry is looked at by name, only the few small files an SBOM needs are
// kept in memory, each under its own bound, all together under TOTAL_LIMIT. The archive's bytes are
// hostile: names are matched, never used as local paths; nothing is written to disk.

export type CapturedKind = Exclude<PackageDatabaseFormat, 'rpm-berkeley-db' | 'rpm-ndb'> | 'os-release';

export interface CapturedFile {
  path: string;
  kind: CapturedKind;
  bytes: Buffer;
}

export interface FilesystemRead {
  files: CapturedFile[];
  /** Package databases seen but not read (rpm's Berkeley DB and NDB formats), by path. */
  unreadDatabases: { path: string; format: 'rpm-berkeley-db' | 'rpm-ndb' }[];
  /** Symbolic links among the os-release paths: path → target. */
  links: Map<string, string>;
  /** Files not kept (over a bound), with why. */
  skipped: string[];
  entries: number;
  bytes: number;
}

const MIB = 1024 * 1024;
const RPM_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];
/** Everything kept from one archive, together. */
export const TOTAL_LIMIT = 512 * MIB;

/** What a path is to an SBOM and the most bytes kept of it, or undefined for a file not needed. */
export function wantedKind(path: string): { kind: CapturedKind; limit: number } | { unread: 'rpm-berkeley-db' | 'rpm-ndb' } | undefined {
  if (path === '/var/lib/dpkg/status') return { kind: 'dpkg-status', limit: 64 * MIB };
  if (/^\/var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path) && !path.endsWith('.md5sums')) return { kind: 'dpkg-status.d', limit: MIB };
  if (path === '/lib/apk/db/installed') return { kind: 'apk-installed', limit: 64 * MIB };
  if (path === '/etc/os-release' || path === '/usr/lib/os-release') return { kind: 'os-release', limit: 64 * 1024 };
  for (const dir of RPM_DIRS) {
    if (path === `${dir}/rpmdb.sqlite`) return { kind: 'rpm-sqlite', limit: 256 * MIB };
    if (path === `${dir}/Packages`) return { unread: 'rpm-berkeley-db' };
    if (path === `${dir}/Packages.db`) return { unread: 'rpm-ndb' };
  }
  if (isPythonMetadata(path)) return { kind: 'python-metadata', limit: MIB };
  if (isNpmManifest(path)) return { kind: 'npm-package-json', limit: MIB };
  return undefined;
}

/** The absolute path of an archive entry name ("./etc/x", "etc/x" → "/etc/x"), without a trailing slash. */
export function entryPathOf(name: string): string {
  const trimmed = name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
  return `/${trimmed}`;
}

/**
 * Reads a tar stream to its end, keeping the SBOM's files.
 * @throws Error when the archive is malformed or the stream fails (the caller names host and subject).
 */
export async function readFilesystem(source: NodeJS.ReadableStream | AsyncIterable<Buffer>): Promise<FilesystemRead> {
  const out: FilesystemRead = { files: [], unreadDatabases: [], links: new Map(), skipped: [], entries: 0, bytes: 0 };
  let kept = 0;
  const tar = extract();
  const consume = async () => {
    for await (const entry of tar) {
      out.entries++;
      const header = entry.header;
      const path = entryPathOf(header.name);
      const wanted = wantedKind(path);
      if (header.type === 'symlink' && wanted && 'kind' in wanted && wanted.kind === 'os-release' && header.linkname)
        out.links.set(path, header.linkname);
      if (!wanted || header.type !== 'file') {
        entry.resume();
        continue;
      }
      if ('unread' in wanted) {
        out.unreadDatabases.push({ path, format: wanted.unread });
        entry.resume();
        continue;
      }
      const size = header.size ?? 0;
      out.bytes += size;
      if (size > wanted.limit || kept + size > TOTAL_LIMIT) {
        out.skipped.push(
          `${path}: ${size} bytes, over the ${size > wanted.limit ? `${wanted.limit}-byte limit for a ${wanted.kind} file` : `${TOTAL_LIMIT}-byte limit for all files kept from one filesystem`}; not read`,
        );
        entry.resume();
        continue;
      }
      const parts: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) parts.push(chunk);
      const bytes = Buffer.concat(parts);
      kept += bytes.length;
      out.files.push({ path, kind: wanted.kind, bytes });
    }
  };
  const input = source instanceof Readable ? source : Readable.from(source as AsyncIterable<Buffer>);
  input.on('error', (err) => tar.destroy(err));
  input.pipe(tar);
  try {
    await consume();
  } finally {
    input.destroy();
  }
  return out;
}
