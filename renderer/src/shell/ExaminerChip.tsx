import { useEffect, useState, type FormEvent } from 'react';
import type { ActingExaminer } from '../../../shared/domain/evidence';
import { visibleText } from '../views/processes/visible-text';
import { useApp } from './app-context';
import { useCases } from './case-context';
import { useNotify } from './toasts';

const SOURCE_TEXT: Record<ActingExaminer['source'], string> = {
  explicit: 'chosen here',
  DRYDOCK_EXAMINER: 'from DRYDOCK_EXAMINER',
  case: "the case's examiner",
  'os-user': 'the login name (no examiner chosen)',
};

/**
 * Who is acting — the name written on every audit entry — and by which rule, in the header; a
 * click lets the examiner type their own name (the change is itself an audit entry).
 */
export function ExaminerChip() {
  const { client } = useApp();
  const { current } = useCases();
  const notify = useNotify();
  const [acting, setActing] = useState<ActingExaminer | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');

  useEffect(() => {
    let live = true;
    void client.invoke('evidence.examiner', {}).then((r) => {
      if (live && r.ok) setActing(r.value);
    });
    const off = client.on('evidence.examiner-changed', (value) => setActing(value));
    return () => {
      live = false;
      off();
    };
  }, [client, current?.id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const r = await client.invoke('evidence.examiner-set', { name: draft });
    if (!r.ok) return notify.error(r.error, 'Setting the examiner');
    setActing(r.value);
    setEditing(false);
  };

  if (!acting) return null;
  return (
    <div className="dd-header-examiner" data-testid="examiner">
      <span className="dd-header-label">EXAMINER</span>
      {editing ? (
        <form onSubmit={(e) => void submit(e)} className="dd-inline-form">
          <input
            autoFocus
            aria-label="Examiner name"
            value={draft}
            maxLength={200}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
          />
          <button type="submit" className="dd-small">
            Set
          </button>
        </form>
      ) : (
        <button
          type="button"
          className="dd-case-chip"
          title={`${SOURCE_TEXT[acting.source]}; written on every audit entry. Click to change.`}
          onClick={() => {
            setDraft(acting.source === 'explicit' ? acting.name : '');
            setEditing(true);
          }}
        >
          {visibleText(acting.name, 60)}
        </button>
      )}
    </div>
  );
}
