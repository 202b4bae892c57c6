import { statusOf } from './engine-text';
import type { StepContext, StepOutcome } from './step-context';

const STOP_TIMEOUT_SECONDS = 10;

/**
 * The last resort: SIGTERM, then SIGKILL after the grace period. Memory is lost. The outcome is
 * read back from the engine (its 304 answer, the exit code), not assumed from the request.
 */
export async function stop(ctx: StepContext): Promise<StepOutcome> {
  const inspect = await ctx.inspect();
  if (!inspect.State.Running) return { state: 'skipped', detail: `skipped: already stopped (${inspect.State.Status})` };
  const wasPaused = inspect.State.Paused;
  const stopped = await ctx.engine('stopping it', async () => {
    try {
      await ctx.docker.getContainer(inspect.Id).stop({ t: STOP_TIMEOUT_SECONDS });
      return true;
    } catch (err) {
      // 304: it stopped on its own between the inspect and the request.
      if (statusOf(err) !== 304) throw err;
      return false;
    }
  });
  await ctx.checkpoint('stop', 'stopped');
  if (!stopped) return { state: 'skipped', detail: 'skipped: the engine answered that it had already stopped on its own' };
  const after = await ctx.inspect();
  const code = after.State.ExitCode;
  // 137 = 128 + SIGKILL: the grace period ran out (always so for a paused container, which cannot handle SIGTERM).
  const how =
    code === 137
      ? `killed (SIGKILL) after the ${STOP_TIMEOUT_SECONDS} s grace period${wasPaused ? '; it was paused, so SIGTERM could not be handled' : ''}`
      : `exited with code ${code} after SIGTERM`;
  return { state: 'done', detail: `Stopped: ${how}; memory is gone` };
}
