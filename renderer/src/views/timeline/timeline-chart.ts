// The d3 part of the timeline view: a density strip (the case's rows binned, coloured by each
// bin's worst severity) with a brush that picks the window, and above it one lane per host or
// container with a mark per row of the window, on a time axis that zooms from days to
// milliseconds (d3.zoom on a time scale; deeper than a millisecond the marks keep their order).
import { axisBottom, brushX, scaleTime, select, zoom, zoomIdentity, type ZoomTransform } from 'd3';
import type { TimelineHistogram, TimelineRow } from '../../../../shared/domain/timeline';

export const SEVERITY_COLOURS = ['#7f8c8d', '#3498db', '#f1c40f', '#e67e22', '#e74c3c'];
const SEVERITY_INDEX: Record<TimelineRow['severity'], number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export interface ChartHandlers {
  /** The brushed window, or null when the brush was cleared. */
  onWindow(window: { from: Date; to: Date } | null): void;
  onPick(row: TimelineRow): void;
}

const LANE_HEIGHT = 18;
const MARGIN = { left: 170, right: 12 };

/** Lane key of a row: host/container, host alone, or the case itself (audit rows without a host). */
export function laneOf(row: TimelineRow): string {
  if (!row.host) return '(case)';
  return row.container ? `${row.host}/${row.container}` : row.host;
}

/**
 * Draws the density strip into `strip` (an <svg>) with a brush; returns a function that clears it.
 */
export function drawStrip(strip: SVGSVGElement, histogram: TimelineHistogram, width: number, handlers: ChartHandlers): void {
  const height = 56;
  const svg = select(strip).attr('width', width).attr('height', height);
  svg.selectAll('*').remove();
  const start = Number(BigInt(histogram.startNano) / 1_000_000n);
  const binMs = Number(BigInt(histogram.binNanos) / 1_000_000n) || 1;
  const x = scaleTime()
    .domain([new Date(start), new Date(start + binMs * histogram.bins.length)])
    .range([MARGIN.left, width - MARGIN.right]);
  const max = Math.max(1, ...histogram.bins);
  const barWidth = Math.max(1, (width - MARGIN.left - MARGIN.right) / histogram.bins.length);
  svg
    .append('g')
    .selectAll('rect')
    .data(histogram.bins.map((n, i) => ({ n, i, w: histogram.worst[i] ?? -1 })))
    .join('rect')
    .attr('x', (d) => MARGIN.left + d.i * barWidth)
    .attr('width', Math.max(1, barWidth - 0.5))
    .attr('y', (d) => 36 - (d.n ? Math.max(2, (32 * Math.sqrt(d.n)) / Math.sqrt(max)) : 0))
    .attr('height', (d) => (d.n ? Math.max(2, (32 * Math.sqrt(d.n)) / Math.sqrt(max)) : 0))
    .attr('fill', (d) => SEVERITY_COLOURS[Math.max(0, d.w)] ?? '#7f8c8d');
  svg
    .append('g')
    .attr('transform', 'translate(0,38)')
    .attr('class', 'dd-tl-axis')
    .call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 140))));
  svg.append('text').attr('x', 4).attr('y', 24).attr('class', 'dd-tl-label').text('density (brush to zoom)');
  const brush = brushX()
    .extent([
      [MARGIN.left, 0],
      [width - MARGIN.right, 36],
    ])
    .on('end', (event: { selection: [number, number] | null; sourceEvent?: unknown }) => {
      if (!event.sourceEvent) return;
      if (!event.selection) handlers.onWindow(null);
      else handlers.onWindow({ from: x.invert(event.selection[0]), to: x.invert(event.selection[1]) });
    });
  svg.append('g').attr('class', 'dd-tl-brush').call(brush);
}

/**
 * Draws the lanes of `rows` (the current window) into `canvas`, with zoom and pan on the time
 * axis; a click picks the nearest mark. Returns a cleanup function.
 */
export function drawLanes(
  canvas: HTMLCanvasElement,
  axis: SVGSVGElement,
  rows: TimelineRow[],
  domain: [Date, Date],
  width: number,
  handlers: ChartHandlers,
  selectedKey: string | null,
): () => void {
  const lanes = [...new Set(rows.map(laneOf))].sort();
  const height = Math.max(LANE_HEIGHT * 2, lanes.length * LANE_HEIGHT + 4);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return () => undefined;
  const base = scaleTime()
    .domain(domain)
    .range([MARGIN.left, width - MARGIN.right]);
  let transform: ZoomTransform = zoomIdentity;
  const laneIndex = new Map(lanes.map((l, i) => [l, i]));
  const ms = rows.map((r) => Number(BigInt(r.timeNano) / 1_000_000n));
  const axisSel = select(axis).attr('width', width).attr('height', 22);

  const paint = () => {
    const x = transform.rescaleX(base);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    lanes.forEach((lane, i) => {
      ctx.fillStyle = i % 2 ? 'rgba(255,255,255,0.03)' : 'rgba(255,255,255,0.06)';
      ctx.fillRect(0, i * LANE_HEIGHT, width, LANE_HEIGHT);
      ctx.fillStyle = '#aab7c4';
      ctx.fillText(lane.length > 26 ? `${lane.slice(0, 25)}…` : lane, 4, i * LANE_HEIGHT + 13);
    });
    ctx.save();
    ctx.beginPath();
    ctx.rect(MARGIN.left, 0, width - MARGIN.left - MARGIN.right, height);
    ctx.clip();
    rows.forEach((row, i) => {
      const px = x(new Date(ms[i] ?? 0));
      const lane = laneIndex.get(laneOf(row)) ?? 0;
      ctx.fillStyle = SEVERITY_COLOURS[SEVERITY_INDEX[row.severity]] ?? '#7f8c8d';
      const big = row.key === selectedKey;
      ctx.fillRect(px - (big ? 3 : 1.5), lane * LANE_HEIGHT + (big ? 2 : 4), big ? 6 : 3, big ? 14 : 10);
    });
    ctx.restore();
    axisSel.selectAll('*').remove();
    axisSel
      .append('g')
      .attr('class', 'dd-tl-axis')
      .call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 140))));
  };

  const zoomer = zoom<HTMLCanvasElement, unknown>()
    .scaleExtent([1, 1e9])
    .translateExtent([
      [MARGIN.left, 0],
      [width - MARGIN.right, height],
    ])
    .on('zoom', (event: { transform: ZoomTransform }) => {
      transform = event.transform;
      paint();
    });
  const sel = select(canvas);
  sel.call(zoomer);
  sel.on('click', (event: MouseEvent) => {
    const rect = canvas.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const lane = Math.floor((event.clientY - rect.top) / LANE_HEIGHT);
    const x = transform.rescaleX(base);
    let best = -1;
    let bestDist = 8;
    rows.forEach((row, i) => {
      if ((laneIndex.get(laneOf(row)) ?? -1) !== lane) return;
      const d = Math.abs(x(new Date(ms[i] ?? 0)) - px);
      if (d < bestDist) {
        best = i;
        bestDist = d;
      }
    });
    const row = rows[best];
    if (row) handlers.onPick(row);
  });
  paint();
  return () => {
    sel.on('.zoom', null).on('click', null);
  };
}
