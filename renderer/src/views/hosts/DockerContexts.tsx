import { useEffect, useState } from 'react';
import type { DockerContextInfo } from '../../../../shared/domain/hosts';
import type { DrydockError } from '../../../../shared/result';
import { useApp } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';

interface Props {
  /** Called after a context was saved as a host profile. */
  onAdded: () => void;
}

/**
 * The docker CLI's contexts on this machine (the local socket, DOCKER_HOST, ~/.docker/contexts) that
 * are not saved yet: one click saves one as a host and opens its inventory, so a first start needs
 * no typing. The current context — what `docker ps` would talk to — is marked.
 */
export function DockerContexts({ onAdded }: Props) {
  const { client, navigate } = useApp();
  const [contexts, setContexts] = useState<DockerContextInfo[] | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void client.invoke('hosts.contexts', {}).then((r) => {
      if (!live) return;
      if (r.ok) setContexts(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client]);

  const unsaved = (contexts ?? []).filter((c) => !c.profile);
  if (!error && unsaved.length === 0) return null;

  const use = async (context: DockerContextInfo) => {
    setBusy(context.name);
    setError(null);
    const saved = await client.invoke('hosts.import-contexts', { names: [context.name] });
    setBusy(null);
    if (!saved.ok) return setError(saved.error);
    const profile = saved.value.imported[0];
    if (!profile) return setError({ kind: 'conflict', message: saved.value.skipped[0]?.why ?? `Context ${context.name} was not saved` });
    setContexts((all) => (all ?? []).map((c) => (c.name === context.name ? { ...c, profile: profile.name } : c)));
    onAdded();
    // Connected at once: the examiner asked to look at this engine (its event stream creates nothing on the host).
    const connected = await client.invoke('hosts.connect', { name: profile.name });
    if (!connected.ok) return setError(connected.error);
    navigate('inventory', { host: profile.name });
  };

  return (
    <div className="dd-panel dd-contexts" aria-label="Docker contexts">
      <h2>Docker contexts on this machine</h2>
      <p className="dd-muted">
        The engines the docker CLI knows here. Use one to save it as a host and open its inventory; the current context is the one `docker
        ps` talks to.
      </p>
      {error && <ErrorBox error={error} />}
      <table className="dd-grid">
        <tbody>
          {unsaved.map((c) => (
            <tr key={c.name} data-context={c.name}>
              <td>
                <b>{visibleText(c.name, 64)}</b> {c.current && <span className="dd-pill dd-pill-current">current</span>}
              </td>
              <td className="dd-mono dd-ellipsis" title={c.url}>
                {visibleText(c.url, 200)}
              </td>
              <td className="dd-muted">
                {visibleText(c.description, 120)}
                {c.tls && !c.tls.verify ? ' · TLS verification OFF' : ''}
              </td>
              <td className="dd-right">
                <button type="button" className="dd-primary dd-small" disabled={busy !== null} onClick={() => void use(c)}>
                  {busy === c.name ? 'Saving…' : 'Use'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
