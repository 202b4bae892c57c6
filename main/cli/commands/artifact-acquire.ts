import { CliError, type CliCommand } from '../command';
import { caseLabel } from '../case-label';
import { safeText } from '../terminal-safe';

// `drydock artifact acquire`: a file a drift scan left "hashed only" (over a cap), fetched into the
// case afterwards through the same archive read. A name that is not UTF-8 is given as its bytes
// in base64 (--path-base64, as the report's JSON carries it); PATH is then its text form.

export const artifactAcquireCommands: CliCommand[] = [
  {
    path: ['artifact', 'acquire'],
    summary: 'Acquire one file of a running container into the case (a file a drift scan only hashed)',
    usage: 'artifact acquire CONTAINER PATH [--host H] [--case NAME] [--path-base64 B64] [--json]',
    positionals: true,
    options: { host: { type: 'string' }, case: { type: 'string' }, 'path-base64': { type: 'string' } },
    async run(ctx, values, positionals) {
      const [container, path] = positionals;
      if (!container || !path || positionals.length > 2) throw new CliError('needs CONTAINER and an absolute PATH', 2);
      if (!path.startsWith('/')) throw new CliError(`PATH must be absolute: ${safeText(path)}`, 2);
      const pathBase64 = values['path-base64'];
      if (pathBase64 !== undefined && (typeof pathBase64 !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(pathBase64)))
        throw new CliError('--path-base64 takes the path bytes in base64', 2);
      const host = await ctx.host(values.host);
      const info = await ctx.call('drift.acquire', {
        host,
        container,
        path,
        ...(typeof pathBase64 === 'string' ? { pathBase64 } : {}),
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      });
      if (ctx.json) ctx.io.out(JSON.stringify(info));
      else
        ctx.io.out(
          `Acquired ${safeText(info.source.path ?? path)} from ${safeText(info.source.containerName ?? container)} on ${safeText(host)}: ${info.size} bytes, sha256 ${info.sha256}, artifact ${info.id} in case ${await caseLabel(ctx, info.caseId)}`,
        );
      return 0;
    },
  },
];
