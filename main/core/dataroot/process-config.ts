import type { DataRootInfo, DataRootProcessConfig } from '../../../shared/domain/dataroot';
import type { ContainerRecord } from './records';

// A dead box has no processes: what is left of them is the command the engine started (Path and
// Args of config.v2.json), the configuration it ran with (Config.User, WorkingDir, Env) and the
// state the engine last wrote (State: Running, Pid, StartedAt, FinishedAt, ExitCode, OOMKilled,
// RestartCount). moby writes config.v2.json on every state change (container/container.go
// CheckpointTo), so the state is the last one the engine saw, not necessarily the last one there
// was: a host that lost power mid-run leaves Running true and the PID of a process long gone.

const ZERO_TIME = '0001-01-01T00:00:00Z';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const strings = (v: unknown): string[] | null =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : null;
const time = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== ZERO_TIME ? v : undefined);

/**
 * The recorded command, configuration and last state of one container of a data root, with the
 * notes a reader needs (no process list on disk; the PID was a host PID at the time).
 */
export function processConfigOf(record: ContainerRecord, info: DataRootInfo): Omit<DataRootProcessConfig, 'stored'> {
  const inspect = record.inspect as unknown as Json;
  const config = obj(inspect.Config);
  const state = obj(inspect.State);
  const name = str(inspect.Name).replace(/^\//, '') || record.id.slice(0, 12);
  const running = state.Running === true;
  const pid = num(state.Pid);
  const startedAt = time(state.StartedAt);
  const finishedAt = time(state.FinishedAt);
  const notes = [
    'No process list exists on disk: a data root keeps only the command the engine started (Path and Args) and the state it last recorded in config.v2.json; processes started later (exec sessions, children, an implant) left no record here',
    pid > 0
      ? `PID ${pid} was the container's init as a PID of the host's (not the container's) namespace when the engine last wrote the record; it names no process now, and on the machine reading this it may be any other process`
      : 'The recorded PID is 0: the container was not running when the engine last wrote its record',
  ];
  if (running)
    notes.push(
      "The record says Running: the engine did not see the container stop before the host went down (a crash, a power cut, the disk imaged live); FinishedAt is then the previous run's, if any",
    );
  return {
    source: info,
    containerId: record.id,
    containerName: name,
    image: str(config.Image) || str(inspect.Image),
    path: str(inspect.Path),
    args: strings(inspect.Args) ?? [],
    entrypoint: strings(config.Entrypoint),
    cmd: strings(config.Cmd),
    user: str(config.User),
    workingDir: str(config.WorkingDir),
    env: strings(config.Env) ?? [],
    tty: config.Tty === true,
    state: {
      status: str(state.Status),
      running,
      paused: state.Paused === true,
      restarting: state.Restarting === true,
      oomKilled: state.OOMKilled === true,
      dead: state.Dead === true,
      pid,
      exitCode: num(state.ExitCode),
      error: str(state.Error),
      ...(startedAt ? { startedAt } : {}),
      ...(finishedAt ? { finishedAt } : {}),
    },
    restartCount: num(inspect.RestartCount),
    notes,
  };
}
