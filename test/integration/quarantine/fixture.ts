// Shared scaffolding for the quarantine tests: user networks with their own subnet (static IPs
// need one), reachability probed with real HTTP between containers, and the container's networks
// as the engine reports them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { docker, TEST_LABEL } from '../../helpers/docker';

export const WEB = 'drydock-fixture/web:1';
export const QUARANTINE_NET = 'drydock-quarantine';

/** Creates a user network with a free /24 (retries on overlap); returns its name and subnet prefix. */
export function networkWithSubnet(name: string): { name: string; prefix: string } {
  for (let attempt = 0; attempt < 40; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
    try {
      docker(['network', 'create', '--label', TEST_LABEL, '--subnet', `${prefix}.0/24`, name]);
      return { name, prefix };
    } catch (err) {
      if (!/overlap|in use/i.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
    }
  }
  throw new Error(`no free subnet for ${name}`);
}

export function removeNetworks(names: string[]): void {
  for (const name of names) {
    try {
      docker(['network', 'rm', name]);
    } catch {
      // Not created, or already gone.
    }
  }
}

const run = promisify(execFile);

/**
 * Whether `from` fetches the fixture page from url (busybox wget; its -T option crashes, hence
 * timeout). Asynchronous, so a server in the test process itself can answer.
 */
export async function fetches(from: string, url: string, seconds = 3): Promise<boolean> {
  try {
    const { stdout } = await run('docker', ['exec', from, 'timeout', String(seconds), 'wget', '-q', '-O', '-', url], { encoding: 'utf8' });
    return stdout.includes('drydock fixture web');
  } catch {
    return false;
  }
}

export interface EngineEndpoint {
  IPAddress: string;
  Aliases: string[] | null;
  IPAMConfig: { IPv4Address?: string } | null;
  NetworkID: string;
}

export function networksOf(container: string): Record<string, EngineEndpoint> {
  return JSON.parse(docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', container])) as Record<string, EngineEndpoint>;
}

export function stateOf(container: string): { Status: string; Paused: boolean; Running: boolean } {
  return JSON.parse(docker(['inspect', '-f', '{{json .State}}', container])) as { Status: string; Paused: boolean; Running: boolean };
}

/** User aliases only: the engine adds the short ID itself on every connect. */
export function userAliasesOf(endpoint: EngineEndpoint | undefined, id: string): string[] {
  return (endpoint?.Aliases ?? []).filter((a) => a !== id.slice(0, 12)).sort();
}

/**
 * The quarantine network is removed once unused; other test files may be using it at the same
 * time, so "gone" or "still used by some container" are the two acceptable outcomes.
 */
export function quarantineNetworkGoneOrUsed(): boolean {
  try {
    docker(['network', 'inspect', QUARANTINE_NET]);
  } catch {
    return true;
  }
  return docker(['ps', '-aq', '--filter', `network=${QUARANTINE_NET}`]) !== '';
}

/**
 * `docker run -d` for many containers, a few at a time (one by one takes most of a minute for
 * twenty). Each ID also goes into `created` as soon as it exists, so after() removes them even
 * when a later one fails.
 */
export async function runMany(argLists: string[][], created: string[], concurrency = 5): Promise<string[]> {
  const ids: string[] = new Array<string>(argLists.length);
  let next = 0;
  const worker = async () => {
    while (next < argLists.length) {
      const i = next++;
      const { stdout } = await run('docker', ['run', '-d', '--label', TEST_LABEL, ...argLists[i]!], { encoding: 'utf8' });
      ids[i] = stdout.trim();
      created.push(ids[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

export function removeAll(ids: string[]): void {
  if (!ids.length) return;
  try {
    docker(['rm', '-f', '-v', ...ids]);
  } catch {
    // Some were already gone; the rest were removed.
  }
}
