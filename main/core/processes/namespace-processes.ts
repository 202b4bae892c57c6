import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import type { HelperLedger } from '../helper/ledger';
import { runHelper, type HelperRunRequest, type HelperRunResult } from '../helper/run';
import { parseProcTable, procTableCommand, type ProcTable } from './proc-table';

export interface ProcReadRequest {
  host: string;
  ledger: HelperLedger;
  caseId?: string;
  /** Full ID of the container whose PID namespace is read. */
  containerId: string;
  containerName: string;
  /** The capture helper image (ensureHelperImage): a static busybox with sh and hexdump. */
  image: string;
  timeoutMs?: number;
}

export interface ProcReadResult extends ProcTable {
  /** The helper's output was cut at the size cap. */
  truncated: boolean;
}

/** 4,096 processes of at most ~17 KiB each, as hex: the cap cuts a worst case, never a normal one. */
const MAX_OUTPUT = 24 * 1024 * 1024;

export type ProcHelperRunner = (docker: Dockerode, request: HelperRunRequest) => Promise<HelperRunResult>;

/**
 * Reads /proc of every process in a container's PID namespace through a short-lived helper that
 * joins it (--pid container:ID): no capability (stat, status and cmdline of another process need
 * none), read-only root, recorded in the helper ledger and removed however it ends. Nothing runs
 * inside the suspect; the output is parsed as hostile input.
 */
export async function readNamespaceProcesses(docker: Dockerode, request: ProcReadRequest, run: ProcHelperRunner = runHelper): Promise<ProcReadResult> {
  const where = { host: request.host, container: request.containerName };
  const result = await run(docker, {
    ledger: request.ledger,
    host: request.host,
    ...(request.caseId !== undefined ? { caseId: request.caseId } : {}),
    image: request.image,
    targetId: request.containerId,
    cmd: procTableCommand(),
    purpose: 'processes',
    capabilities: [],
    joinPid: true,
    timeoutMs: request.timeoutMs ?? 20000,
    maxOutputBytes: MAX_OUTPUT,
  });
  if (result.timedOut) throw new DrydockFailure('engine', `Reading the process table of container ${request.containerName} on host ${request.host} timed out`, where);
  const stderr = result.stderr.toString('utf8').slice(0, 2000);
  if (result.exitCode !== 0) {
    throw new DrydockFailure('engine', `The process-table helper for container ${request.containerName} on host ${request.host} exited with ${result.exitCode ?? 'no status'}${stderr ? `: ${stderr.trim()}` : ''}`, { ...where, detail: stderr });
  }
  const table = parseProcTable(result.stdout.toString('latin1'));
  if (table.self === null || (table.rows.length === 0 && !result.truncated)) {
    throw new DrydockFailure('engine', `The process-table helper for container ${request.containerName} on host ${request.host} printed no process table (are the helper image's sh and hexdump usable?)`, { ...where, detail: stderr || result.stdout.subarray(0, 500).toString('latin1') });
  }
  return { ...table, truncated: result.truncated };
}
