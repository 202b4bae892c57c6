import { promises as fsp } from 'node:fs';

/**
 * Warnings about the mount a data root directory is on, from /proc/self/mountinfo (proc(5): field
 * 5 the mount point with octal escapes, field 6 the per-mount options): a writable mount that
 * records access times (neither `ro` nor `noatime`) can have directory access times updated by
 * listing them, which Drydock cannot prevent from Node (files are opened with O_NOATIME).
 * Empty when the mount is read-only or noatime, or when mountinfo cannot be read (not Linux).
 */
export async function mountWarnings(realDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await fsp.readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  let best: { point: string; options: string[] } | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 6) continue;
    const point = (fields[4] as string).replace(/\\([0-7]{3})/g, (_m, code: string) => String.fromCharCode(parseInt(code, 8)));
    const inside = point === '/' || realDir === point || realDir.startsWith(`${point}/`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, options: (fields[5] as string).split(',') };
  }
  if (!best || best.options.includes('ro') || best.options.includes('noatime')) return [];
  return [
    `The data root is on ${best.point}, mounted writable without noatime (${best.options.join(',')}): files are opened with O_NOATIME and nothing is written, but listing a directory can still update its access time; mount the image read-only (mount -o ro,noload,noatime) or read a tarball of it`,
  ];
}
