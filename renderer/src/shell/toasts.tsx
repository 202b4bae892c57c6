import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DrydockError } from '../../../shared/result';
import { visibleText } from '../views/processes/visible-text';

type ToastContent = { tone: 'error'; error: DrydockError; context?: string } | { tone: 'info' | 'ok'; message: string };
type Toast = { id: number; at: number } & ToastContent;

export interface Notify {
  error(error: DrydockError, context?: string): void;
  info(message: string): void;
  ok(message: string): void;
}

const NotifyContext = createContext<Notify | null>(null);
const MAX_TOASTS = 6;
const QUIET_AFTER_MS = 5000;

export function useNotify(): Notify {
  const notify = useContext(NotifyContext);
  if (!notify) throw new Error('useNotify outside <ToastProvider>');
  return notify;
}

/**
 * Errors that do not belong to one form (a live event, a background reload) surface here. Errors
 * stay until dismissed — a responder may be looking elsewhere — while confirmations fade.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (toast: ToastContent) => {
      const id = nextId.current++;
      setToasts((all) => [...all, { ...toast, id, at: Date.now() }].slice(-MAX_TOASTS));
      if (toast.tone !== 'error') setTimeout(() => dismiss(id), QUIET_AFTER_MS);
    },
    [dismiss],
  );

  const notify = useMemo<Notify>(
    () => ({
      error: (error, context) => push(context ? { tone: 'error', error, context } : { tone: 'error', error }),
      info: (message) => push({ tone: 'info', message }),
      ok: (message) => push({ tone: 'ok', message }),
    }),
    [push],
  );

  return (
    <NotifyContext.Provider value={notify}>
      {children}
      <div className="dd-toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`dd-toast dd-toast-${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'}>
            {t.tone === 'error' ? (
              <div className="dd-toast-body">
                <div>
                  <span className="dd-kind">{t.error.kind}</span>
                  {t.context && <span className="dd-toast-context">{visibleText(t.context, 120)}</span>}
                </div>
                <div>{visibleText(t.error.message, 800)}</div>
                {(t.error.host || t.error.container) && (
                  <div className="dd-muted">
                    {t.error.host && <>host {visibleText(t.error.host, 80)} </>}
                    {t.error.container && <>container {visibleText(t.error.container, 120)}</>}
                  </div>
                )}
                {t.error.detail && <div className="dd-muted dd-mono dd-toast-detail">{visibleText(t.error.detail, 400)}</div>}
              </div>
            ) : (
              <div className="dd-toast-body">{visibleText(t.message, 800)}</div>
            )}
            <button type="button" className="dd-icon-btn" onClick={() => dismiss(t.id)} aria-label="Dismiss" title="Dismiss">
              ×
            </button>
          </div>
        ))}
      </div>
    </NotifyContext.Provider>
  );
}
