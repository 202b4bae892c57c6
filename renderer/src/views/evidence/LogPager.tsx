import { useEffect, useState } from 'react';
import type { ArtifactInfo } from '../../../../shared/domain/evidence';
import type { LogPage } from '../../../../shared/domain/logs';
import type { DrydockError } from '../../../../shared/result';
import { bytes } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';

const LINES = 200;

type Position = { offset: number } | { before: number };

/**
 * A stored logs artifact, a page at a time, read by byte range in the core: a log of gigabytes
 * is paged without being loaded. First, previous, next and last; each line with its stream and
 * timestamp, control characters made visible.
 */
export function LogPager({ artifact }: { artifact: ArtifactInfo }) {
  const client = useClient();
  const [position, setPosition] = useState<Position>({ offset: 0 });
  const [page, setPage] = useState<LogPage | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);

  useEffect(() => {
    let live = true;
    void client.invoke('logs.page', { artifactId: artifact.id, limit: LINES, ...position }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setPage(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, artifact.id, position]);

  return (
    <div className="dd-logpager" aria-label="Log lines">
      <div className="dd-inline-form">
        <button type="button" className="dd-small" disabled={!page || page.atStart} onClick={() => setPosition({ offset: 0 })}>
          First
        </button>
        <button
          type="button"
          className="dd-small"
          disabled={!page || page.atStart}
          onClick={() => page && setPosition({ before: page.offset })}
        >
          Previous
        </button>
        <button
          type="button"
          className="dd-small"
          disabled={!page || page.atEnd}
          onClick={() => page && setPosition({ offset: page.nextOffset })}
        >
          Next
        </button>
        <button type="button" className="dd-small" disabled={!page || page.atEnd} onClick={() => setPosition({ before: artifact.size })}>
          Last
        </button>
        {page && (
          <span className="dd-muted dd-small-text" data-testid="log-position">
            bytes {page.offset}–{page.nextOffset} of {page.size} ({bytes(page.size)}) · {page.lines.length} lines
            {page.timestamps === 'received' && ' · times are when Drydock received each line'}
          </span>
        )}
      </div>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {page && (
        <table className="dd-table dd-logpager-table">
          <tbody>
            {page.lines.map((line) => (
              <tr key={line.offset} className={line.stream === 'stderr' ? 'dd-warn-text' : ''}>
                <td className="dd-mono dd-small-text">{visibleText(line.time, 40)}</td>
                <td className="dd-small-text">
                  {line.stream}
                  {line.continued && '+'}
                </td>
                <td className="dd-mono dd-wrap">
                  {visibleText(line.text, 8192)}
                  {line.truncated && <span className="dd-muted"> … (cut here; the artifact holds the whole line)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
