import { useEffect, useState } from 'react';
import { counted } from '../../../../shared/counted';
import type { DataRootInventory, DataRootSourceEntry } from '../../../../shared/domain/dataroot';
import type { DrydockError } from '../../../../shared/result';
import { useApp } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';

/**
 * Data roots opened as read-only sources beside the live hosts: a Docker data root from a disk
 * image, a copied tree or a tarball, read with no daemon (dead-box analysis). Each is marked
 * read-only wherever it shows; its inventory is read from disk and stored in the case.
 */
export function DataRoots() {
  const { client } = useApp();
  const [sources, setSources] = useState<DataRootSourceEntry[]>([]);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DrydockError | null>(null);
  const [inventories, setInventories] = useState<Record<string, DataRootInventory>>({});

  useEffect(() => {
    let live = true;
    void client.invoke('dataroot.list', {}).then((r) => {
      if (live && r.ok) setSources(r.value);
    });
    return () => {
      live = false;
    };
  }, [client]);

  const open = async () => {
    setBusy(true);
    setError(null);
    const opened = await client.invoke('dataroot.open', { dataRoot: path.trim() });
    setBusy(false);
    if (!opened.ok) return setError(opened.error);
    setSources((all) => [...all.filter((s) => s.source.path !== opened.value.source.path), opened.value]);
    setPath('');
  };

  const inventory = async (entry: DataRootSourceEntry) => {
    setError(null);
    const read = await client.invoke('dataroot.inventory', { dataRoot: entry.source.path });
    if (!read.ok) return setError(read.error);
    setInventories((all) => ({ ...all, [entry.source.path]: read.value }));
  };

  return (
    <div className="dd-panel dd-dataroots" aria-label="Data roots">
      <h2>Data roots (read-only, no daemon)</h2>
      <p className="dd-muted">
        A Docker data root (/var/lib/docker) from a mounted disk image, a copied tree or a tarball, read in place: nothing is written to it,
        no link is followed out of it, nothing is mounted. On macOS and Windows, open a tarball or a disk image of it, never a copied tree:
        whiteouts and overlay attributes survive only on Linux filesystems.
      </p>
      {error && <ErrorBox error={error} />}
      <form
        className="dd-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void open();
        }}
      >
        <input
          aria-label="Data root path"
          className="dd-mono"
          placeholder="/mnt/evidence/var/lib/docker or docker-root.tar"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          size={60}
        />
        <button type="submit" className="dd-primary dd-small" disabled={busy || !path.trim()}>
          {busy ? 'Opening…' : 'Open data root…'}
        </button>
      </form>
      {sources.length > 0 && (
        <table className="dd-grid" aria-label="Opened data roots">
          <tbody>
            {sources.map((entry) => {
              const inv = inventories[entry.source.path];
              return (
                <tr key={entry.source.path} data-dataroot={entry.source.path}>
                  <td>
                    <span className="dd-pill dd-pill-readonly">read-only data root</span>
                  </td>
                  <td className="dd-mono dd-ellipsis" title={entry.source.path}>
                    {visibleText(entry.source.path, 200)}
                  </td>
                  <td className="dd-muted">
                    {entry.source.kind} · {counted(entry.containers, 'container')} · {counted(entry.images, 'image')}
                    {entry.problems ? ` · ${counted(entry.problems, 'problem')}` : ''}
                    {entry.source.warnings.map((w) => (
                      <div key={w} className="dd-host-error">
                        {visibleText(w, 400)}
                      </div>
                    ))}
                    {inv && (
                      <ul className="dd-dataroot-containers" aria-label="Containers on disk">
                        {inv.containers.map((c) => (
                          <li key={c.id}>
                            <b>{visibleText(c.name, 80)}</b> {c.state} {c.topSeverity ? `· ${c.topSeverity}` : ''} ·{' '}
                            {c.risks.map((r) => r.id).join(', ') || 'no flag'}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="dd-right">
                    <button type="button" className="dd-small" onClick={() => void inventory(entry)}>
                      Inventory
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
