import { createHash } from 'node:crypto';
import type { ContainerInspectInfo } from 'dockerode';
import type { DataRootLayer, DataRootProblem } from '../../../shared/domain/dataroot';
import type { DataRootSource } from './source';

// What the engine wrote about its containers, images and layers, read from the data root the way
// the engine itself reads them at start-up (moby: container/container.go FromDisk for
// containers/<id>/config.v2.json and hostconfig.json; image/store.go and image/fs.go for
// image/<driver>/imagedb/content/sha256/<id>, the image config of the OCI image spec; layer/
// layer_store.go for layerdb/sha256/<chain-id>/{diff,cache-id,parent,size} and
// layerdb/mounts/<container-id>/{mount-id,init-id,parent}; reference/store.go for
// repositories.json). Chain IDs follow the OCI image spec (config.md, "Layer ChainID"):
// ChainID(L0) = DiffID(L0), ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
// Every byte is hostile: IDs must be 64 hex digits before they name a path, JSON is size-capped and
// parsed defensively, and what cannot be read becomes a problem of the result, never a silent skip.

const HEX64 = /^[0-9a-f]{64}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ContainerRecord {
  id: string;
  /** The record in the shape of the engine's inspect answer (what the live inventory judges). */
  inspect: ContainerInspectInfo;
  /** overlay2 directory of the writable layer, its init layer and the image layers (top first). */
  mountId?: string;
  initId?: string;
  imageLayers: string[];
  logPath?: string;
  logDriver: string;
}

export interface ImageRecord {
  id: string;
  config: Record<string, unknown>;
  tags: string[];
  digests: string[];
  layers: DataRootLayer[];
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function readJson(src: DataRootSource, rel: string, problems: DataRootProblem[]): Promise<Json | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await src.readFile(rel);
  } catch (err) {
    problems.push({ path: rel, problem: (err as Error).message });
    return undefined;
  }
  if (!bytes) return undefined;
  try {
    const value = JSON.parse(bytes.toString('utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ path: rel, problem: 'not a JSON object: not read' });
      return undefined;
    }
    return value as Json;
  } catch (err) {
    problems.push({ path: rel, problem: `invalid JSON (${(err as Error).message}): not read` });
    return undefined;
  }
}

async function readText(src: DataRootSource, rel: string, problems: DataRootProblem[]): Promise<string | undefined> {
  try {
    return (await src.readFile(rel, 4096))?.toString('utf8').trim();
  } catch (err) {
    problems.push({ path: rel, problem: (err as Error).message });
    return undefined;
  }
}

/** The state string the engine derives (moby container/state.go StateString). */
export function stateString(state: Json): string {
  if (state.Running === true) return state.Paused === true ? 'paused' : state.Restarting === true ? 'restarting' : 'running';
  if (state.RemovalInProgress === true) return 'removing';
  if (state.Dead === true) return 'dead';
  const started = str(state.StartedAt);
  return !started || started === ZERO_TIME ? 'created' : 'exited';
}

/** The image's layers from the top: chain IDs down the layerdb parent links, each with its cache ID. */
async function layerChain(src: DataRootSource, driver: string, top: string, problems: DataRootProblem[]): Promise<DataRootLayer[]> {
  const out: DataRootLayer[] = [];
  let chain: string | undefined = top;
  const seen = new Set<string>();
  while (chain && DIGEST.test(chain) && !seen.has(chain) && out.length < 256) {
    seen.add(chain);
    const dir = `image/${driver}/layerdb/sha256/${chain.slice(7)}`;
    const diffId = await readText(src, `${dir}/diff`, problems);
    const cacheId = await readText(src, `${dir}/cache-id`, problems);
    const size = await readText(src, `${dir}/size`, problems);
    if (cacheId !== undefined && !/^[0-9a-f]{64}$/.test(cacheId))
      problems.push({
        path: `${dir}/cache-id`,
        problem: `not a layer directory ID (${JSON.stringify(cacheId.slice(0, 80))}): not followed`,
      });
    out.push({
      diffId: diffId ?? '',
      chainId: chain,
      ...(cacheId && HEX64.test(cacheId) ? { cacheId } : {}),
      ...(size && /^\d+$/.test(size) ? { size: Number(size) } : {}),
    });
    chain = await readText(src, `${dir}/parent`, problems);
  }
  return out;
}

/** Every container of the data root, with its layers; unreadable ones become problems. */
export async function readContainers(src: DataRootSource, problems: DataRootProblem[]): Promise<ContainerRecord[]> {
  const out: ContainerRecord[] = [];
  const driver = 'overlay2';
  for (const id of (await src.list('containers')) ?? []) {
    if (!HEX64.test(id)) {
      problems.push({ path: `containers/${id}`, problem: 'not a container ID (64 hex digits): not read' });
      continue;
    }
    const config = await readJson(src, `containers/${id}/config.v2.json`, problems);
    if (!config) {
      if (!problems.some((p) => p.path === `containers/${id}/config.v2.json`))
        problems.push({ path: `containers/${id}/config.v2.json`, problem: 'missing: the container cannot be described' });
      continue;
    }
    const hostConfig = (await readJson(src, `containers/${id}/hostconfig.json`, problems)) ?? {};
    const state = obj(config.State);
    const mountPoints = obj(config.MountPoints);
    const mounts = Object.values(mountPoints).map((raw) => {
      const m = obj(raw);
      return {
        Type: str(m.Type) ?? (str(m.Name) ? 'volume' : 'bind'),
        ...(str(m.Name) ? { Name: str(m.Name) } : {}),
        Source: str(m.Source) ?? '',
        Destination: str(m.Destination) ?? '',
        ...(str(m.Driver) ? { Driver: str(m.Driver) } : {}),
        Mode: str(m.Mode) ?? '',
        RW: m.RW === true,
        Propagation: str(m.Propagation) ?? '',
      };
    });
    const configured = obj(config.Config);
    const inspect = {
      Id: str(config.ID) === id ? id : id,
      Created: str(config.Created) ?? '',
      Path: str(config.Path) ?? '',
      Args: Array.isArray(config.Args) ? config.Args.filter((a): a is string => typeof a === 'string') : [],
      State: { ...state, Status: stateString(state) },
      Image: str(config.Image) ?? '',
      Name: str(config.Name) ?? `/${id.slice(0, 12)}`,
      RestartCount: typeof config.RestartCount === 'number' ? config.RestartCount : 0,
      Driver: str(config.Driver) ?? '',
      AppArmorProfile: str(config.AppArmorProfile) ?? '',
      HostConfig: hostConfig,
      Config: { ...configured, Image: str(configured.Image) ?? '', Labels: obj(configured.Labels) },
      NetworkSettings: obj(config.NetworkSettings),
      Mounts: mounts,
      LogPath: str(config.LogPath) ?? '',
    } as unknown as ContainerInspectInfo;
    if (str(config.ID) !== id)
      problems.push({
        path: `containers/${id}/config.v2.json`,
        problem: `records the ID ${JSON.stringify(str(config.ID) ?? '')}, not its directory's`,
      });
    const record: ContainerRecord = {
      id,
      inspect,
      imageLayers: [],
      logDriver: str(obj(hostConfig.LogConfig).Type) ?? 'json-file',
      ...(str(config.LogPath) ? { logPath: str(config.LogPath) } : {}),
    };
    const mountDir = `image/${driver}/layerdb/mounts/${id}`;
    const mountId = await readText(src, `${mountDir}/mount-id`, problems);
    const initId = await readText(src, `${mountDir}/init-id`, problems);
    const parent = await readText(src, `${mountDir}/parent`, problems);
    if (mountId !== undefined) {
      if (HEX64.test(mountId)) record.mountId = mountId;
      else
        problems.push({
          path: `${mountDir}/mount-id`,
          problem: `not a layer directory ID (${JSON.stringify(mountId.slice(0, 80))}): not followed`,
        });
    }
    if (initId !== undefined) {
      if (/^[0-9a-f]{64}-init$/.test(initId)) record.initId = initId;
      else
        problems.push({
          path: `${mountDir}/init-id`,
          problem: `not an init layer directory ID (${JSON.stringify(initId.slice(0, 80))}): not followed`,
        });
    }
    if (parent) record.imageLayers = (await layerChain(src, driver, parent, problems)).flatMap((l) => (l.cacheId ? [l.cacheId] : []));
    out.push(record);
  }
  return out;
}

/** The chain IDs of a list of diff IDs (OCI image spec, "Layer ChainID"). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diff of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diff : `sha256:${createHash('sha256').update(`${prev} ${diff}`).digest('hex')}`);
  }
  return out;
}

/** Every image of the data root's overlay2 image store, with tags and layers (bottom first). */
export async function readImages(src: DataRootSource, problems: DataRootProblem[]): Promise<Map<string, ImageRecord>> {
  const driver = 'overlay2';
  const images = new Map<string, ImageRecord>();
  const repos = obj((await readJson(src, `image/${driver}/repositories.json`, problems))?.Repositories);
  const tagsOf = new Map<string, { tags: string[]; digests: string[] }>();
  for (const refs of Object.values(repos)) {
    for (const [ref, target] of Object.entries(obj(refs))) {
      if (typeof target !== 'string') continue;
      const entry = tagsOf.get(target) ?? { tags: [], digests: [] };
      (ref.includes('@') ? entry.digests : entry.tags).push(ref);
      tagsOf.set(target, entry);
    }
  }
  for (const hex of (await src.list(`image/${driver}/imagedb/content/sha256`)) ?? []) {
    if (!HEX64.test(hex)) {
      problems.push({ path: `image/${driver}/imagedb/content/sha256/${hex}`, problem: 'not an image ID: not read' });
      continue;
    }
    const config = await readJson(src, `image/${driver}/imagedb/content/sha256/${hex}`, problems);
    if (!config) continue;
    const id = `sha256:${hex}`;
    const diffIds = (Array.isArray(obj(config.rootfs).diff_ids) ? (obj(config.rootfs).diff_ids as unknown[]) : []).filter(
      (d): d is string => typeof d === 'string' && DIGEST.test(d),
    );
    const layers: DataRootLayer[] = [];
    const chains = chainIds(diffIds);
    for (let i = 0; i < diffIds.length; i++) {
      const chainId = chains[i] as string;
      const dir = `image/${driver}/layerdb/sha256/${chainId.slice(7)}`;
      const cacheId = await readText(src, `${dir}/cache-id`, problems);
      const recorded = await readText(src, `${dir}/diff`, problems);
      const size = await readText(src, `${dir}/size`, problems);
      if (recorded !== undefined && recorded !== diffIds[i])
        problems.push({ path: `${dir}/diff`, problem: `records ${recorded.slice(0, 80)}, but the image lists ${diffIds[i] as string}` });
      layers.push({
        diffId: diffIds[i] as string,
        chainId,
        ...(cacheId && HEX64.test(cacheId) ? { cacheId } : {}),
        ...(size && /^\d+$/.test(size) ? { size: Number(size) } : {}),
      });
    }
    const refs = tagsOf.get(id) ?? { tags: [], digests: [] };
    images.set(id, { id, config, tags: refs.tags.sort(), digests: refs.digests.sort(), layers });
  }
  return images;
}
