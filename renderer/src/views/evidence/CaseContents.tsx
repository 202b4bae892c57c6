import { useCallback, useEffect, useState } from 'react';
import type { ArtifactInfo, AuditEntry, CaseInfo, VerifyReport } from '../../../../shared/domain/evidence';
import type { DrydockError, Result } from '../../../../shared/result';
import { useClient, useLiveEpoch } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';
import { ArtifactDetail } from './ArtifactDetail';
import { ArtifactsTable } from './ArtifactsTable';
import { AuditLog } from './AuditLog';
import { ReportPanel } from './ReportPanel';
import { changesAfter } from './verify-text';
import { VerifyResult } from './VerifyResult';

const PAGE = 1000;

function mergeAudit(prev: AuditEntry[], more: AuditEntry[]): AuditEntry[] {
  const seen = new Set(prev.map((e) => e.seq));
  return [...prev, ...more.filter((e) => !seen.has(e.seq))];
}

/** One case: verification, artifacts (live), the audit chain (live) and the note box. */
export function CaseContents({
  caseInfo,
  isCurrent,
  open,
}: {
  caseInfo: CaseInfo;
  isCurrent: boolean;
  /** An artifact another view asked to open (the timeline's evidence link), once per visit. */
  open?: { artifactId: string; visit: number } | null;
}) {
  const client = useClient();
  const epoch = useLiveEpoch();
  const caseId = caseInfo.id;
  const [artifacts, setArtifacts] = useState<ArtifactInfo[]>([]);
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const [auditMore, setAuditMore] = useState(false);
  const [selectedArtifact, setSelectedArtifact] = useState<string | null>(open?.artifactId ?? null);
  const [openedVisit, setOpenedVisit] = useState(open?.visit ?? -1);
  if (open && open.visit !== openedVisit) {
    setOpenedVisit(open.visit);
    setSelectedArtifact(open.artifactId);
  }
  const [loadError, setLoadError] = useState<DrydockError | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [verifyError, setVerifyError] = useState<DrydockError | null>(null);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<DrydockError | null>(null);
  const [noting, setNoting] = useState(false);

  const apply = useCallback(([a, l]: [Result<ArtifactInfo[]>, Result<AuditEntry[]>]) => {
    if (!a.ok) return setLoadError(a.error);
    if (!l.ok) return setLoadError(l.error);
    setLoadError(null);
    setArtifacts(a.value);
    setAudit((prev) => mergeAudit(l.value, prev));
    setAuditMore(l.value.length === PAGE);
  }, []);

  useEffect(() => {
    void Promise.all([
      client.invoke('evidence.artifacts', { caseRef: caseId, limit: 100_000 }),
      client.invoke('evidence.audit', { caseRef: caseId, afterSeq: 0, limit: PAGE }),
    ]).then(apply);
  }, [client, caseId, apply, epoch]);

  useEffect(() => {
    const offArtifact = client.on('evidence.artifact-added', (a) => {
      if (a.caseId !== caseId) return;
      setArtifacts((prev) => (prev.some((x) => x.id === a.id) ? prev.map((x) => (x.id === a.id ? a : x)) : [...prev, a]));
    });
    const offAudit = client.on('evidence.audit-appended', (e) => {
      if (e.caseId === caseId) setAudit((prev) => mergeAudit(prev, [e]));
    });
    return () => {
      offArtifact();
      offAudit();
    };
  }, [client, caseId]);

  const loadMoreAudit = async () => {
    const last = audit.reduce((max, e) => Math.max(max, e.seq), 0);
    const r = await client.invoke('evidence.audit', { caseRef: caseId, afterSeq: last, limit: PAGE });
    if (!r.ok) return setLoadError(r.error);
    setAudit((prev) => mergeAudit(prev, r.value));
    setAuditMore(r.value.length === PAGE);
  };

  const verify = async () => {
    setVerifying(true);
    setReport(null);
    setVerifyError(null);
    const r = await client.invoke('evidence.verify', { caseRef: caseId });
    setVerifying(false);
    if (r.ok) setReport(r.value);
    else setVerifyError(r.error);
  };

  const addNote = async () => {
    setNoting(true);
    setNoteError(null);
    const r = await client.invoke('evidence.note', { caseRef: caseId, text: note });
    setNoting(false);
    if (!r.ok) return setNoteError(r.error);
    setNote('');
    setAudit((prev) => mergeAudit(prev, [r.value]));
  };

  const sortedArtifacts = [...artifacts].sort((a, b) => b.acquiredAt.localeCompare(a.acquiredAt));
  const selected = artifacts.find((a) => a.id === selectedArtifact) ?? null;
  const incomplete = artifacts.filter((a) => a.status === 'incomplete').length;
  const writable = caseInfo.status === 'open' && !caseInfo.readOnly;

  return (
    <>
      <div className="dd-panel dd-ev-casehead" data-testid="viewed-case">
        <div className="dd-ev-casetitle">
          <h2>{visibleText(caseInfo.name, 200)}</h2>
          <span className={`dd-pill dd-pill-${caseInfo.status}`}>{caseInfo.status}</span>
          {caseInfo.readOnly && <span className="dd-pill dd-pill-warn">imported · read-only</span>}
          {isCurrent && <span className="dd-pill dd-pill-current">current</span>}
          <span className="dd-spacer" />
          <button type="button" className="dd-primary" onClick={() => void verify()} disabled={verifying}>
            {verifying ? 'Verifying…' : 'Verify'}
          </button>
        </div>
        <div className="dd-muted dd-small-text">
          <span className="dd-mono">{caseInfo.id}</span> · examiner {visibleText(caseInfo.examiner, 80)}
          {caseInfo.organisation && <> · {visibleText(caseInfo.organisation, 80)}</>} · {visibleText(caseInfo.timeZone, 40)}
        </div>
        {caseInfo.description && (
          <p className="dd-ev-desc">
            {caseInfo.description
              .split('\n')
              .slice(0, 40)
              .map((line) => visibleText(line, 400))
              .join('\n')}
          </p>
        )}
        {verifyError && <ErrorBox error={verifyError} onDismiss={() => setVerifyError(null)} />}
        {report && <VerifyResult report={report} changedSince={changesAfter(report.verifiedAt, audit, artifacts)} />}
      </div>
      {loadError && <ErrorBox error={loadError} onDismiss={() => setLoadError(null)} />}
      <ReportPanel caseId={caseId} caseName={caseInfo.name} writable={writable} />
      <div className="dd-panel">
        <h2 className="dd-panel-title">
          Artifacts ({artifacts.length}){incomplete > 0 && <span className="dd-warn-text"> · {incomplete} incomplete</span>}
        </h2>
        {artifacts.length === 0 ? (
          <div className="dd-empty">No artifact in this case yet.</div>
        ) : (
          <ArtifactsTable artifacts={sortedArtifacts} selectedId={selectedArtifact} onSelect={setSelectedArtifact} />
        )}
      </div>
      {selected && (
        <ArtifactDetail
          artifact={selected}
          onClose={() => setSelectedArtifact(null)}
          {...(open?.artifactId === selected.id ? { reveal: open.visit } : {})}
        />
      )}
      <div className="dd-panel">
        <h2 className="dd-panel-title">Audit log ({audit.length})</h2>
        {writable && (
          <div className="dd-notebox">
            <textarea
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="Examiner note (appended to the audit chain)"
              rows={2}
              aria-label="Note"
              maxLength={10000}
            />
            <button type="button" onClick={() => void addNote()} disabled={!note.trim() || noting}>
              Add note
            </button>
          </div>
        )}
        {noteError && <ErrorBox error={noteError} onDismiss={() => setNoteError(null)} />}
        <div className="dd-audit-wrap">
          <AuditLog entries={audit} />
        </div>
        {auditMore && (
          <button type="button" className="dd-small" onClick={() => void loadMoreAudit()}>
            Load more
          </button>
        )}
      </div>
    </>
  );
}
