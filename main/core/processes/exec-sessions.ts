import type Dockerode from 'dockerode';

const MAX_EXECS = 128;

/**
 * Host PIDs of the container's running `docker exec` sessions, from the engine's own records
 * (container ExecIDs, then each exec's inspect). A process the engine started this way is someone
 * working inside the container, not the workload.
 */
export async function execSessionPids(docker: Dockerode, execIds: readonly string[] | null | undefined): Promise<Map<number, string>> {
  const sessions = new Map<number, string>();
  const ids = (execIds ?? []).slice(0, MAX_EXECS);
  const inspected = await Promise.allSettled(ids.map((id) => docker.getExec(id).inspect()));
  inspected.forEach((result, i) => {
    const id = ids[i];
    if (result.status !== 'fulfilled' || !id) return;
    const pid = result.value.Pid;
    if (result.value.Running && typeof pid === 'number' && pid > 0) sessions.set(pid, id);
  });
  return sessions;
}
