import type { StepContext, StepOutcome } from './step-context';

const STOP_TIMEOUT_SECONDS = 10;

/** The last resort: SIGTERM, then SIGKILL after the grace period. Memory is lost. */
export async function stop(ctx: StepContext): Promise<StepOutcome> {
  const inspect = await ctx.inspect();
  if (!inspect.State.Running) return { state: 'skipped', detail: `Already stopped (${inspect.State.Status})` };
  const wasPaused = inspect.State.Paused;
  await ctx.engine('stopping it', async () => {
    try {
      await ctx.docker.getContainer(inspect.Id).stop({ t: STOP_TIMEOUT_SECONDS });
    } catch (err) {
      // 304: it stopped on its own meanwhile.
      if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
  });
  await ctx.checkpoint('stop', 'stopped');
  return { state: 'done', detail: `Stopped${wasPaused ? ' (it was paused: the signal waited for the grace period, then it was killed)' : ''}; memory is gone` };
}
