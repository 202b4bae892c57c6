import { useEffect, useState } from 'react';
import { PREVIEW_MAX_BYTES } from '../../../../shared/contract/evidence';
import type { ProcessDetailReport } from '../../../../shared/domain/memory';
import type { DrydockError } from '../../../../shared/result';
import { bytes } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { ProcessDetailPanel } from './ProcessDetailPanel';

const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A stored 'process-detail' artifact read back as the report it holds, or null when it is not one
 * (the panel reads these fields without further checks, so they are checked here once).
 */
export function asDetailReport(value: unknown): ProcessDetailReport | null {
  if (!isObject(value) || !isArray(value.processes) || !isArray(value.connections) || !isArray(value.limitations)) return null;
  if (typeof value.host !== 'string' || typeof value.containerId !== 'string' || typeof value.containerName !== 'string') return null;
  const ok = value.processes.every(
    (p) =>
      isObject(p) &&
      typeof p.pid === 'number' &&
      typeof p.comm === 'string' &&
      isObject(p.exe) &&
      ['argv', 'environ', 'uids', 'gids', 'namespaces', 'fds', 'maps', 'flags'].every((k) => isArray(p[k])),
  );
  return ok ? (value as unknown as ProcessDetailReport) : null;
}

/** A stored live detail shown as it was taken, read when opened (up to the preview limit). */
export function StoredDetail({ artifactId }: { artifactId: string }) {
  const client = useClient();
  const [state, setState] = useState<{ report: ProcessDetailReport } | { note: string } | { error: DrydockError } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

  useEffect(() => {
    let current = true;
    void client.invoke('evidence.preview', { artifactId, maxBytes: PREVIEW_MAX_BYTES }).then((r) => {
      if (!current) return;
      if (!r.ok) return setState({ error: r.error });
      if (r.value.truncated || r.value.text === undefined)
        return setState({
          note: `The report is ${bytes(r.value.size)}, more than this view reads (${bytes(PREVIEW_MAX_BYTES)}): export it to read it whole.`,
        });
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(r.value.text);
      } catch {
        // not JSON: said below
      }
      const report = asDetailReport(parsed);
      setState(report ? { report } : { note: 'This artifact does not hold a process detail report this version can show.' });
    });
    return () => {
      current = false;
    };
  }, [client, artifactId]);

  if (!state) return <div className="dd-muted">Reading the report…</div>;
  if ('error' in state) return <ErrorBox error={state.error} compact />;
  if ('note' in state) return <div className="dd-muted">{state.note}</div>;
  return (
    <>
      <div className="dd-muted dd-small-text">
        The report as the Processes view shows it; secret-looking environment values are masked here and kept whole in the artifact
        (download or export it for the raw JSON).
      </div>
      <ProcessDetailPanel report={state.report} selected={selected} onSelect={setSelected} />
    </>
  );
}
