import type { DriftEntry, DriftFileMeta, DriftSeverity } from '../../../../shared/domain/drift';
import { pathDisplayText } from '../../../../shared/domain/byte-text';
import { visibleText } from '../processes/visible-text';

export const SEVERITIES: readonly DriftSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

const RANK: Record<DriftSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function severityRank(s: DriftSeverity): number {
  return RANK[s];
}

/**
 * A container path as the examiner sees it: control characters, bidi overrides and invisible code
 * points made visible; a name that is not UTF-8 shown from its exact bytes (pathBase64), each
 * invalid byte as \xNN, and marked so.
 */
export function displayPath(path: string, pathBase64?: string, max = 2000): string {
  const text = visibleText(pathDisplayText(path, pathBase64), max);
  return pathBase64 === undefined ? text : `${text} [not UTF-8]`;
}

/** A name component of a path, made visible the same way. */
export function displayName(name: string): string {
  return visibleText(name, 400);
}

export function octalMode(mode: number | undefined): string {
  return mode === undefined ? '—' : `0${mode.toString(8).padStart(3, '0')}`;
}

export function owner(meta: DriftFileMeta | undefined): string {
  if (!meta || meta.uid === undefined) return '—';
  return `${meta.uid}:${meta.gid ?? '?'}`;
}

/** The first reason that is more than "it changed", else the first. */
export function headline(entry: DriftEntry): string {
  return (entry.reasons.find((r) => r.class !== 'change') ?? entry.reasons[0])?.reason ?? '';
}

/** Each line made visible on its own, so the newlines stay newlines. */
export function visibleLines(text: string): string {
  return text
    .split('\n')
    .map((line) => visibleText(line, 4000))
    .join('\n');
}

/** The weights the core's drift score gives each finding (main/core/drift/report-math.ts). */
export const SCORE_WEIGHT: Record<DriftSeverity, number> = { critical: 1000, high: 100, medium: 10, low: 1, info: 0 };

/**
 * Why a container got its score, in words: the file changes by severity with their weights, and
 * the rest of the score, which comes from configuration drift and runtime risk flags.
 */
export function scoreReason(counts: Record<DriftSeverity, number> | undefined, score: number | undefined): string {
  if (!counts || score === undefined) return 'not scored yet';
  const parts = SEVERITIES.filter((s) => counts[s] > 0 && SCORE_WEIGHT[s] > 0).map((s) => `${counts[s]} ${s} × ${SCORE_WEIGHT[s]}`);
  const files = SEVERITIES.reduce((sum, s) => sum + counts[s] * SCORE_WEIGHT[s], 0);
  const rest = score - files;
  const info = counts.info > 0 ? `; ${counts.info} info change${counts.info === 1 ? '' : 's'} (weight 0)` : '';
  if (!parts.length && rest <= 0) return `no finding above info${info}`;
  const fileText = parts.length ? `files: ${parts.join(' + ')}` : 'no file finding above info';
  return `${fileText}${rest > 0 ? `; configuration drift and risk flags: ${rest}` : ''}${info}`;
}
