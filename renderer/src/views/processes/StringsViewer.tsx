import { useEffect, useState } from 'react';
import type { StringsPage } from '../../../../shared/domain/memory';
import type { DrydockError } from '../../../../shared/result';
import { bytes } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from './visible-text';
import './strings.css';

const PAGE = 200;

/** A byte offset as the hex a hex editor or `xxd -s` takes; the decimal is in its title. */
function hexOffset(offset: number): string {
  return `0x${offset.toString(16).padStart(8, '0')}`;
}

/**
 * The printable strings (ASCII and UTF-16LE) of any stored artifact, typically a memory image, one
 * page at a time: the core streams the artifact from the page's start offset and stops after a
 * page, so an image of gigabytes is never loaded here or there. A search finds strings containing
 * the text (case-insensitive), page by page from the start.
 */
export function StringsViewer({ artifactId, size }: { artifactId: string; size?: number }) {
  const client = useClient();
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [minLength, setMinLength] = useState(6);
  // Start offsets of the pages before the current one, for "Previous".
  const [back, setBack] = useState<number[]>([]);
  const [from, setFrom] = useState(0);
  // The last answer and the request it answers: busy until the shown request's answer is in.
  const [loaded, setLoaded] = useState<{ key: string; page: StringsPage | null; error: DrydockError | null } | null>(null);
  const key = `${artifactId}|${from}|${minLength}|${search}`;

  useEffect(() => {
    let current = true;
    void client.invoke('memory.strings', { artifactId, from, limit: PAGE, minLength, ...(search ? { search } : {}) }).then((r) => {
      // A slow answer to an earlier request (a long search) must not replace a later page.
      if (current) setLoaded(r.ok ? { key, page: r.value, error: null } : { key, page: null, error: r.error });
    });
    return () => {
      current = false;
    };
  }, [client, artifactId, from, minLength, search, key]);

  const busy = loaded?.key !== key;
  const page = loaded?.page ?? null;
  const error = busy ? null : (loaded?.error ?? null);

  const restart = () => {
    setBack([]);
    setFrom(0);
  };
  const next = page?.next ?? null;
  const total = page?.size ?? size;

  return (
    <div className="dd-strings" aria-label="Strings" data-testid="strings-viewer">
      <form
        className="dd-strings-tools"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(query.trim());
          restart();
        }}
      >
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search strings (case-insensitive)"
          aria-label="Search strings"
          maxLength={256}
          spellCheck={false}
        />
        <button type="submit" disabled={busy}>
          Search
        </button>
        {search && (
          <button
            type="button"
            onClick={() => {
              setQuery('');
              setSearch('');
              restart();
            }}
            disabled={busy}
          >
            Clear
          </button>
        )}
        <label className="dd-inline-label">
          Min. length
          <input
            type="number"
            min={3}
            max={256}
            value={minLength}
            onChange={(e) => {
              setMinLength(Math.min(256, Math.max(3, Number(e.target.value) || 6)));
              restart();
            }}
            className="dd-narrow"
          />
        </label>
        <span className="dd-spacer" />
        <button
          type="button"
          onClick={() => {
            setFrom(back[back.length - 1] ?? 0);
            setBack(back.slice(0, -1));
          }}
          disabled={busy || back.length === 0}
        >
          ‹ Previous
        </button>
        <button
          type="button"
          onClick={() => {
            if (next === null) return;
            setBack([...back, from]);
            setFrom(next);
          }}
          disabled={busy || next === null}
        >
          Next ›
        </button>
      </form>
      <div className="dd-muted dd-strings-where" data-testid="strings-where">
        {busy
          ? search
            ? `Searching from byte ${from}…`
            : `Reading from byte ${from}…`
          : page
            ? `${page.strings.length} string${page.strings.length === 1 ? '' : 's'}${search ? ` containing “${visibleText(search, 80)}”` : ''} from byte ${page.from} to ${
                page.next ?? page.size
              } of ${total === undefined ? '?' : `${total} (${bytes(total)})`}${page.next === null ? ' · end of the artifact' : ''} · page ${back.length + 1}`
            : ''}
      </div>
      {error && <ErrorBox error={error} compact />}
      {page && page.strings.length > 0 && (
        <div className="dd-strings-scroll">
          <table className="dd-table dd-strings-table">
            <thead>
              <tr>
                <th className="dd-strings-narrow">Offset</th>
                <th className="dd-strings-narrow">Encoding</th>
                <th>String</th>
              </tr>
            </thead>
            <tbody>
              {page.strings.map((s) => (
                <tr key={`${s.offset}-${s.encoding}`}>
                  <td className="dd-mono dd-num" title={`byte ${s.offset}`}>
                    {hexOffset(s.offset)}
                  </td>
                  <td className="dd-nowrap">{s.encoding === 'ascii' ? 'ASCII' : 'UTF-16LE'}</td>
                  <td className="dd-mono dd-strings-text">{visibleText(s.text, 400)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && page.strings.length === 0 && !busy && (
        <div className="dd-muted">{search ? 'No string containing that text in the rest of the artifact.' : 'No strings here.'}</div>
      )}
    </div>
  );
}
