import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The collector image Drydock carries (built by resources/collector/build-collector.sh). */
export interface CollectorBundle {
  tarPath: string;
  tag: string;
  imageId: string;
  architecture: string;
  /** The Drydock version inside. */
  drydock: string;
  /** Bytes of the tar. */
  size: number;
  /** SHA-256 of the tar, lowercase hex. */
  sha256: string;
}

export type CollectorLookup = { bundle: CollectorBundle } | { bundle: null; problem: string };

const TAR = 'drydock-collector.tar';
const MANIFEST = 'drydock-collector.json';

/**
 * Where the collector bundle lives: $DRYDOCK_COLLECTOR_DIR, then the packaged app's resources
 * directory, then resources/collector above this file (a checkout, compiled or not).
 */
export function collectorDirectories(): string[] {
  const dirs: string[] = [];
  if (process.env.DRYDOCK_COLLECTOR_DIR) dirs.push(process.env.DRYDOCK_COLLECTOR_DIR);
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) dirs.push(path.join(resourcesPath, 'collector'));
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    dirs.push(path.join(dir, 'resources', 'collector'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

/** Finds and checks the collector bundle's manifest (tag, image ID, SHA-256 and size well-formed, the tar present at that size). Never throws. */
export function findCollectorBundle(dirs: string[] = collectorDirectories()): CollectorLookup {
  const dir = dirs.find((d) => existsSync(path.join(d, MANIFEST)));
  if (!dir)
    return {
      bundle: null,
      problem:
        "the fleet collector image is not built: run `npm run build:node && npm run collector-bundle` in the Drydock checkout (it needs Debian's nodejs package)",
    };
  const manifestPath = path.join(dir, MANIFEST);
  const tarPath = path.join(dir, TAR);
  try {
    const raw = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    const str = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : '');
    const bundle: CollectorBundle = {
      tarPath,
      tag: str('tag'),
      imageId: str('imageId'),
      architecture: str('architecture'),
      drydock: str('drydock'),
      size: typeof raw.size === 'number' ? raw.size : -1,
      sha256: str('sha256'),
    };
    if (
      !/^drydock\/collector:[a-f0-9]{12}$/.test(bundle.tag) ||
      !/^sha256:[a-f0-9]{64}$/.test(bundle.imageId) ||
      !/^[a-f0-9]{64}$/.test(bundle.sha256)
    )
      return { bundle: null, problem: `${manifestPath} is not a valid collector bundle manifest` };
    if (!existsSync(tarPath) || statSync(tarPath).size !== bundle.size)
      return {
        bundle: null,
        problem: `${tarPath} is missing or not the size its manifest records; rebuild it with \`npm run collector-bundle\``,
      };
    return { bundle };
  } catch (err) {
    return { bundle: null, problem: `cannot read ${manifestPath}: ${(err as Error).message}` };
  }
}
