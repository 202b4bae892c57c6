import { useState } from 'react';
import type { SavedFile, SaveRequest } from '../../../shared/contract/save';
import type { DrydockError } from '../../../shared/result';
import { bytes } from '../lib/format';
import { visibleText } from '../views/processes/visible-text';
import { useClient } from './app-context';
import { ErrorBox } from './ErrorBox';

/**
 * Files out in one click: a download in the browser, the native save dialog in Electron. Says
 * what was saved and its SHA-256, so the copy can be checked against the store.
 */
export function SaveButton({ request, label, disabled }: { request: SaveRequest; label: string; disabled?: boolean }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SavedFile | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const verb = client.transport === 'electron' ? 'Save' : 'Download';

  const run = async () => {
    setBusy(true);
    setError(null);
    setSaved(null);
    const r = await client.save(request);
    setBusy(false);
    if (!r.ok) return setError(r.error);
    if (!r.value.cancelled) setSaved(r.value);
  };

  // One block: the button on its own line at its natural height, what was saved (or the error)
  // below it at full width, whatever row the caller puts the block in.
  return (
    <div className="dd-save">
      <button type="button" className="dd-primary" onClick={() => void run()} disabled={busy || disabled} data-testid="save-button">
        {busy ? 'Preparing…' : `${verb} ${label}${client.transport === 'electron' ? '…' : ''}`}
      </button>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {saved && (
        <div className="dd-okbox" data-testid="save-result">
          {client.transport === 'electron' && saved.path ? (
            <>Saved to {visibleText(saved.path, 400)}</>
          ) : (
            <>Downloading {visibleText(saved.filename, 200)}</>
          )}{' '}
          · {bytes(saved.bytes)} · <span className="dd-mono dd-small-text">sha256 {saved.sha256}</span>
        </div>
      )}
    </div>
  );
}
