import type { HostInput } from '../../../shared/contract/hosts';
import type { EngineFacts } from '../../../shared/domain/hosts';
import { CliError, type CliCommand } from '../command';
import { safeText, table } from '../terminal-safe';

const CONNECTION_OPTIONS = {
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-no-verify': { type: 'boolean' },
  'ssh-key': { type: 'string' },
  'ssh-socket': { type: 'string' },
} as const;

/** The CLI's exit status for an engine that could not be reached or refused us (README: exit codes). */
const UNREACHABLE_EXIT = 4;

type Values = Record<string, string | boolean | string[] | undefined>;

function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

/** The profile described by the command line; TLS verification stays on unless --tls-no-verify. */
function hostInput(name: string, url: string, values: Values): HostInput {
  const ca = str(values, 'tls-ca');
  const cert = str(values, 'tls-cert');
  const key = str(values, 'tls-key');
  const noVerify = values['tls-no-verify'] === true;
  const sshKey = str(values, 'ssh-key');
  const sshSocket = str(values, 'ssh-socket');
  return {
    name,
    url,
    ...(ca || cert || key || noVerify
      ? { tls: { ...(ca ? { caFile: ca } : {}), ...(cert ? { certFile: cert } : {}), ...(key ? { keyFile: key } : {}), verify: !noVerify } }
      : {}),
    ...(sshKey || sshSocket ? { ssh: { ...(sshKey ? { keyFile: sshKey } : {}), ...(sshSocket ? { socketPath: sshSocket } : {}) } } : {}),
  };
}

export function renderFacts(facts: EngineFacts): string {
  return [
    `Host ${safeText(facts.host)}: Docker ${safeText(facts.engineVersion)} (API ${safeText(facts.apiVersion)}), ${safeText(facts.osType)}/${safeText(facts.arch)}, ${safeText(facts.os)}, kernel ${safeText(facts.kernelVersion)}`,
    `  hostname ${safeText(facts.hostname)}; swarm ${facts.swarmRole}${facts.swarmNodeId ? ` (node ${safeText(facts.swarmNodeId)})` : ''}`,
    `  ${facts.containers} containers (${facts.containersRunning} running), ${facts.images} images; answered in ${facts.latencyMs} ms`,
    ...(facts.tlsVerify === false ? ['  WARNING: TLS certificate verification is OFF for this host'] : []),
    ...(facts.inconsistencies ?? []).map(
      (text) => `  INCONSISTENT: ${safeText(text)} (the engine's answers contradict each other; do not trust its version claims)`,
    ),
  ].join('\n');
}

export const hostCommands: CliCommand[] = [
  {
    path: ['hosts', 'add'],
    summary: 'Save a host profile (unix://, tcp:// with TLS files, ssh://user@host)',
    usage: 'hosts add NAME URL [--tls-ca F --tls-cert F --tls-key F] [--tls-no-verify] [--ssh-key F] [--ssh-socket PATH] [--no-test]',
    positionals: true,
    options: { ...CONNECTION_OPTIONS, 'no-test': { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const [name, url] = positionals;
      if (!name || !url || positionals.length > 2) throw new CliError('needs NAME and URL', 2);
      const input = hostInput(name, url, values);
      // A profile that cannot reach its engine is saved only when asked (--no-test: a node mapped
      // before it is reachable); otherwise the engine is asked first and nothing is saved if it fails.
      let facts: EngineFacts | undefined;
      if (values['no-test'] !== true) {
        try {
          facts = await ctx.call('hosts.test', input);
        } catch (err) {
          if (!(err instanceof CliError)) throw err;
          throw new CliError(
            `host ${name} not saved: ${err.message}${err.exitCode === UNREACHABLE_EXIT ? '. To save it anyway (an engine you cannot reach yet), add --no-test' : ''}`,
            err.exitCode,
            err.error,
          );
        }
      }
      const profile = await ctx.call('hosts.add', input);
      if (ctx.json) ctx.io.out(JSON.stringify(profile));
      else {
        ctx.io.out(
          `Saved host ${safeText(profile.name)} -> ${safeText(profile.url)}${profile.tls?.verify === false ? '  (TLS verification OFF)' : ''}`,
        );
        ctx.io.out(
          facts ? renderFacts(facts) : '  not tested (--no-test): drydock hosts test ' + safeText(profile.name) + ' asks its engine',
        );
      }
      return 0;
    },
  },
  {
    path: ['hosts', 'list'],
    summary: 'List saved host profiles',
    usage: 'hosts list [--json]',
    async run(ctx) {
      const profiles = await ctx.call('hosts.list', {});
      if (ctx.json) ctx.io.out(JSON.stringify(profiles));
      else if (!profiles.length)
        ctx.io.out(
          'No hosts saved yet. Without --host, commands use the engine the docker CLI would; drydock hosts import saves your Docker contexts.',
        );
      else
        ctx.io.out(
          table(
            ['NAME', 'KIND', 'URL', 'TLS', 'ADDED'],
            profiles.map((p) => [p.name, p.kind, p.url, p.tls ? (p.tls.verify ? 'verify' : 'NO VERIFY') : '', p.createdAt]),
          ),
        );
      return 0;
    },
  },
  {
    path: ['hosts', 'import'],
    summary: "Save the docker CLI's contexts (~/.docker/contexts) as host profiles: all, or those named",
    usage: 'hosts import [CONTEXT...] [--json]',
    positionals: true,
    async run(ctx, _values, positionals) {
      const result = await ctx.call('hosts.import-contexts', positionals.length ? { names: positionals } : {});
      if (ctx.json) ctx.io.out(JSON.stringify(result));
      else {
        for (const p of result.imported)
          ctx.io.out(
            `Saved host ${safeText(p.name)} -> ${safeText(p.url)}${p.tls ? (p.tls.verify ? ' (TLS verified)' : ' (TLS verification OFF)') : ''}`,
          );
        for (const s of result.skipped) ctx.io.out(`Skipped context ${safeText(s.context)}: ${safeText(s.why)}`);
        if (!result.imported.length && !result.skipped.length) ctx.io.out('No Docker contexts found.');
      }
      return result.skipped.some((s) => s.why === 'no such Docker context') ? 3 : 0;
    },
  },
  {
    path: ['hosts', 'remove'],
    summary: 'Forget a host profile (evidence collected from it stays)',
    usage: 'hosts remove NAME',
    positionals: true,
    async run(ctx, _values, positionals) {
      const name = positionals[0];
      if (!name || positionals.length > 1) throw new CliError('needs NAME', 2);
      const result = await ctx.call('hosts.remove', { name });
      if (!result.removed) throw new CliError(`no host named ${safeText(name)}`, 3);
      ctx.io.out(ctx.json ? JSON.stringify(result) : `Removed host ${safeText(name)}`);
      return 0;
    },
  },
  {
    path: ['hosts', 'test'],
    summary: 'Connect and report engine version, API, OS/arch, swarm role, counts',
    usage: 'hosts test NAME | hosts test NAME URL [connection options]',
    positionals: true,
    options: CONNECTION_OPTIONS,
    async run(ctx, values, positionals) {
      const [name, url] = positionals;
      if (!name || positionals.length > 2) throw new CliError('needs NAME (a saved host) or NAME URL', 2);
      const facts = await ctx.call('hosts.test', url ? hostInput(name, url, values) : { name });
      ctx.io.out(ctx.json ? JSON.stringify(facts) : renderFacts(facts));
      return 0;
    },
  },
];
