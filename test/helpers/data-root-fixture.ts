// A minimal Docker data root made by hand, as Docker 20.10 lays one out (no engine needed): for the
// dead-box tests that need hostile or tiny data roots.
import { createHash } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const hex = (byte: string) => byte.repeat(32);
export const IMAGE = hex('1a');
export const DIFF = `sha256:${hex('2b')}`;
export const LAYER = hex('3c');

export interface Victim {
  id: string;
  name: string;
  mount: string;
}

export function write(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** A minimal data root as Docker 20.10 lays it out: one image of one layer, containers on it. */
export function makeDataRoot(root: string, victims: Victim[]): void {
  write(
    path.join(root, 'image/overlay2/imagedb/content/sha256', IMAGE),
    JSON.stringify({ rootfs: { type: 'layers', diff_ids: [DIFF] }, config: { Cmd: ['sh'] }, history: [] }),
  );
  write(path.join(root, 'image/overlay2/repositories.json'), JSON.stringify({ Repositories: { evil: { 'evil:1': `sha256:${IMAGE}` } } }));
  write(path.join(root, 'image/overlay2/layerdb/sha256', DIFF.slice(7), 'diff'), DIFF);
  write(path.join(root, 'image/overlay2/layerdb/sha256', DIFF.slice(7), 'cache-id'), LAYER);
  write(path.join(root, 'overlay2', LAYER, 'diff/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  write(path.join(root, 'overlay2', LAYER, 'diff/etc/motd'), 'hello\n');
  for (const v of victims) {
    write(
      path.join(root, 'containers', v.id, 'config.v2.json'),
      JSON.stringify({
        ID: v.id,
        Name: `/${v.name}`,
        Created: '2026-11-30T10:00:00Z',
        State: { Running: false, StartedAt: '2026-11-30T10:00:01Z', FinishedAt: '2026-11-30T10:05:00Z', ExitCode: 0 },
        Config: { Image: 'evil:1', Cmd: ['sh'], Labels: {} },
        Image: `sha256:${IMAGE}`,
        MountPoints: {},
        NetworkSettings: { Networks: {} },
      }),
    );
    write(path.join(root, 'containers', v.id, 'hostconfig.json'), JSON.stringify({ LogConfig: { Type: 'json-file' } }));
    write(path.join(root, 'image/overlay2/layerdb/mounts', v.id, 'mount-id'), v.mount);
    write(path.join(root, 'image/overlay2/layerdb/mounts', v.id, 'init-id'), `${v.mount}-init`);
    write(path.join(root, 'image/overlay2/layerdb/mounts', v.id, 'parent'), DIFF);
    mkdirSync(path.join(root, 'overlay2', `${v.mount}-init`, 'diff'), { recursive: true });
  }
}

/** Contents and metadata of every entry under `root` (files read with O_NOATIME). */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = lstatSync(full, { bigint: true });
      let digest = '';
      if (st.isFile()) {
        const fd = openSync(full, constants.O_RDONLY | constants.O_NOATIME | constants.O_NOFOLLOW);
        const hash = createHash('sha256');
        const buffer = Buffer.alloc(1024 * 1024);
        for (;;) {
          const n = readSync(fd, buffer, 0, buffer.length, null);
          if (n === 0) break;
          hash.update(buffer.subarray(0, n));
        }
        closeSync(fd);
        digest = hash.digest('hex');
      }
      const atime = st.isDirectory() ? '-' : String(st.atimeNs);
      out.set(full.slice(root.length), [st.mode, st.size, st.mtimeNs, st.ctimeNs, atime, digest].join(' '));
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

/** What changed between two snapshotTree results (empty: nothing). */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [p, v] of before) if (after.get(p) !== v) changed.push(`${p}: ${v} -> ${after.get(p) ?? '(gone)'}`);
  for (const p of after.keys()) if (!before.has(p)) changed.push(`${p}: appeared`);
  return changed;
}
