import { useState } from 'react';
import type { CaseReport } from '../../../../shared/domain/report';
import type { DrydockError } from '../../../../shared/result';
import { bytes } from '../../lib/format';
import { SaveButton } from '../../shell/SaveButton';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';

/**
 * The case report from the Evidence view: made in the core (HTML, and a PDF where a browser
 * engine can render one), stored in the case, then saved out like any artifact.
 */
export function ReportPanel({ caseId, caseName, writable }: { caseId: string; caseName: string; writable: boolean }) {
  const client = useClient();
  const [busy, setBusy] = useState<'html' | 'pdf' | null>(null);
  const [report, setReport] = useState<CaseReport | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);

  const make = async (format: 'html' | 'pdf') => {
    setBusy(format);
    setError(null);
    setReport(null);
    const r = await client.invoke('report.create', { caseRef: caseId, format });
    setBusy(null);
    if (r.ok) setReport(r.value);
    else setError(r.error);
  };

  return (
    <div className="dd-panel" aria-label="Case report">
      <h2 className="dd-panel-title">Case report</h2>
      {!writable && <div className="dd-muted">The report is stored in the case it reports on: open cases only.</div>}
      <div className="dd-inline-form">
        <button type="button" className="dd-primary" disabled={!writable || busy !== null} onClick={() => void make('html')}>
          {busy === 'html' ? 'Writing…' : 'Report (HTML)'}
        </button>
        <button type="button" disabled={!writable || busy !== null} onClick={() => void make('pdf')}>
          {busy === 'pdf' ? 'Rendering…' : 'Report (PDF)'}
        </button>
      </div>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {report && (
        <div className="dd-report-result" data-testid="report-result">
          <div>
            {report.findings} findings · {report.timelineRows} timeline rows · {report.artifacts} artifacts · the case{' '}
            {report.verified ? <b>verified</b> : <b className="dd-warn-text">failed verification</b>}
          </div>
          <div className="dd-small-text dd-mono">
            HTML {report.html.artifactId} · {bytes(report.html.bytes)} · sha256 {report.html.sha256}
          </div>
          <SaveButton
            request={{ kind: 'artifact', artifactId: report.html.artifactId, filename: `${caseName}-report.html` }}
            label="HTML report"
          />
          {report.pdf && (
            <>
              <div className="dd-small-text dd-mono">
                PDF {report.pdf.artifactId} · {bytes(report.pdf.bytes)} · sha256 {report.pdf.sha256}
              </div>
              <SaveButton
                request={{ kind: 'artifact', artifactId: report.pdf.artifactId, filename: `${caseName}-report.pdf` }}
                label="PDF report"
              />
            </>
          )}
          {report.pdfUnavailable && <div className="dd-warn-text">No PDF: {visibleText(report.pdfUnavailable, 400)}</div>}
        </div>
      )}
    </div>
  );
}
