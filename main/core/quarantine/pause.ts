import type { StepContext, StepOutcome } from './step-context';

/** Freezes every process (cgroup freezer): memory, sockets and open files are kept as they are. */
export async function pause(ctx: StepContext): Promise<StepOutcome> {
  const inspect = await ctx.inspect();
  if (inspect.State.Paused) {
    return { state: ctx.record.before.paused ? 'skipped' : 'done', detail: ctx.record.before.paused ? 'Was already paused before quarantine (release leaves it paused)' : 'Paused' };
  }
  if (!inspect.State.Running) return { state: 'skipped', detail: `Not running (${inspect.State.Status}): nothing to freeze` };
  await ctx.engine('pausing it', () => ctx.docker.getContainer(inspect.Id).pause());
  await ctx.checkpoint('pause', 'paused');
  return { state: 'done', detail: 'Paused: processes frozen, memory kept' };
}
