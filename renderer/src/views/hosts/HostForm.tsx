import { useCallback, useState, type FormEvent } from 'react';
import type { EngineFacts, HostProfile } from '../../../../shared/domain/hosts';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { TlsOffBadge } from '../../shell/HostLabel';
import { useAsyncAction } from '../../lib/use-async';
import { EngineFactsPanel } from './EngineFactsPanel';
import { EMPTY_HOST_FORM, toHostInput, urlScheme, type HostFormState } from './host-form-model';

interface Props {
  onSaved: (profile: HostProfile) => void;
}

/** Add a host profile. Files are named, never read here: keys and certificates stay on disk. */
export function HostForm({ onSaved }: Props) {
  const client = useClient();
  const [form, setForm] = useState<HostFormState>(EMPTY_HOST_FORM);
  const [facts, setFacts] = useState<EngineFacts | null>(null);
  const scheme = urlScheme(form.url);

  const test = useAsyncAction(useCallback(() => client.invoke('hosts.test', toHostInput(form)), [client, form]));
  const save = useAsyncAction(useCallback(() => client.invoke('hosts.add', toHostInput(form)), [client, form]));

  const set = <K extends keyof HostFormState>(key: K, value: HostFormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const onTest = async () => {
    setFacts(null);
    const r = await test.run();
    if (r.ok) setFacts(r.value);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const r = await save.run();
    if (r.ok) {
      test.clearError();
      onSaved(r.value);
      setForm(EMPTY_HOST_FORM);
      setFacts(null);
    }
  };

  const complete = form.name.trim() !== '' && form.url.trim() !== '';

  return (
    <form className="dd-panel dd-hostform" onSubmit={(e) => void onSubmit(e)} aria-label="Add host">
      <h2 className="dd-panel-title">Add host</h2>
      <div className="dd-form-grid dd-hostform-main">
        <label>
          <span>Name</span>
          <input
            value={form.name}
            onChange={(e) => set('name', e.target.value)}
            placeholder="prod-web-01"
            autoComplete="off"
            spellCheck={false}
            maxLength={64}
          />
        </label>
        <label>
          <span>Engine URL</span>
          <input
            value={form.url}
            onChange={(e) => set('url', e.target.value)}
            placeholder="unix:///var/run/docker.sock · tcp://10.0.0.5:2376 · ssh://ir@host"
            className="dd-mono"
            autoComplete="off"
            spellCheck={false}
          />
        </label>
      </div>
      {scheme === 'tcp' && (
        <fieldset className="dd-fieldset">
          <legend>TLS</legend>
          <div className="dd-form-grid">
            <label>
              <span>CA certificate</span>
              <input
                value={form.caFile}
                onChange={(e) => set('caFile', e.target.value)}
                placeholder="/path/ca.pem"
                className="dd-mono"
                spellCheck={false}
              />
            </label>
            <label>
              <span>Client certificate</span>
              <input
                value={form.certFile}
                onChange={(e) => set('certFile', e.target.value)}
                placeholder="/path/cert.pem"
                className="dd-mono"
                spellCheck={false}
              />
            </label>
            <label>
              <span>Client key</span>
              <input
                value={form.keyFile}
                onChange={(e) => set('keyFile', e.target.value)}
                placeholder="/path/key.pem"
                className="dd-mono"
                spellCheck={false}
              />
            </label>
          </div>
          <label className="dd-check">
            <input type="checkbox" checked={form.verify} onChange={(e) => set('verify', e.target.checked)} />
            Verify the engine's certificate
          </label>
          {!form.verify && (
            <div className="dd-warnbox" role="alert">
              <TlsOffBadge /> The engine's identity will not be checked. Anyone between you and this host can read and alter what Drydock
              sees. Use only on an isolated link.
            </div>
          )}
        </fieldset>
      )}
      {scheme === 'ssh' && (
        <fieldset className="dd-fieldset">
          <legend>SSH</legend>
          <label>
            <span>Private key file</span>
            <input
              value={form.sshKeyFile}
              onChange={(e) => set('sshKeyFile', e.target.value)}
              placeholder="/home/you/.ssh/id_ed25519 (empty: SSH agent)"
              className="dd-mono"
              spellCheck={false}
            />
          </label>
        </fieldset>
      )}
      {scheme === 'other' && form.url.trim() !== '' && (
        <div className="dd-hint dd-bad">The URL must start with unix://, tcp:// or ssh://</div>
      )}
      <div className="dd-actions">
        <button type="button" onClick={() => void onTest()} disabled={!complete || test.busy}>
          {test.busy ? 'Testing…' : 'Test'}
        </button>
        <button type="submit" className="dd-primary" disabled={!complete || save.busy}>
          Save host
        </button>
      </div>
      {test.error && <ErrorBox error={test.error} onDismiss={test.clearError} />}
      {save.error && <ErrorBox error={save.error} onDismiss={save.clearError} />}
      {facts && <EngineFactsPanel facts={facts} />}
    </form>
  );
}
