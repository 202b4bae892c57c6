import type { DrydockError } from '../../../shared/result';
import { visibleText } from '../views/processes/visible-text';

interface Props {
  error: DrydockError;
  onDismiss?: () => void;
  compact?: boolean;
}

/** A DrydockError where it happened: its kind first (what to do depends on it), then who and why. */
export function ErrorBox({ error, onDismiss, compact }: Props) {
  return (
    <div className={`dd-errorbox${compact ? ' dd-errorbox-compact' : ''}`} role="alert" data-error-kind={error.kind}>
      <span className="dd-kind">{error.kind}</span>
      <span className="dd-errorbox-msg">{visibleText(error.message, 1200)}</span>
      {(error.host || error.container) && (
        <span className="dd-errorbox-where">
          {error.host && (
            <>
              host <b>{visibleText(error.host, 80)}</b>
            </>
          )}
          {error.container && (
            <>
              {' '}
              container <b>{visibleText(error.container, 120)}</b>
            </>
          )}
        </span>
      )}
      {onDismiss && (
        <button type="button" className="dd-icon-btn" onClick={onDismiss} aria-label="Dismiss error" title="Dismiss">
          ×
        </button>
      )}
      {error.errorId && (
        <span className="dd-errorbox-ref" data-testid="error-id">
          Error ID <b className="dd-mono">{visibleText(error.errorId, 40)}</b>: its stack is in{' '}
          {error.logFile ? <span className="dd-mono">{visibleText(error.logFile, 400)}</span> : 'the error log'}
        </span>
      )}
      {error.detail && (
        <details className="dd-errorbox-detail">
          <summary>detail</summary>
          <pre>{visibleText(error.detail, 6000)}</pre>
        </details>
      )}
    </div>
  );
}
