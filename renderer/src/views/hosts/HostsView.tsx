import { useHosts } from '../../shell/hosts-context';
import { useNotify } from '../../shell/toasts';
import type { ViewProps } from '../view-types';
import { DataRoots } from './DataRoots';
import { DockerContexts } from './DockerContexts';
import { HostForm } from './HostForm';
import { HostRow } from './HostRow';
import './hosts.css';

/** Saved Docker hosts: add, test, connect, disconnect, remove. */
export function HostsView(_props: ViewProps) {
  const { profiles, status, loaded, reload } = useHosts();
  const notify = useNotify();

  return (
    <section className="dd-view dd-hosts" aria-label="Hosts">
      <div className="dd-view-head">
        <h1>Hosts</h1>
        <span className="dd-muted">
          {profiles.length} saved · {profiles.filter((p) => status.get(p.name)?.state === 'connected').length} connected
        </span>
      </div>
      <DockerContexts onAdded={() => void reload()} />
      <div className="dd-panel">
        <table className="dd-grid dd-hosts-table" aria-label="Saved hosts">
          <thead>
            <tr>
              <th>State</th>
              <th>Name</th>
              <th>URL</th>
              <th>Kind</th>
              <th>Since</th>
              <th>Last error</th>
              <th className="dd-right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <HostRow key={p.name} profile={p} status={status.get(p.name)} onRemoved={() => void reload()} />
            ))}
            {loaded && profiles.length === 0 && (
              <tr>
                <td colSpan={7} className="dd-empty">
                  No host saved yet. Use a Docker context above, or add an engine below.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <DataRoots />
      <HostForm
        onSaved={(profile) => {
          notify.ok(`Host ${profile.name} saved`);
          void reload();
        }}
      />
    </section>
  );
}
