import type { MemoryRegion } from '../../../shared/domain/memory';

/** Regions read at most from one maps file; a process with more says so (mapsCut). */
export const MAX_REGIONS = 65_000;

const LINE = /^([0-9a-f]{1,16})-([0-9a-f]{1,16}) ([r-][w-][x-][ps]) ([0-9a-f]{1,16}) ([0-9a-f]{2,8}:[0-9a-f]{2,8}) (\d{1,20})(?: +(.*))?$/;

/** Kernel-made executable mappings that are not injected code. */
const KERNEL_CODE = new Set(['[vdso]', '[vsyscall]', '[uprobes]']);

/**
 * Parses /proc/PID/maps (proc(5): `start-end perms offset dev inode [path]`). The path is the only
 * field the process controls (a file name); the kernel escapes its newlines as \012, so each line is
 * one region. Lines that are not that shape are counted, not guessed at.
 */
export function parseMaps(text: string): { regions: MemoryRegion[]; skipped: number; cut: boolean } {
  const regions: MemoryRegion[] = [];
  let skipped = 0;
  let cut = false;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) {
      skipped++;
      continue;
    }
    if (regions.length >= MAX_REGIONS) {
      cut = true;
      break;
    }
    const [, start = '', end = '', perms = '', offset = '', device = '', inode = '0', path = ''] = m;
    if (BigInt(`0x${end}`) <= BigInt(`0x${start}`)) {
      skipped++;
      continue;
    }
    const executable = perms[2] === 'x';
    const fileBacked = path.startsWith('/');
    regions.push({
      start,
      end,
      perms,
      offset,
      device,
      inode: Number(inode),
      path,
      anonymousExecutable: executable && !fileBacked && !KERNEL_CODE.has(path),
    });
  }
  return { regions, skipped, cut };
}

/** Size of a region in bytes (regions are page multiples, far below 2^53 in practice). */
export function regionSize(region: { start: string; end: string }): number {
  return Number(BigInt(`0x${region.end}`) - BigInt(`0x${region.start}`));
}
