import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import { runReaderHelper, runHelper, type HelperRunner, type HelperTarget } from '../helper/run';
import type { ByteOrder } from './ip-address';
import { parseNamespaceTables, TABLE_MARKER, TABLE_NAMES, type NamespaceTables, type ParseLimits } from './socket-tables';

/** The container whose network namespace is read, and the helper that reads it (busybox cat). */
export interface NamespaceReadRequest extends HelperTarget {
  byteOrder: ByteOrder;
  timeoutMs?: number;
  limits?: ParseLimits;
}

export interface NamespaceReadResult extends NamespaceTables {
  /** The helper's output was cut at the size cap. */
  truncated: boolean;
  bytes: number;
}

/** 50,000 sockets of ~150 bytes each, four tables: plenty, and still a bound. */
const MAX_OUTPUT = 16 * 1024 * 1024;

/**
 * The helper's whole program: each table behind a marker line, or the marker and "missing" when
 * the table does not exist (a kernel without IPv6). /proc/net follows the network namespace of
 * the reading process, which is the target's: the helper joins it with network mode
 * container:<id>, so nothing is executed inside the suspect.
 */
export function namespaceReaderCommand(): string[] {
  const tables = TABLE_NAMES.join(' ');
  const marker = TABLE_MARKER.trim();
  return [
    'sh',
    '-c',
    `for t in ${tables}; do if [ -r /proc/net/$t ]; then echo "${marker} $t"; cat /proc/net/$t; else echo "${marker} $t missing"; fi; done`,
  ];
}

export type { HelperRunner };

/**
 * Reads /proc/net/{tcp,tcp6,udp,udp6} of one container's network namespace through a short-lived
 * helper (no capability, read-only root, recorded in the helper ledger, removed however it
 * ends); the output comes back through the attach stream and is parsed as hostile input.
 */
export async function readNamespaceSockets(
  docker: Dockerode,
  request: NamespaceReadRequest,
  run: HelperRunner = runHelper,
): Promise<NamespaceReadResult> {
  const where = { host: request.host, container: request.containerName };
  const result = await runReaderHelper(
    docker,
    request,
    {
      what: 'socket tables',
      helper: 'socket-table',
      cmd: namespaceReaderCommand(),
      purpose: 'sockets',
      timeoutMs: request.timeoutMs ?? 20000,
      maxOutputBytes: MAX_OUTPUT,
    },
    run,
  );
  const stderr = result.stderrText;
  const text = result.stdout.toString('latin1');
  if (!text.includes(TABLE_MARKER)) {
    throw new DrydockFailure(
      'engine',
      `The socket-table helper for container ${request.containerName} on host ${request.host} printed no table (is the helper image's sh/cat usable?)`,
      { ...where, detail: stderr || text.slice(0, 500) },
    );
  }
  return {
    ...parseNamespaceTables(text, request.byteOrder, request.limits ?? {}),
    truncated: result.truncated,
    bytes: result.stdout.length,
  };
}
