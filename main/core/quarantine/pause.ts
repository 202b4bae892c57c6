import type { StepContext, StepOutcome } from './step-context';

/**
 * Freezes every process (cgroup freezer): memory, sockets and open files are kept as they are.
 * The outcome says what the engine was asked and answered: a container found already paused was
 * not paused by this step.
 */
export async function pause(ctx: StepContext): Promise<StepOutcome> {
  const inspect = await ctx.inspect();
  if (inspect.State.Paused) {
    if (ctx.record.before.paused)
      return { state: 'skipped', detail: 'skipped: it was already paused before quarantine (release leaves it paused)' };
    // Paused since the state was recorded: an interrupted earlier run of this step, or someone else.
    return {
      state: 'done',
      detail:
        'Found paused when this step ran (paused after the state was recorded, by an interrupted earlier run or someone else); release unpauses it',
    };
  }
  if (!inspect.State.Running) return { state: 'skipped', detail: `skipped: not running (${inspect.State.Status}), nothing to freeze` };
  await ctx.engine('pausing it', () => ctx.docker.getContainer(inspect.Id).pause());
  await ctx.checkpoint('pause', 'paused');
  return { state: 'done', detail: 'Paused: processes frozen, memory kept' };
}
