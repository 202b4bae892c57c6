import type { ArtifactPreview } from '../../../shared/contract/evidence';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import { CliError, type CliCommand } from '../command';
import { EVIDENCE_PREVIEW_DEFAULT_BYTES, EVIDENCE_PREVIEW_MAX_BYTES } from '../preview-bytes';
import { safeText } from '../terminal-safe';

// An artifact's bytes are whatever a host under investigation produced: every line printed here
// goes through safeText, so no escape sequence, carriage return or bidi override reaches the
// terminal raw. Lines are split first so the preview keeps its shape.

const LINE_MAX = 1024 * 1024;
/** Characters of the attributes' JSON shown on the human page (escaped, then cut with an ellipsis); --json has them all. */
export const ATTRIBUTES_SHOWN = 200;

function field(name: string, value: string): string {
  return `  ${name.padEnd(12)}${value}`;
}

function sourceLine(a: ArtifactInfo): string {
  const parts: string[] = [];
  parts.push(a.source.host !== undefined ? `host ${safeText(a.source.host, 200)}` : 'no host');
  if (a.source.containerName !== undefined || a.source.containerId !== undefined) {
    parts.push(
      `container ${safeText(a.source.containerName ?? '', 300)}${a.source.containerId !== undefined ? ` (${safeText(a.source.containerId, 80)})` : ''}`,
    );
  }
  return parts.join(', ');
}

/**
 * An artifact's record for a terminal: kind, status, case, hash, size, source, method, when, and its
 * attributes as one JSON line of at most ATTRIBUTES_SHOWN characters (escaped, cut with "…" and a
 * pointer to --json). Every host-derived string goes through safeText.
 */
export function renderArtifact(a: ArtifactInfo): string {
  const lines = [
    `Artifact ${a.id}`,
    field('kind', a.kind),
    field('status', a.status + (a.statusReason !== undefined ? `: ${safeText(a.statusReason, 1000)}` : '')),
    field('case', a.caseId),
    field('sha256', a.sha256),
    field('size', `${a.size} bytes`),
    field('media type', safeText(a.mediaType, 200)),
    field('source', sourceLine(a)),
  ];
  if (a.source.path !== undefined) lines.push(field('path', safeText(a.source.path, 8192)));
  lines.push(
    field('method', safeText(a.method, 500)),
    // ISO 8601 with its Z: the zone is said once.
    field('acquired', `${safeText(a.acquiredAt, 40)} by Drydock ${safeText(a.drydockVersion, 40)}`),
  );
  if (Object.keys(a.attributes).length > 0) {
    const shown = safeText(JSON.stringify(a.attributes), ATTRIBUTES_SHOWN);
    lines.push(field('attributes', shown.endsWith('…') ? `${shown} (--json shows them all)` : shown));
  }
  return lines.join('\n');
}

function visibleLines(text: string): string[] {
  return text.split('\n').map((line) => safeText(line, LINE_MAX));
}

/** The preview part of `evidence show`: its extent, the bytes as text, JSON or hex and strings, and how to see more. */
export function renderPreview(p: ArtifactPreview): string {
  const extent = p.truncated ? `first ${p.bytes} of ${p.size} bytes` : `all ${p.bytes} bytes`;
  const kind = p.kind === 'json' ? 'JSON' : p.kind;
  const lines = [`Preview (${kind}, ${extent}):`];
  if (p.kind === 'binary') {
    lines.push(...(p.hex ?? []).map((line) => safeText(line, LINE_MAX)));
    const strings = p.strings ?? [];
    if (strings.length)
      lines.push(
        `Strings (${strings.length}, runs of 6 or more printable characters):`,
        ...strings.map((s) => `  ${safeText(s, LINE_MAX)}`),
      );
    else lines.push(`Strings: none of 6 or more printable characters in the ${p.truncated ? `first ${p.bytes}` : p.bytes} bytes`);
  } else if (p.text) {
    lines.push(...visibleLines(p.text));
  } else {
    lines.push('(empty)');
  }
  if (p.truncated)
    lines.push(
      `… ${p.size - p.bytes} more bytes (--bytes N shows up to ${EVIDENCE_PREVIEW_MAX_BYTES}; drydock artifact export ID --out FILE copies it all)`,
    );
  return lines.join('\n');
}

export const evidenceShowCommand: CliCommand = {
  path: ['evidence', 'show'],
  summary: "Print an artifact's provenance and a preview of its first bytes (text, JSON, or hex and strings)",
  usage: 'evidence show ID [--bytes N]',
  positionals: true,
  options: { bytes: { type: 'string' } },
  async run(ctx, values, positionals) {
    const id = positionals[0];
    if (id === undefined || positionals.length > 1) throw new CliError('needs one artifact ID (drydock evidence list shows them)', 2);
    const raw = values.bytes;
    // A short look unless asked for more; the contract refuses more than its maximum (exit 2).
    let maxBytes = EVIDENCE_PREVIEW_DEFAULT_BYTES;
    if (typeof raw === 'string') {
      maxBytes = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(maxBytes))
        throw new CliError(`--bytes takes a number of bytes, not ${safeText(raw, 40)}`, 2);
    }
    const artifact = await ctx.call('evidence.artifact', { artifactId: id });
    const preview = await ctx.call('evidence.preview', { artifactId: id, maxBytes });
    ctx.io.out(ctx.json ? JSON.stringify({ artifact, preview }) : `${renderArtifact(artifact)}\n${renderPreview(preview)}`);
    return 0;
  },
};
