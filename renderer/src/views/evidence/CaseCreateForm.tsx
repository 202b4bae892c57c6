import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { CaseInfo } from '../../../../shared/domain/evidence';
import { useAsyncAction } from '../../lib/use-async';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';

interface Props {
  /** Changes when another view asked for this form to be focused. */
  focusToken: number | null;
  onCreated: (c: CaseInfo) => void;
}

function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function CaseCreateForm({ focusToken, onCreated }: Props) {
  const client = useClient();
  const nameRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [examiner, setExaminer] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [timeZone, setTimeZone] = useState(localZone);
  const [description, setDescription] = useState('');

  useEffect(() => {
    if (focusToken !== null) nameRef.current?.focus();
  }, [focusToken]);

  const create = useAsyncAction(
    useCallback(
      () =>
        client.invoke('evidence.case-create', {
          name,
          organisation,
          timeZone: timeZone.trim() || 'UTC',
          description,
          ...(examiner.trim() ? { examiner: examiner.trim() } : {}),
        }),
      [client, name, organisation, timeZone, description, examiner],
    ),
  );

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const r = await create.run();
    if (!r.ok) return;
    setName('');
    setDescription('');
    onCreated(r.value);
  };

  return (
    <form className="dd-panel dd-caseform" onSubmit={(e) => void onSubmit(e)} aria-label="Create case">
      <h2 className="dd-panel-title">New case</h2>
      <div className="dd-form-grid dd-form-grid-2">
        <label>
          <span>Case name</span>
          <input ref={nameRef} value={name} onChange={(e) => setName(e.target.value)} placeholder="IR-2025-014 web tier" maxLength={200} />
        </label>
        <label>
          <span>Organisation</span>
          <input value={organisation} onChange={(e) => setOrganisation(e.target.value)} maxLength={200} />
        </label>
        <label>
          <span>Examiner</span>
          <input value={examiner} onChange={(e) => setExaminer(e.target.value)} placeholder="(default examiner)" maxLength={200} />
        </label>
        <label>
          <span>Time zone</span>
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} placeholder="UTC" className="dd-mono" maxLength={64} />
        </label>
      </div>
      <label className="dd-block-label">
        <span>Description</span>
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={2} maxLength={10000} />
      </label>
      <div className="dd-actions">
        <button type="submit" className="dd-primary" disabled={!name.trim() || create.busy}>
          Create and open case
        </button>
      </div>
      {create.error && <ErrorBox error={create.error} onDismiss={create.clearError} />}
    </form>
  );
}
