import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The helper image Drydock carries (built by resources/capture-helper/build-bundle.sh). */
export interface HelperBundle {
  tarPath: string;
  tag: string;
  imageId: string;
  architecture: string;
  tcpdumpVersion: string;
  size: number;
  sha256: string;
}

export type BundleLookup = { bundle: HelperBundle } | { bundle: null; problem: string; path: string | null };

const TAR = 'drydock-capture-helper.tar';
const MANIFEST = 'drydock-capture-helper.json';

/**
 * Where the bundle lives: $DRYDOCK_CAPTURE_HELPER_DIR, then the packaged app's resources
 * directory, then resources/capture-helper above this file (a checkout, compiled or not).
 */
export function bundleDirectories(): string[] {
  const dirs: string[] = [];
  if (process.env.DRYDOCK_CAPTURE_HELPER_DIR) dirs.push(process.env.DRYDOCK_CAPTURE_HELPER_DIR);
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) dirs.push(path.join(resourcesPath, 'capture-helper'));
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    dirs.push(path.join(dir, 'resources', 'capture-helper'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

export function findHelperBundle(dirs: string[] = bundleDirectories()): BundleLookup {
  const dir = dirs.find((d) => existsSync(path.join(d, MANIFEST)));
  if (!dir) {
    return {
      bundle: null,
      path: null,
      problem:
        "the capture helper bundle is not built: run `npm run helper-bundle` in the Drydock checkout (it needs Debian's tcpdump and busybox-static), or choose a helper image with `drydock capture-helper image --set IMAGE`",
    };
  }
  const manifestPath = path.join(dir, MANIFEST);
  const tarPath = path.join(dir, TAR);
  try {
    const raw = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    const str = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : '');
    const bundle: HelperBundle = {
      tarPath,
      tag: str('tag'),
      imageId: str('imageId'),
      architecture: str('architecture'),
      tcpdumpVersion: str('tcpdump'),
      size: typeof raw.size === 'number' ? raw.size : -1,
      sha256: str('sha256'),
    };
    if (
      !/^[a-z0-9/_.-]+:[a-f0-9]{12}$/.test(bundle.tag) ||
      !/^sha256:[a-f0-9]{64}$/.test(bundle.imageId) ||
      !/^[a-f0-9]{64}$/.test(bundle.sha256)
    ) {
      return { bundle: null, path: manifestPath, problem: `${manifestPath} is not a valid helper bundle manifest` };
    }
    if (!existsSync(tarPath) || statSync(tarPath).size !== bundle.size) {
      return {
        bundle: null,
        path: tarPath,
        problem: `${tarPath} is missing or not the size its manifest records; rebuild it with \`npm run helper-bundle\``,
      };
    }
    return { bundle };
  } catch (err) {
    return { bundle: null, path: manifestPath, problem: `cannot read ${manifestPath}: ${(err as Error).message}` };
  }
}

/** Docker's architecture names (image config) for the engine's `uname -m` style names. */
export function engineArchitecture(infoArchitecture: string): string {
  const map: Record<string, string> = {
    x86_64: 'amd64',
    amd64: 'amd64',
    aarch64: 'arm64',
    arm64: 'arm64',
    armv7l: 'arm',
    armhf: 'arm',
    i386: '386',
    i686: '386',
    s390x: 's390x',
    ppc64le: 'ppc64le',
    riscv64: 'riscv64',
  };
  return map[infoArchitecture] ?? infoArchitecture;
}
