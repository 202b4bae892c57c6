import type { CaptureCounters, CaptureOptions } from '../../../../shared/domain/capture';
import { bytes } from '../../lib/format';

interface Limit {
  label: string;
  done: number;
  of: number;
  text: string;
}

/** Progress of a running capture against each limit it was given: the first reached ends it. */
export function captureLimits(counters: CaptureCounters | undefined, options: CaptureOptions): Limit[] {
  const c = counters ?? { packets: 0, bytes: 0, elapsedMs: 0 };
  const limits: Limit[] = [];
  if (options.durationSeconds) {
    const s = c.elapsedMs / 1000;
    limits.push({
      label: 'Duration',
      done: s,
      of: options.durationSeconds,
      text: `${Math.min(s, options.durationSeconds).toFixed(0)} of ${options.durationSeconds} s`,
    });
  }
  if (options.packetCount)
    limits.push({ label: 'Packets', done: c.packets, of: options.packetCount, text: `${c.packets} of ${options.packetCount} packets` });
  if (options.maxBytes)
    limits.push({ label: 'Size', done: c.bytes, of: options.maxBytes, text: `${bytes(c.bytes)} of ${bytes(options.maxBytes)}` });
  return limits;
}

export function CaptureProgress({ counters, options }: { counters: CaptureCounters | undefined; options: CaptureOptions }) {
  const limits = captureLimits(counters, options);
  if (!limits.length)
    return (
      <div className="dd-muted" data-testid="cap-progress">
        No limit set: the capture runs until you press Stop.
      </div>
    );
  return (
    <div className="dd-cap-progress" data-testid="cap-progress">
      {limits.map((l) => (
        <label key={l.label} className="dd-cap-progress-row">
          <span className="dd-cap-progress-label">{l.label}</span>
          <progress max={l.of} value={Math.min(l.done, l.of)} aria-label={`${l.label}: ${l.text}`} />
          <span className="dd-muted">{l.text}</span>
        </label>
      ))}
    </div>
  );
}
