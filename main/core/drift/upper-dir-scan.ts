import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import type { HelperLedger } from '../helper/ledger';
import { runStreamingHelper } from '../helper/streaming-run';
import type { ConfigFacts } from './config-drift';
import type { LayerContainer, LayerEntry, LayerWalk } from './layer-drift';
import { readTar, type TarHeader } from './tar-reader';

// Live drift at disk speed (issue: "the same reader makes live drift fast"). Instead of one
// archive request per changed path, one helper per host binds the engine's overlay2 directory
// read-only and streams the layer trees a scan needs — the containers' upper directories and init
// layers whole, and of their images' layers only what drift needs (LowerNeeds), each layer once —
// with GNU tar (pax format), read by drift's own tar reader (raw names, bounded records) into the
// layer drift a data root gets (layer-drift.ts), so a live report and a dead-box report agree entry
// by entry. The overlay opaque-directory mark is the trusted.overlay.opaque extended attribute,
// which the kernel shows only to CAP_SYS_ADMIN: the helper gets that capability and
// DAC_READ_SEARCH (to read files of any owner), nothing else (no network, read-only root and bind,
// no new privileges, nothing written on the host). Where any of this cannot hold — not overlay2,
// not Linux, user namespace remapping (trusted.* is then unreadable), layer paths outside the data
// root — the scan falls back to the archive endpoint and says why.

/** Layer directory names as overlay2 makes them: 64 hex digits, '-init' for the init layer. */
const LAYER_ID = /^[0-9a-f]{64}(-init)?$/;
/** Containers read through one helper (their layer trees are held in memory together). */
export const UPPER_DIR_BATCH = 50;

/** Why a host or a container cannot be read through the upper-dir path, or what to read. */
export type UpperDirPlan =
  { ok: true; dataRoot: string; containers: LayerContainer[]; skipped: Map<string, string> } | { ok: false; reason: string };

/**
 * Decides, from /info and each container's inspect, whether the overlay2 directories can be read
 * through a helper, and the layers of each container (upper, init, image layers top first).
 * `inspects`: the containers' inspect answers; `images`: image inspect by image ID (absent when gone).
 * Never throws: every obstacle is a reason.
 */
export function planUpperDirScan(
  info: { Driver?: string; OSType?: string; DockerRootDir?: string; SecurityOptions?: string[] | null },
  inspects: readonly Dockerode.ContainerInspectInfo[],
  images: ReadonlyMap<string, { Config?: unknown; RepoTags?: string[] | null } | undefined>,
): UpperDirPlan {
  if (info.OSType !== 'linux') return { ok: false, reason: `the engine runs on ${String(info.OSType ?? 'an unknown OS')}, not Linux` };
  if (info.Driver !== 'overlay2') return { ok: false, reason: `the storage driver is ${String(info.Driver ?? 'unknown')}, not overlay2` };
  const root = info.DockerRootDir;
  if (typeof root !== 'string' || !root.startsWith('/') || root.split('/').includes('..') || /[\0\n]/.test(root))
    return { ok: false, reason: `the engine reports no usable data root (${JSON.stringify(root ?? null)})` };
  if ((info.SecurityOptions ?? []).some((o) => /(^|,)name=userns(,|$)/.test(o)))
    return {
      ok: false,
      reason: 'the engine remaps user namespaces: overlay opaque marks (trusted.* attributes) cannot be read from a helper',
    };
  if ((info.SecurityOptions ?? []).some((o) => /(^|,)name=rootless(,|$)/.test(o)))
    return { ok: false, reason: 'the engine is rootless: a helper cannot read the overlay2 directories' };
  const base = `${root.replace(/\/+$/, '')}/overlay2/`;
  const containers: LayerContainer[] = [];
  const skipped = new Map<string, string>();
  for (const inspect of inspects) {
    const driver = inspect.GraphDriver as { Name?: string; Data?: Record<string, string> | null } | undefined;
    const layerOf = (dir: string | undefined): string | undefined => {
      if (typeof dir !== 'string' || !dir.startsWith(base) || !dir.endsWith('/diff')) return undefined;
      const id = dir.slice(base.length, -'/diff'.length);
      return LAYER_ID.test(id) ? id : undefined;
    };
    if (driver?.Name !== 'overlay2' || !driver.Data) {
      skipped.set(inspect.Id, `its storage driver is ${String(driver?.Name ?? 'unknown')}, not overlay2`);
      continue;
    }
    const upper = layerOf(driver.Data.UpperDir);
    const lowers = (driver.Data.LowerDir ?? '').split(':').filter((d) => d !== '');
    const lowerIds = lowers.map(layerOf);
    if (!upper || lowerIds.some((id) => id === undefined)) {
      skipped.set(inspect.Id, `its overlay2 directories are not under ${base} as overlay2 names them`);
      continue;
    }
    const ids = lowerIds as string[];
    const init = ids[0]?.endsWith('-init') ? ids[0] : undefined;
    const image = images.get(inspect.Image);
    containers.push({
      inspect,
      upper,
      ...(init ? { init } : {}),
      imageLayers: init ? ids.slice(1) : ids,
      ...(image ? { image: { config: (image.Config ?? {}) as ConfigFacts, tags: image.RepoTags ?? [] } } : {}),
    });
  }
  return { ok: true, dataRoot: root.replace(/\/+$/, '') || '/', containers, skipped };
}

const SLASH = 0x2f;

/**
 * Which layer an archive entry belongs to ('<layer>/diff/<path>') and the entry as the layer holds
 * it, names kept as raw bytes; undefined for anything else (a name outside the asked layers, one
 * with a '..' component).
 */
export function layerEntryOf(header: TarHeader, index: ReadonlyMap<string, number>): { layer: number; entry: LayerEntry } | undefined {
  let name = header.name;
  while (name.length >= 2 && name[0] === 0x2e && name[1] === SLASH) name = name.subarray(2);
  while (name.length > 0 && name[name.length - 1] === SLASH) name = name.subarray(0, name.length - 1);
  const first = name.indexOf(SLASH);
  if (first < 0) return undefined;
  const layer = index.get(name.subarray(0, first).toString('latin1'));
  const rest = name.subarray(first + 1);
  if (layer === undefined || !(rest.subarray(0, 4).toString('latin1') === 'diff' && (rest.length === 4 || rest[4] === SLASH)))
    return undefined;
  const inner = Buffer.concat([Buffer.from('/'), rest.subarray(5)]);
  if (inner.toString('latin1').split('/').includes('..')) return undefined;
  let linkRaw: Buffer | undefined;
  if (header.type === 'symlink' && header.linkName) linkRaw = header.linkName;
  if (header.type === 'hardlink') {
    // A hard link names an earlier entry of the archive: kept as its path when it is in the same layer.
    const prefix = Buffer.concat([name.subarray(0, first + 1), Buffer.from('diff/')]);
    const target =
      header.linkName && header.linkName.subarray(0, prefix.length).equals(prefix) ? header.linkName.subarray(prefix.length) : undefined;
    linkRaw = target
      ? Buffer.concat([Buffer.from('/'), target])
      : Buffer.from(`(outside this layer) ${header.linkName?.toString('latin1') ?? ''}`, 'latin1');
  }
  return {
    layer,
    entry: {
      raw: inner,
      type: header.type,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      size: header.type === 'file' ? header.size : 0,
      mtimeSec: header.mtimeSec,
      mtimeNsec: header.mtimeNsec,
      ...(header.rdev ? { rdev: header.rdev } : {}),
      ...(linkRaw ? { linkRaw } : {}),
      ...(header.opaque ? { opaque: true } : {}),
    },
  };
}

export interface HelperWalkTarget {
  host: string;
  ledger: HelperLedger;
  caseId?: string;
  image: string;
  dataRoot: string;
  signal?: AbortSignal;
}

/** What the walk met on the way: tar's complaints (files that changed or vanished while read). */
export interface HelperWalkNotes {
  warnings: string[];
}

/** Lower-layer trees read whole: the package databases drift compares and checks files against. */
const PACKAGE_TREES = ['/var/lib/dpkg', '/lib/apk/db', '/var/lib/rpm', '/usr/lib/sysimage/rpm'];
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * What of the lower layers a drift needs, from the upper and init layers' entries: every path
 * they hold and its ancestors (metadata, and the image's bytes of a changed file), and whole the
 * subtrees they hide — a whiteout's target, an opaque directory — since everything under those is
 * reported deleted. Keys are raw bytes read as latin1.
 */
export class LowerNeeds {
  readonly flat = new Set<string>(['/']);
  readonly deep = new Set<string>(PACKAGE_TREES);

  note(entry: LayerEntry): void {
    const key = entry.raw.toString('latin1');
    this.addWithAncestors(key);
    const slash = key.lastIndexOf('/');
    const parent = slash <= 0 ? '/' : key.slice(0, slash);
    const name = key.slice(slash + 1);
    if (name === OPAQUE_MARKER) this.deep.add(parent);
    else if (name.startsWith(WHITEOUT_PREFIX)) this.deep.add(`${parent === '/' ? '' : parent}/${name.slice(WHITEOUT_PREFIX.length)}`);
    else if (entry.opaque || (entry.type === 'char-device' && entry.rdev?.major === 0 && entry.rdev.minor === 0)) this.deep.add(key);
  }

  private addWithAncestors(key: string): void {
    let at = key;
    while (!this.flat.has(at)) {
      this.flat.add(at);
      const slash = at.lastIndexOf('/');
      at = slash <= 0 ? '/' : at.slice(0, slash);
    }
  }

  /**
   * The tar name lists for the lower layers (NUL-separated, 'LAYER/diff/PATH'): `flat` read without
   * recursion, `deep` with it, nested deep paths folded into their top one.
   */
  lists(lowers: readonly string[]): { flat: Buffer; deep: Buffer } {
    const deep = [...this.deep].sort();
    const tops = deep.filter((p, i) => !deep.slice(0, i).some((q) => p.startsWith(`${q}/`)));
    for (const top of tops) this.addWithAncestors(top);
    const name = (layer: string, key: string) => Buffer.from(key === '/' ? `${layer}/diff` : `${layer}/diff${key}`, 'latin1');
    const join = (keys: readonly string[]) =>
      Buffer.concat(lowers.flatMap((layer) => keys.flatMap((key) => [name(layer, key), Buffer.from([0])])));
    return { flat: join([...this.flat].sort()), deep: join(tops) };
  }
}

/**
 * A LayerWalk over the host's overlay2 directories, streamed by helpers running GNU tar (pax
 * format: nanosecond mtimes, SCHILY.xattr.trusted.overlay.opaque). The upper and init layers
 * (`uppers`) are read whole; of the other (image) layers only what LowerNeeds names — the helper's
 * output relay is the slow part (about 17 MB/s on this machine against 500 for tar itself), and an
 * image's files the container never touched cannot change its drift. Layer IDs are checked against
 * overlay2's naming before they reach a command line; other names reach the helper on stdin.
 * tar's exit status 1 (a file changed or vanished while it was read: a live container writes) is
 * kept as a warning in `notes`; anything worse fails the walk.
 * @throws Errors naming the host: the helper failed, stalled or was cancelled (the scan falls back
 *   or reports it); engine errors of create/start propagate.
 */
export function helperLayerWalk(
  docker: Dockerode,
  target: HelperWalkTarget,
  notes: HelperWalkNotes,
  uppers: ReadonlySet<string>,
): LayerWalk {
  return async (layers, visit) => {
    for (const id of layers) if (!LAYER_ID.test(id)) throw new Error(`not an overlay2 layer name: ${JSON.stringify(id)}`);
    const index = new Map(layers.map((id, i) => [id, i]));
    const top = layers.filter((id) => uppers.has(id));
    const lowers = layers.filter((id) => !uppers.has(id));
    const needs = new LowerNeeds();
    await runTar(docker, target, notes, index, { names: top }, async (layer, entry, open) => {
      needs.note(entry);
      await visit(layer, entry, open);
    });
    if (lowers.length === 0) return;
    const lists = needs.lists(lowers);
    await runTar(docker, target, notes, index, { list: lists.flat, recursion: false }, visit);
    await runTar(docker, target, notes, index, { list: lists.deep, recursion: true }, visit);
  };
}

type Visit = Parameters<LayerWalk>[1];

/** One helper running tar over `names` (layer directories, on the command line) or a NUL-separated `list` (on stdin). */
async function runTar(
  docker: Dockerode,
  target: HelperWalkTarget,
  notes: HelperWalkNotes,
  index: ReadonlyMap<string, number>,
  what: { names: readonly string[] } | { list: Buffer; recursion: boolean },
  visit: Visit,
): Promise<void> {
  if ('names' in what ? what.names.length === 0 : what.list.length === 0) return;
  const overlay = `${target.dataRoot === '/' ? '' : target.dataRoot}/overlay2`;
  // The helper's stdout, as a Node stream (the sink runStreamingHelper writes to), read by drift's
  // own tar reader: names stay raw bytes (a non-UTF-8 name must not collapse into another one).
  const sink = new PassThrough({ highWaterMark: 1024 * 1024 });
  let walkError: unknown;
  const reading = (async () => {
    // The archive ends before the stream does (GNU tar pads its last record with zeros): the
    // reader stops at the end marker without destroying the stream, and the rest is drained.
    for await (const { header, body } of readTar(sink.iterator({ destroyOnReturn: false }))) {
      const entry = layerEntryOf(header, index);
      if (!entry) continue;
      await visit(entry.layer, entry.entry, entry.entry.type === 'file' ? () => body : undefined);
    }
    sink.resume();
  })().catch((err: unknown) => {
    walkError ??= err;
    sink.destroy();
  });
  const tar = [
    '/usr/bin/tar',
    '--create',
    '--file=-',
    '--format=posix',
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=trusted.overlay.opaque',
  ];
  // A listed path an image layer does not hold is no error: most layers hold few of them.
  const fromList = ['--ignore-failed-read', '--warning=no-failed-read', '--null', '--verbatim-files-from', '--files-from=-'];
  const cmd =
    'names' in what
      ? [...tar, `--directory=/host${overlay}`, '--', ...what.names.map((id) => `${id}/diff`)]
      : // busybox head hands tar exactly the list's bytes and then end of file (the attach stream's
        // stdin stays open); the script is constant, the length and directory are its arguments.
        [
          '/bin/sh',
          '-c',
          `head -c "$1" | ${tar.join(' ')} --directory="$2" ${what.recursion ? '' : '--no-recursion '}${fromList.join(' ')}`,
          'sh',
          String(what.list.length),
          `/host${overlay}`,
        ];
  const list = 'list' in what ? what.list : undefined;
  const run = await runStreamingHelper(
    docker,
    { host: target.host, ledger: target.ledger, image: target.image, ...(target.caseId !== undefined ? { caseId: target.caseId } : {}) },
    {
      purpose: 'upper-dirs',
      cmd,
      capabilities: ['SYS_ADMIN', 'DAC_READ_SEARCH'],
      hostPaths: [overlay],
      timeoutMs: 6 * 60 * 60 * 1000,
      idleTimeoutMs: 120_000,
      ...(target.signal ? { signal: target.signal } : {}),
      ...(list ? { interact: (send: (data: Buffer) => void) => send(list) } : {}),
    },
    sink,
  );
  await reading;
  if (walkError !== undefined) throw walkError;
  if (run.cancelled) throw new Error(`the overlay2 read on host ${target.host} was cancelled`);
  if (run.timedOut || run.stalled) throw new Error(`the overlay2 read on host ${target.host} ${run.stalled ? 'stalled' : 'timed out'}`);
  if (run.error) throw new Error(`the overlay2 read on host ${target.host} broke off: ${run.error.message}`);
  const stderr = run.stderr.trim();
  if (run.exitCode === 1) {
    notes.warnings.push(
      ...stderr
        .split('\n')
        .slice(0, 20)
        .map((l) => `tar: ${l.replace(/^tar: /, '')}`),
    );
    return;
  }
  if (run.exitCode !== 0)
    throw new Error(`tar in the helper on host ${target.host} exited with ${String(run.exitCode)}: ${stderr.slice(0, 500)}`);
}
