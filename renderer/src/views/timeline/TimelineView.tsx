import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  TIMELINE_SEVERITIES,
  TIMELINE_SOURCES,
  type TimelineFilter,
  type TimelineHistogram,
  type TimelineInfo,
  type TimelineRow,
  type TimelineSeverity,
  type TimelineSource,
} from '../../../../shared/domain/timeline';
import type { DrydockError } from '../../../../shared/result';
import { zonedIso } from '../../../../shared/timeline-formats';
import { useApp, useLiveEpoch } from '../../shell/app-context';
import { useCases } from '../../shell/case-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';
import type { ViewProps } from '../view-types';
import { drawLanes, drawStrip, SEVERITY_COLOURS } from './timeline-chart';
import './timeline.css';

const ROW_HEIGHT = 24;
const TABLE_HEIGHT = 432;
const PAGE = 200;
/** Marks drawn in the lanes at most: the window's rows, first ones first (brush narrower to see the rest). */
const LANE_ROWS = 5000;

/**
 * The case's one timeline: a density strip to brush a window, lanes per host and container with a
 * zoomable time axis, and a virtualised table of every row (arrow keys move, Enter opens the
 * detail). Filters by source, severity and text; times in the case's zone or UTC.
 */
export function TimelineView({ visit }: ViewProps) {
  const { client, navigate } = useApp();
  const epoch = useLiveEpoch();
  const { current } = useCases();
  const caseRef = current?.id;
  const [sources, setSources] = useState<Set<TimelineSource>>(new Set(TIMELINE_SOURCES));
  const [minSeverity, setMinSeverity] = useState<TimelineSeverity>('info');
  const [text, setText] = useState('');
  const [windowRange, setWindowRange] = useState<{ from: Date; to: Date } | null>(null);
  const [zoneChoice, setZoneChoice] = useState<'case' | 'UTC'>('case');
  const [info, setInfo] = useState<TimelineInfo | null>(null);
  const [histogram, setHistogram] = useState<TimelineHistogram | null>(null);
  const [laneRows, setLaneRows] = useState<TimelineRow[]>([]);
  const [pages, setPages] = useState<Map<number, TimelineRow[]>>(new Map());
  const [scrollTop, setScrollTop] = useState(0);
  const [selected, setSelected] = useState(0);
  const [detail, setDetail] = useState<TimelineRow | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [width, setWidth] = useState(900);
  const stripRef = useRef<SVGSVGElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const axisRef = useRef<SVGSVGElement>(null);
  const tableRef = useRef<HTMLDivElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const zone = zoneChoice === 'case' ? (current?.timeZone ?? 'UTC') : 'UTC';

  const baseFilter = useMemo<TimelineFilter>(() => {
    const f: TimelineFilter = {};
    if (sources.size < TIMELINE_SOURCES.length) f.sources = [...sources];
    if (minSeverity !== 'info') f.minSeverity = minSeverity;
    if (text.trim()) f.text = text.trim();
    return f;
  }, [sources, minSeverity, text]);
  const filter = useMemo<TimelineFilter>(
    () => (windowRange ? { ...baseFilter, from: windowRange.from.toISOString(), to: windowRange.to.toISOString() } : baseFilter),
    [baseFilter, windowRange],
  );

  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(480, Math.floor(el.clientWidth) - 40)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // The strip shows the whole filtered timeline; the window narrows the lanes and the table.
  useEffect(() => {
    if (!caseRef) return;
    let live = true;
    void client.invoke('timeline.histogram', { caseRef, filter: baseFilter, bins: 300 }).then((r) => {
      if (!live) return;
      if (r.ok) setHistogram(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, caseRef, baseFilter, epoch, visit]);

  useEffect(() => {
    if (!caseRef) return;
    let live = true;
    // The first pages of the table come with the lanes' rows (and replace whatever the last filter loaded).
    void client.invoke('timeline.page', { caseRef, filter, offset: 0, limit: LANE_ROWS }).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.error);
      setError(null);
      const { rows, ...meta } = r.value;
      setInfo(meta);
      setLaneRows(rows);
      const first = new Map<number, TimelineRow[]>();
      for (let i = 0; i * PAGE < Math.min(rows.length, LANE_ROWS); i++) first.set(i * PAGE, rows.slice(i * PAGE, (i + 1) * PAGE));
      setPages(first);
      setSelected(0);
    });
    return () => {
      live = false;
    };
  }, [client, caseRef, filter, epoch, visit]);

  const matching = info?.matching ?? 0;
  const firstVisible = Math.floor(scrollTop / ROW_HEIGHT);
  const visibleCount = Math.ceil(TABLE_HEIGHT / ROW_HEIGHT) + 2;

  // Pages of the table beyond what the lanes loaded, fetched as they scroll into view.
  useEffect(() => {
    if (!caseRef) return;
    const needed = new Set<number>();
    for (let i = firstVisible; i < Math.min(matching, firstVisible + visibleCount); i++) needed.add(Math.floor(i / PAGE) * PAGE);
    for (const offset of needed) {
      if (pages.has(offset)) continue;
      void client.invoke('timeline.page', { caseRef, filter, offset, limit: PAGE }).then((r) => {
        if (r.ok) setPages((prev) => new Map(prev).set(offset, r.value.rows));
      });
    }
  }, [client, caseRef, filter, firstVisible, visibleCount, matching, pages]);

  const rowAt = useCallback((i: number) => pages.get(Math.floor(i / PAGE) * PAGE)?.[i % PAGE], [pages]);

  const handlers = useMemo(
    () => ({
      onWindow: (w: { from: Date; to: Date } | null) => setWindowRange(w),
      onPick: (row: TimelineRow) => {
        setDetail(row);
        const index = laneRows.findIndex((r) => r.key === row.key);
        if (index >= 0) {
          setSelected(index);
          tableRef.current?.scrollTo({ top: Math.max(0, index * ROW_HEIGHT - TABLE_HEIGHT / 2) });
        }
      },
    }),
    [laneRows],
  );

  useEffect(() => {
    if (stripRef.current && histogram) drawStrip(stripRef.current, histogram, width, handlers);
  }, [histogram, width, handlers]);

  useEffect(() => {
    if (!canvasRef.current || !axisRef.current || !laneRows.length) return;
    const lo = windowRange?.from ?? new Date(Number(BigInt(laneRows[0]!.timeNano) / 1_000_000n));
    const hi = windowRange?.to ?? new Date(Number(BigInt(laneRows[laneRows.length - 1]!.timeNano) / 1_000_000n) + 1);
    return drawLanes(canvasRef.current, axisRef.current, laneRows, [lo, hi], width, handlers, detail?.key ?? null);
  }, [laneRows, windowRange, width, handlers, detail]);

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    let next = selected;
    if (e.key === 'ArrowDown') next = Math.min(matching - 1, selected + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, selected - 1);
    else if (e.key === 'PageDown') next = Math.min(matching - 1, selected + visibleCount - 2);
    else if (e.key === 'PageUp') next = Math.max(0, selected - visibleCount + 2);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = Math.max(0, matching - 1);
    else if (e.key === 'Enter') {
      const row = rowAt(selected);
      if (row) setDetail(row);
      return;
    } else return;
    e.preventDefault();
    setSelected(next);
    const el = tableRef.current;
    if (el) {
      const top = next * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + TABLE_HEIGHT) el.scrollTop = top + ROW_HEIGHT - TABLE_HEIGHT;
    }
  };

  if (!current)
    return (
      <div className="dd-view">
        <h1>Timeline</h1>
        <div className="dd-empty">No case is selected: open one in the Evidence view; its timeline shows here.</div>
      </div>
    );

  const toggleSource = (s: TimelineSource) =>
    setSources((prev) => {
      const next = new Set(prev);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next.size ? next : new Set(TIMELINE_SOURCES);
    });

  const rows: { i: number; row: TimelineRow | undefined }[] = [];
  for (let i = firstVisible; i < Math.min(matching, firstVisible + visibleCount); i++) rows.push({ i, row: rowAt(i) });

  return (
    <div className="dd-view dd-timeline" ref={boxRef}>
      <div className="dd-tl-head">
        <h1>Timeline · {visibleText(current.name, 120)}</h1>
        <span className="dd-muted" data-testid="timeline-count">
          {matching} of {info?.total ?? 0} rows
          {info?.first && (
            <>
              {' '}
              · {info.first} to {info.last}
            </>
          )}
        </span>
      </div>
      <div className="dd-tl-filters" role="group" aria-label="Timeline filters">
        {TIMELINE_SOURCES.map((s) => (
          <label key={s} className="dd-tl-source">
            <input type="checkbox" checked={sources.has(s)} onChange={() => toggleSource(s)} /> {s}
            {info?.perSource[s] !== undefined && <span className="dd-muted"> {info.perSource[s]}</span>}
          </label>
        ))}
        <select aria-label="Minimum severity" value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as TimelineSeverity)}>
          {TIMELINE_SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s} and above
            </option>
          ))}
        </select>
        <input aria-label="Search the timeline" placeholder="Search" value={text} onChange={(e) => setText(e.target.value)} />
        <select aria-label="Time zone" value={zoneChoice} onChange={(e) => setZoneChoice(e.target.value as 'case' | 'UTC')}>
          <option value="UTC">UTC</option>
          <option value="case">case zone ({visibleText(current.timeZone, 40)})</option>
        </select>
        {windowRange && (
          <button type="button" className="dd-small" onClick={() => setWindowRange(null)}>
            Whole timeline
          </button>
        )}
      </div>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      <svg ref={stripRef} className="dd-tl-strip" aria-label="Timeline density" />
      <div className="dd-tl-lanes">
        <canvas ref={canvasRef} aria-label="Timeline lanes (scroll to zoom, drag to pan, click a mark)" />
        <svg ref={axisRef} className="dd-tl-lane-axis" />
        {matching > laneRows.length && (
          <div className="dd-muted dd-small-text">
            The lanes show the first {laneRows.length} rows of this window: brush the strip to narrow it.
          </div>
        )}
      </div>
      <div
        className="dd-tl-table"
        ref={tableRef}
        tabIndex={0}
        role="grid"
        aria-label="Timeline rows"
        aria-rowcount={matching}
        style={{ height: TABLE_HEIGHT }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKey}
      >
        <div style={{ height: matching * ROW_HEIGHT, position: 'relative' }}>
          {rows.map(({ i, row }) => (
            <div
              key={i}
              role="row"
              aria-rowindex={i + 1}
              aria-selected={i === selected}
              className={`dd-tl-row${i === selected ? ' dd-tl-selected' : ''}`}
              style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT }}
              onClick={() => {
                setSelected(i);
                if (row) setDetail(row);
              }}
            >
              {row ? (
                <>
                  <span className="dd-tl-time dd-mono">{zonedIso(row, zone).replace('T', ' ')}</span>
                  <span className="dd-tl-sev" style={{ background: SEVERITY_COLOURS[TIMELINE_SEVERITIES.indexOf(row.severity)] }}>
                    {row.severity}
                  </span>
                  <span className="dd-tl-src">{row.source}</span>
                  <span className="dd-tl-where">{visibleText([row.host, row.container].filter(Boolean).join('/'), 60)}</span>
                  <span className="dd-tl-msg">{visibleText(row.message, 300)}</span>
                </>
              ) : (
                <span className="dd-muted">…</span>
              )}
            </div>
          ))}
        </div>
      </div>
      {detail && (
        <div className="dd-panel dd-tl-detail" aria-label="Timeline row detail">
          <div className="dd-inv-detail-head">
            <b>
              {detail.source} · {detail.timestampDesc}
            </b>
            <button type="button" className="dd-icon-btn" onClick={() => setDetail(null)} aria-label="Close row detail">
              ×
            </button>
          </div>
          <dl className="dd-kv">
            <dt>Time</dt>
            <dd className="dd-mono">
              {zonedIso(detail, zone)} {zone !== 'UTC' && <span className="dd-muted">({detail.time} UTC)</span>}
            </dd>
            <dt>Where</dt>
            <dd>{visibleText([detail.host, detail.container, detail.containerId].filter(Boolean).join(' / ') || 'the case', 300)}</dd>
            <dt>What</dt>
            <dd className="dd-wrap">{visibleText(detail.message, 4000)}</dd>
            {detail.detail && (
              <>
                <dt>Detail</dt>
                <dd className="dd-wrap">{visibleText(detail.detail, 4000)}</dd>
              </>
            )}
            {detail.path && (
              <>
                <dt>Path</dt>
                <dd className="dd-mono dd-wrap">{visibleText(detail.path, 4000)}</dd>
              </>
            )}
            {detail.artifactId && (
              <>
                <dt>Evidence</dt>
                <dd>
                  <span className="dd-mono">{detail.artifactId}</span>{' '}
                  <button type="button" className="dd-small" onClick={() => navigate('evidence', { artifact: detail.artifactId! })}>
                    Open in Evidence
                  </button>
                </dd>
              </>
            )}
          </dl>
        </div>
      )}
      {info && info.limitations.length > 0 && (
        <div className="dd-panel dd-small-text">
          <b>What this timeline cannot show</b>
          <ul>
            {info.limitations.map((l) => (
              <li key={l}>{visibleText(l, 600)}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
