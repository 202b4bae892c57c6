import { z } from 'zod';
import { artifactId, caseRef } from './schemas';

// "Files out" in the UI: the user saves an export to their own machine — a download through the
// bridge, a native save dialog in Electron — instead of typing a path on the serving machine.

/**
 * What to save: one artifact's bytes (a pcap, a stored file, a snapshot) or a whole case bundle.
 * `filename` is only a suggestion: it often carries names from the host under investigation, so
 * every transport passes it through `safeFilename` before it reaches a header or a dialog.
 */
export const saveRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('artifact'), artifactId, filename: z.string().max(400).optional() }).strict(),
  z.object({ kind: z.literal('bundle'), caseRef: caseRef.optional(), filename: z.string().max(400).optional() }).strict(),
]);

export type SaveRequest = z.input<typeof saveRequest>;

/** Where the bytes went, and their SHA-256 (hex) as the store exported them. */
export interface SavedFile {
  /** The name the file was offered under (sanitised). */
  filename: string;
  bytes: number;
  sha256: string;
  /** Electron: the path chosen in the save dialog. Bridge: absent (the browser chooses). */
  path?: string;
  /** The user closed the save dialog: nothing was written. */
  cancelled?: boolean;
}

const FALLBACK = { artifact: 'artifact.bin', bundle: 'case.drydock.tar' } as const;

/**
 * A file name safe for a Content-Disposition header and any file system: ASCII letters, digits,
 * '.', '-' and '_' only (everything else, control characters and path separators included,
 * becomes '_'), no leading dot, at most 120 characters keeping the extension; empty → a fallback.
 */
export function safeFilename(suggested: string | undefined, kind: SaveRequest['kind']): string {
  const cleaned = (suggested ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[._-]+/, '')
    .replace(/\.{2,}/g, '.');
  if (!cleaned || cleaned === '_') return FALLBACK[kind];
  if (cleaned.length <= 120) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 12 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 120 - ext.length) + ext;
}
