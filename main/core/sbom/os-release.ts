import type { OsRelease } from '../../../shared/domain/sbom';

// os-release(5): shell-compatible KEY=VALUE lines, values optionally quoted ("…" or '…') with
// backslash escapes inside double quotes. Nothing is evaluated.

function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\([\\$"`])/g, '$1');
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

/** The fields Drydock uses from an os-release text; undefined without an ID. */
export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) fields.set(match[1] as string, unquote(match[2] as string).slice(0, 256));
  }
  const id = fields.get('ID')?.toLowerCase();
  if (!id) return undefined;
  const versionId = fields.get('VERSION_ID');
  const codename = fields.get('VERSION_CODENAME');
  const pretty = fields.get('PRETTY_NAME');
  return {
    id,
    idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean),
    ...(versionId ? { versionId } : {}),
    ...(codename ? { versionCodename: codename } : {}),
    ...(pretty ? { prettyName: pretty } : {}),
  };
}
