import type { BenchmarkCheck } from '../../../shared/domain/benchmark';
import { CATALOG } from './catalog';
import type { EngineFacts } from './facts';
import { hostFileChecks } from './host-file-checks';
import { ev, result } from './verdicts';

/** Why sections 1 and 3 are not decided: the Engine API does not show the host's files. */
export const HOST_FILES_REASON =
  "needs the engine host's files, which were not read: tick 'read host files' in the app's Audit view, or run drydock audit without --no-host-files (a short-lived read-only helper binds only the checked paths)";

/** Sections 1 and 3: the host's partitions, users, audit rules, unit files, /etc/docker and socket modes. */
export function hostChecks(facts: EngineFacts): BenchmarkCheck[] {
  const fromFiles = facts.hostFiles && 'stats' in facts.hostFiles ? hostFileChecks(facts.hostFiles) : undefined;
  const filesError = facts.hostFiles && 'error' in facts.hostFiles ? facts.hostFiles.error : undefined;
  return CATALOG.filter((e) => e.section === 1 || e.section === 3).map((e) => {
    const decided = fromFiles?.get(e.id);
    if (decided) return decided;
    if (e.id === '1.2.2') {
      return result(
        e.id,
        'info',
        'The engine reports its version; whether it is current needs the release list, which an air-gapped host cannot reach',
        [ev('GET /info', 'ServerVersion', facts.info.ServerVersion), ev('GET /version', 'ApiVersion', facts.apiVersion)],
      );
    }
    if (fromFiles || filesError)
      return result(
        e.id,
        'could-not-check',
        filesError
          ? `the host-file helper failed: ${filesError}`
          : e.id.startsWith('3.')
            ? "the TLS and registry files are named on the daemon's command line, which a helper on the host cannot see"
            : "needs the host's mount table, users and hardening: not read by the host-file helper",
        [ev('host', e.title.replace(/^Ensure (that )?/, ''), 'not read')],
      );
    return result(e.id, 'could-not-check', HOST_FILES_REASON, [
      ev('host', e.title.replace(/^Ensure (that )?/, ''), 'not read: the Engine API does not expose it'),
    ]);
  });
}
