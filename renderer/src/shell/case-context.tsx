import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CaseList } from '../../../shared/contract/evidence';
import type { CaseInfo } from '../../../shared/domain/evidence';
import type { Result } from '../../../shared/result';
import { useClient, useLiveEpoch } from './app-context';
import { useNotify } from './toasts';

export interface CasesState {
  cases: CaseInfo[];
  current: CaseInfo | null;
  loaded: boolean;
  reload: () => Promise<void>;
}

const CasesContext = createContext<CasesState | null>(null);

export function useCases(): CasesState {
  const value = useContext(CasesContext);
  if (!value) throw new Error('useCases outside <CasesProvider>');
  return value;
}

/** The case list and the current case, kept live: every acquisition lands in the current case. */
export function CasesProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const notify = useNotify();
  const epoch = useLiveEpoch();
  const [list, setList] = useState<CaseList | null>(null);

  const apply = useCallback(
    (r: Result<CaseList>) => {
      if (r.ok) setList(r.value);
      else notify.error(r.error, 'Loading cases');
    },
    [notify],
  );
  const reload = useCallback(() => client.invoke('evidence.cases', {}).then(apply), [client, apply]);

  useEffect(() => {
    void client.invoke('evidence.cases', {}).then(apply);
  }, [client, apply, epoch]);

  useEffect(
    () =>
      client.on('evidence.case-changed', ({ current }) => {
        setList((prev) => (prev ? { ...prev, currentCaseId: current?.id ?? null } : prev));
        // The list changes with it (a new case, a closed one): fetch it rather than patch it.
        void client.invoke('evidence.cases', {}).then(apply);
      }),
    [client, apply],
  );

  // An acquisition with no case open opened one: say so where the examiner is looking.
  useEffect(
    () =>
      client.on('evidence.adhoc-case-opened', ({ reason }) =>
        notify.info(`Drydock ${reason.replace(/^no case was open: /, 'found no open case, so it ')}.`),
      ),
    [client, notify],
  );

  const value = useMemo<CasesState>(() => {
    const cases = list?.cases ?? [];
    return { cases, current: cases.find((c) => c.id === list?.currentCaseId) ?? null, loaded: list !== null, reload };
  }, [list, reload]);
  return <CasesContext.Provider value={value}>{children}</CasesContext.Provider>;
}
