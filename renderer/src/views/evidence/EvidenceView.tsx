import { useState } from 'react';
import { useCases } from '../../shell/case-context';
import type { ViewProps } from '../view-types';
import { BundlePanel } from './BundlePanel';
import { CaseContents } from './CaseContents';
import { CaseCreateForm } from './CaseCreateForm';
import { CasesTable } from './CasesTable';
import './evidence.css';

/** Cases on the left (list, creation, bundles); the case being browsed on the right. */
export function EvidenceView({ params, visit }: ViewProps) {
  const { cases, current, reload } = useCases();
  const currentId = current?.id ?? null;
  const [viewedId, setViewedId] = useState<string | null>(currentId);
  const [followedId, setFollowedId] = useState<string | null>(currentId);

  // Follow the current case when it changes; in between, the examiner may browse any other one.
  if (currentId !== followedId) {
    setFollowedId(currentId);
    setViewedId(currentId);
  }
  const viewed = cases.find((c) => c.id === viewedId) ?? null;

  return (
    <section className="dd-view dd-evidence" aria-label="Evidence">
      <div className="dd-view-head">
        <h1>Evidence</h1>
      </div>
      <div className="dd-ev-layout">
        <div className="dd-ev-side">
          <CasesTable cases={cases} currentId={currentId} viewedId={viewedId} onView={setViewedId} onChanged={() => void reload()} />
          <CaseCreateForm focusToken={params.focus === 'create-case' ? visit : null} onCreated={(c) => setViewedId(c.id)} />
          <BundlePanel
            caseId={viewedId}
            onImported={(id) => {
              void reload();
              setViewedId(id);
            }}
          />
        </div>
        <div className="dd-ev-main">
          {viewed ? (
            <CaseContents
              key={viewed.id}
              caseInfo={viewed}
              isCurrent={viewed.id === currentId}
              open={params.artifact !== undefined ? { artifactId: params.artifact, visit } : null}
            />
          ) : (
            <div className="dd-panel dd-empty">No case selected. Create one, or pick one from the list.</div>
          )}
        </div>
      </div>
    </section>
  );
}
