import type { ProcessFlag } from '../../../shared/domain/processes';
import { baseName, programOf } from './process-flags';
import type { PsRow } from './ps-table';

/**
 * What a drift report says about a container's filesystem, reduced to what the process tree
 * needs: which paths were added or modified relative to the image. Supplied by the drift
 * capability (the latest drift report of that container in the case); null when there is none.
 */
export interface DriftFacts {
  reportArtifactId: string;
  changedPaths: ReadonlyMap<string, 'added' | 'modified'>;
}

export type DriftLookup = (request: { host: string; containerId: string; caseId: string }) => Promise<DriftFacts | null>;

const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Flags processes whose executable is not from the image. The program path comes from argv[0]
 * (the host's ps cannot show /proc/PID/exe of a container): absolute paths are looked up as they
 * are, bare names through the container's PATH, and a relative path by its file name when exactly
 * one changed file has that name. argv[0] can lie; a match is strong evidence, no match is not
 * proof of innocence — the reason says which kind of match it was.
 */
export function driftFlags(rows: readonly PsRow[], facts: DriftFacts, pathEnv: string | undefined): Map<number, ProcessFlag[]> {
  const dirs = pathEnv ? pathEnv.split(':').filter((d) => d.startsWith('/')) : DEFAULT_PATH;
  const byName = new Map<string, string[]>();
  for (const changed of facts.changedPaths.keys()) {
    const name = baseName(changed);
    byName.set(name, [...(byName.get(name) ?? []), changed]);
  }
  const flags = new Map<number, ProcessFlag[]>();
  for (const row of rows) {
    const program = programOf(row.args);
    if (!program) continue;
    let match: { path: string; how: string } | undefined;
    if (program.startsWith('/')) {
      if (facts.changedPaths.has(program)) match = { path: program, how: 'its path' };
    } else if (!program.includes('/')) {
      const found = dirs.map((d) => `${d.replace(/\/$/, '')}/${program}`).find((p) => facts.changedPaths.has(p));
      if (found) match = { path: found, how: 'PATH lookup of its name' };
    } else {
      const candidates = byName.get(baseName(program)) ?? [];
      if (candidates.length === 1 && candidates[0]) match = { path: candidates[0], how: 'its file name (relative path)' };
    }
    if (!match) continue;
    const change = facts.changedPaths.get(match.path);
    flags.set(row.pid, [
      {
        kind: 'not-from-image',
        severity: 'high',
        reason: `${match.path} was ${change} after the container started (drift report ${facts.reportArtifactId}; matched by ${match.how})`,
      },
    ]);
  }
  return flags;
}
