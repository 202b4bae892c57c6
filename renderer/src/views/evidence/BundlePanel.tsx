import { useState } from 'react';
import type { BundleExportResult, BundleImportResult, BundleSignatureCheck } from '../../../../shared/contract/evidence';
import type { DrydockError } from '../../../../shared/result';
import { bytes, utc } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { SaveButton } from '../../shell/SaveButton';
import { visibleText } from '../processes/visible-text';
import { VerifyResult } from './VerifyResult';

interface Props {
  caseId: string | null;
  onImported: (caseId: string) => void;
}

/** Case bundles: out to a file another examiner can verify, and in (verified before anything is accepted). */
export function BundlePanel({ caseId, onImported }: Props) {
  const client = useClient();
  const [exportPath, setExportPath] = useState('');
  const [importPath, setImportPath] = useState('');
  const [busy, setBusy] = useState<null | 'export' | 'import'>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [exported, setExported] = useState<BundleExportResult | null>(null);
  const [imported, setImported] = useState<BundleImportResult | null>(null);
  const [requireSignature, setRequireSignature] = useState(false);

  const doExport = async () => {
    setBusy('export');
    setError(null);
    setExported(null);
    const r = await client.invoke('evidence.export-bundle', { path: exportPath.trim(), ...(caseId ? { caseRef: caseId } : {}) });
    setBusy(null);
    if (r.ok) setExported(r.value);
    else setError(r.error);
  };
  const doImport = async () => {
    setBusy('import');
    setError(null);
    setImported(null);
    const r = await client.invoke('evidence.import-bundle', { path: importPath.trim(), requireSignature });
    setBusy(null);
    if (!r.ok) return setError(r.error);
    setImported(r.value);
    onImported(r.value.case.id);
  };

  return (
    <div className="dd-panel dd-bundles">
      <h2 className="dd-panel-title">Case bundle</h2>
      <div className="dd-inline-form">
        <SaveButton
          request={{ kind: 'bundle', ...(caseId ? { caseRef: caseId } : {}), filename: `case-${caseId ?? 'current'}.drydock.tar` }}
          label="bundle"
          disabled={!caseId}
        />
      </div>
      <div className="dd-inline-form">
        <input
          value={exportPath}
          onChange={(e) => setExportPath(e.target.value)}
          placeholder="/absolute/path/case.drydock.tar"
          className="dd-mono"
          aria-label="Bundle export path"
          spellCheck={false}
        />
        <button type="button" onClick={() => void doExport()} disabled={!caseId || !exportPath.trim() || busy !== null}>
          {busy === 'export' ? 'Exporting…' : 'Export bundle'}
        </button>
      </div>
      <div className="dd-inline-form">
        <input
          value={importPath}
          onChange={(e) => setImportPath(e.target.value)}
          placeholder="/absolute/path/received.drydock.tar"
          className="dd-mono"
          aria-label="Bundle import path"
          spellCheck={false}
        />
        <button type="button" onClick={() => void doImport()} disabled={!importPath.trim() || busy !== null}>
          {busy === 'import' ? 'Verifying…' : 'Import bundle'}
        </button>
      </div>
      <label
        className="dd-check dd-bundle-require"
        title="Refuse a bundle that is unsigned or signed by a key you have not trusted (drydock key trust)"
      >
        <input type="checkbox" checked={requireSignature} onChange={(e) => setRequireSignature(e.target.checked)} /> require a trusted
        signature
      </label>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {exported && (
        <div className="dd-okbox" data-testid="bundle-exported">
          Bundle written: <span className="dd-mono">{visibleText(exported.path, 400)}</span> · {bytes(exported.bytes)} ·{' '}
          {exported.artifacts} artifacts, {exported.auditEntries} audit entries
          <div className="dd-mono dd-small-text">sha256 {exported.sha256}</div>
        </div>
      )}
      {imported && (
        <div data-testid="bundle-imported">
          <div className="dd-okbox">
            Imported read-only case <b>{visibleText(imported.case.name, 200)}</b>{' '}
            <span className="dd-mono dd-muted">{imported.case.id}</span>
          </div>
          <SignatureLine signature={imported.signature} />
          <VerifyResult report={imported.report} label="Bundle verification" />
        </div>
      )}
    </div>
  );
}

/** Who signed an imported bundle and whether this store trusts that key; unsigned is said plainly. */
function SignatureLine({ signature }: { signature: BundleSignatureCheck }) {
  if (signature.status === 'unsigned') {
    return (
      <div className="dd-warnbox" data-testid="bundle-signature" data-status="unsigned">
        <b>Unsigned</b>: no examiner signed this bundle, so anyone could have written it. Its hashes only prove it is intact.
      </div>
    );
  }
  const who = (
    <>
      {visibleText(signature.signer, 200)} on {utc(signature.signedAt)} · key{' '}
      <span className="dd-mono dd-fingerprint">{signature.fingerprint}</span>
    </>
  );
  return signature.status === 'trusted' ? (
    <div className="dd-okbox" data-testid="bundle-signature" data-status="trusted">
      <b>Signed</b> by {who}, a key this store trusts as {visibleText(signature.trustedAs, 200)}.
    </div>
  ) : (
    <div className="dd-warnbox" data-testid="bundle-signature" data-status="untrusted">
      <b>Signed by an untrusted key</b>: {who}. Trust it only after checking the fingerprint with its owner.
    </div>
  );
}
