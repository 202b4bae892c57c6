import { useCallback, useEffect, useMemo, useState } from 'react';
import { AppContext, useTransportStatus, type AppContextValue } from './shell/app-context';
import { CasesProvider } from './shell/case-context';
import { Header } from './shell/Header';
import { HostsProvider } from './shell/hosts-context';
import { Nav } from './shell/Nav';
import { ToastProvider } from './shell/toasts';
import { ViewActiveContext } from './shell/view-activity';
import type { AppClient } from './transport/app-client';
import { VIEWS } from './views/registry';
import type { ViewId, ViewParams } from './views/view-types';

interface Visit {
  params: ViewParams;
  visit: number;
}

/**
 * The shell. Views stay mounted once visited (hidden when not shown) so switching to Evidence
 * and back does not lose a selection, a filter or a live table.
 */
export function App({ client }: { client: AppClient }) {
  const [active, setActive] = useState<ViewId>('hosts');
  const [visits, setVisits] = useState<Partial<Record<ViewId, Visit>>>({ hosts: { params: {}, visit: 0 } });

  const navigate = useCallback((view: ViewId, params?: ViewParams) => {
    setActive(view);
    setVisits((prev) => {
      const existing = prev[view];
      if (existing && !params) return prev;
      return { ...prev, [view]: { params: params ?? {}, visit: (existing?.visit ?? 0) + 1 } };
    });
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      // Alt+1 … Alt+9, and Alt+0 for the tenth view.
      const index = event.key === '0' ? 9 : Number(event.key) - 1;
      const view = VIEWS[index];
      if (!view) return;
      event.preventDefault();
      navigate(view.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  const context = useMemo<AppContextValue>(() => ({ client, navigate }), [client, navigate]);
  const status = useTransportStatus(client);

  return (
    <AppContext.Provider value={context}>
      <ToastProvider>
        <HostsProvider>
          <CasesProvider>
            <div className="dd-app">
              <Header />
              <Nav active={active} onSelect={(id) => navigate(id)} />
              <main className="dd-main">
                {status.state === 'no-token' && (
                  <div className="dd-warnbox dd-banner" role="alert">
                    {status.message}
                  </div>
                )}
                {VIEWS.map((view) => {
                  const visit = visits[view.id];
                  if (!visit) return null;
                  const View = view.component;
                  return (
                    <div key={view.id} className="dd-view-slot" hidden={view.id !== active} data-view={view.id}>
                      <ViewActiveContext.Provider value={view.id === active}>
                        <View params={visit.params} visit={visit.visit} />
                      </ViewActiveContext.Provider>
                    </div>
                  );
                })}
              </main>
            </div>
          </CasesProvider>
        </HostsProvider>
      </ToastProvider>
    </AppContext.Provider>
  );
}
