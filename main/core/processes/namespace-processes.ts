import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import { runReaderHelper, runHelper, type HelperRunner, type HelperTarget } from '../helper/run';
import { parseProcTable, procTableCommand, type ProcTable } from './proc-table';

/** The container whose PID namespace is read, and the helper that reads it (busybox sh and hexdump). */
export interface ProcReadRequest extends HelperTarget {
  timeoutMs?: number;
}

export interface ProcReadResult extends ProcTable {
  /** The helper's output was cut at the size cap. */
  truncated: boolean;
}

/** 4,096 processes of at most ~17 KiB each, as hex: the cap cuts a worst case, never a normal one. */
const MAX_OUTPUT = 24 * 1024 * 1024;

export type ProcHelperRunner = HelperRunner;

/**
 * Reads /proc of every process in a container's PID namespace through a short-lived helper that
 * joins it (--pid container:ID): no capability (stat, status and cmdline of another process need
 * none), read-only root, recorded in the helper ledger and removed however it ends. Nothing runs
 * inside the suspect; the output is parsed as hostile input.
 */
export async function readNamespaceProcesses(
  docker: Dockerode,
  request: ProcReadRequest,
  run: ProcHelperRunner = runHelper,
): Promise<ProcReadResult> {
  const where = { host: request.host, container: request.containerName };
  const result = await runReaderHelper(
    docker,
    request,
    {
      what: 'process table',
      helper: 'process-table',
      cmd: procTableCommand(),
      purpose: 'processes',
      joinPid: true,
      timeoutMs: request.timeoutMs ?? 20000,
      maxOutputBytes: MAX_OUTPUT,
    },
    run,
  );
  const stderr = result.stderrText;
  const table = parseProcTable(result.stdout.toString('latin1'));
  if (table.self === null || (table.rows.length === 0 && !result.truncated)) {
    throw new DrydockFailure(
      'engine',
      `The process-table helper for container ${request.containerName} on host ${request.host} printed no process table (are the helper image's sh and hexdump usable?)`,
      { ...where, detail: stderr || result.stdout.subarray(0, 500).toString('latin1') },
    );
  }
  return { ...table, truncated: result.truncated };
}
