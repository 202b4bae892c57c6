import type { CheckpointResult } from '../../../shared/domain/checkpoint';
import { CliError, type CliCommand } from '../command';
import { safeText } from '../terminal-safe';
import { counted } from '../counted';

// `drydock checkpoint`: docker checkpoint --leave-running where the engine offers it; the files stay
// on the host, the case keeps the record.

function render(r: CheckpointResult): string {
  return [
    `Checkpointed ${safeText(r.containerName)} (${r.containerId.slice(0, 12)}) on ${safeText(r.host)} as ${safeText(r.checkpointId)}, left running${r.runningAfter ? '' : ' (BUT it is no longer running)'}`,
    `  on the host's disk (not in the case: the Engine API cannot read it back): ${safeText(r.hostPath, 400)}`,
    `  the engine lists ${counted(r.listing.length, 'checkpoint')}: ${r.listing.map((c) => safeText(c.Name, 80)).join(', ') || '-'}`,
    `  recorded as artifact ${r.stored.artifactId} (sha256 ${r.stored.sha256}) in case ${r.stored.caseId}`,
  ].join('\n');
}

export const checkpointCommands: CliCommand[] = [
  {
    path: ['checkpoint'],
    summary:
      "docker checkpoint of a running container (CRIU, always --leave-running) where the engine offers it (experimental daemon, CRIU on the host); the checkpoint is written to the host's disk (audited as footprint) and recorded in the case",
    usage: 'checkpoint CONTAINER [--name NAME] [--host H] [--case NAME] [--json]',
    positionals: true,
    options: { host: { type: 'string' }, case: { type: 'string' }, name: { type: 'string' } },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER', 2);
      if (values.name !== undefined && typeof values.name !== 'string') throw new CliError('--name takes a checkpoint name', 2);
      const host = await ctx.host(values.host);
      const result = await ctx.call('memory.checkpoint', {
        host,
        container,
        ...(typeof values.name === 'string' ? { name: values.name } : {}),
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      });
      ctx.io.out(ctx.json ? JSON.stringify(result) : render(result));
      return result.runningAfter ? 0 : 1;
    },
  },
];
