import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sbom, SbomDrift, SbomFormat, SbomResult } from '../../../shared/domain/sbom';
import { CliError, type CliCommand } from '../command';
import { caseLabel } from '../case-label';
import { safeText, table } from '../terminal-safe';

type Format = SbomFormat | 'table';

function parseFormat(value: unknown): Format {
  if (value === undefined) return 'table';
  if (value === 'cyclonedx' || value === 'spdx' || value === 'table') return value;
  throw new CliError('--format takes cyclonedx, spdx or table', 2);
}

function heading(sbom: Sbom): string {
  const os = sbom.os?.prettyName ?? sbom.os?.id ?? 'unknown distribution';
  return `SBOM of ${sbom.subject.kind} ${safeText(sbom.subject.name)} (${sbom.subject.id.replace(/^sha256:/, '').slice(0, 12)}) on host ${safeText(sbom.host)}: ${sbom.packages.length} packages, ${safeText(os)}`;
}

function databaseLines(sbom: Sbom): string[] {
  return sbom.databases.map(
    (d) => `  ${safeText(d.path)} (${d.format}): ${d.state}, ${d.packages} packages${d.note ? ` — ${safeText(d.note)}` : ''}`,
  );
}

/** The package table of one SBOM. */
export function renderSbom(sbom: Sbom): string {
  const lines = [heading(sbom), 'Databases read:', ...(databaseLines(sbom).length ? databaseLines(sbom) : ['  none found'])];
  lines.push(
    table(
      ['TYPE', 'NAME', 'VERSION', 'ARCH', 'SOURCE', 'PURL'],
      sbom.packages.map((p) => [
        p.ecosystem,
        p.name,
        p.version,
        p.architecture ?? '',
        p.sourceName ? `${p.sourceName}${p.sourceVersion ? ` ${p.sourceVersion}` : ''}` : '',
        p.purl,
      ]),
    ),
  );
  for (const l of sbom.limitations) lines.push(`Limitation: ${safeText(l)}`);
  return lines.join('\n');
}

/** The runtime drift, image and container side by side. */
export function renderDrift(drift: SbomDrift): string {
  const rows = [
    ...drift.added.map((p) => [p.ecosystem, p.name, '-', p.version, 'added at runtime']),
    ...drift.removed.map((p) => [p.ecosystem, p.name, p.version, '-', 'removed at runtime']),
    ...drift.changed.map((c) => [c.container.ecosystem, c.container.name, c.image.version, c.container.version, 'changed at runtime']),
  ];
  if (rows.length === 0) return 'Runtime package drift: none (the container has the packages of its image)';
  return [
    `Runtime package drift: ${drift.added.length} added, ${drift.removed.length} removed, ${drift.changed.length} changed`,
    table(['TYPE', 'PACKAGE', 'IMAGE', 'CONTAINER', 'CHANGE'], rows),
  ].join('\n');
}

export function renderSbomResult(result: SbomResult): string {
  const parts = [renderSbom(result.sbom)];
  if (result.drift) parts.push('', renderDrift(result.drift));
  return parts.join('\n');
}

export const sbomCommands: CliCommand[] = [
  {
    path: ['sbom'],
    summary:
      "What is installed in a container or an image (dpkg, apk, rpm, Python, npm) read through the engine; a container's runtime package drift beside its image's; CycloneDX 1.5 and SPDX 2.3 stored in the case",
    usage: 'sbom IMAGE|CONTAINER [--host H] [--format cyclonedx|spdx|table] [--out FILE] [--case REF] [--no-record] [--json]',
    positionals: true,
    options: {
      host: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      case: { type: 'string' },
      'no-record': { type: 'boolean' },
    },
    async run(ctx, values, positionals) {
      const target = positionals[0];
      if (target === undefined || positionals.length > 1) throw new CliError('needs one IMAGE or CONTAINER', 2);
      const format = parseFormat(values.format);
      if (typeof values.out === 'string' && format === 'table')
        throw new CliError('--out writes a document: give --format cyclonedx or spdx', 2);
      // Refused before anything is read or stored: nothing is overwritten, and no SBOM is stored for a refused --out.
      if (typeof values.out === 'string' && existsSync(path.resolve(values.out)))
        throw new CliError(`${safeText(path.resolve(values.out))} already exists; choose another name (nothing is overwritten)`, 1);
      const host = await ctx.host(values.host);
      const result = await ctx.call('sbom.build', {
        host,
        target,
        record: values['no-record'] !== true,
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      });
      if (format !== 'table' && typeof values.out === 'string') {
        const file = path.resolve(values.out);
        const stored = result.stored?.documents.find((d) => d.format === format && d.subject === result.sbom.subject.kind);
        if (stored) {
          // The stored artifact's own bytes, re-hashed on the way out.
          const written = await ctx.call('evidence.export-artifact', { artifactId: stored.artifactId, path: file });
          ctx.io.err(`wrote ${safeText(written.path)}: ${written.bytes} bytes, sha256 ${written.sha256} (artifact ${stored.artifactId})`);
        } else {
          await writeFile(file, `${JSON.stringify(result.documents[format], null, 2)}\n`, { flag: 'wx' }).catch(
            (err: NodeJS.ErrnoException) => {
              throw new CliError(`cannot write ${file}: ${err.message}`, 1);
            },
          );
          ctx.io.err(`wrote ${safeText(file)}`);
        }
      }
      if (ctx.json) ctx.io.out(JSON.stringify(result));
      else if (format === 'table') ctx.io.out(renderSbomResult(result));
      else if (typeof values.out !== 'string') ctx.io.out(JSON.stringify(result.documents[format], null, 2));
      else ctx.io.out(renderSbomResult(result));
      if (!ctx.json)
        ctx.io.err(
          result.stored
            ? `recorded: ${result.stored.documents.map((d) => `${d.subject} ${d.format} ${d.artifactId}`).join(', ')} in case ${await caseLabel(ctx, result.stored.caseId)}`
            : 'not recorded (--no-record): nothing was stored in a case',
        );
      return 0;
    },
  },
];
