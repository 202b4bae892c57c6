import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import type { HelperLedger } from '../helper/ledger';
import { runHelper, type HelperRunResult } from '../helper/run';
import type { ByteOrder } from './ip-address';
import { parseNamespaceTables, TABLE_MARKER, TABLE_NAMES, type NamespaceTables, type ParseLimits } from './socket-tables';

export interface NamespaceReadRequest {
  host: string;
  /** Records the helper (by container ID) and audits its creation and removal. */
  ledger: HelperLedger;
  caseId?: string;
  /** Full ID of the container whose network namespace is read. */
  containerId: string;
  containerName: string;
  /** The capture helper image (ensureHelperImage), which carries a static busybox with cat. */
  image: string;
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
  return ['sh', '-c', `for t in ${tables}; do if [ -r /proc/net/$t ]; then echo "${marker} $t"; cat /proc/net/$t; else echo "${marker} $t missing"; fi; done`];
}

export type HelperRunner = (docker: Dockerode, request: Parameters<typeof runHelper>[1]) => Promise<HelperRunResult>;

/**
 * Reads /proc/net/{tcp,tcp6,udp,udp6} of one container's network namespace through a short-lived
 * helper (no capability, read-only root, recorded in the helper ledger, removed however it
 * ends); the output comes back through the attach stream and is parsed as hostile input.
 */
export async function readNamespaceSockets(docker: Dockerode, request: NamespaceReadRequest, run: HelperRunner = runHelper): Promise<NamespaceReadResult> {
  const where = { host: request.host, container: request.containerName };
  const result = await run(docker, {
    ledger: request.ledger,
    host: request.host,
    ...(request.caseId !== undefined ? { caseId: request.caseId } : {}),
    image: request.image,
    targetId: request.containerId,
    cmd: namespaceReaderCommand(),
    purpose: 'sockets',
    capabilities: [],
    timeoutMs: request.timeoutMs ?? 20000,
    maxOutputBytes: MAX_OUTPUT,
  });
  if (result.timedOut) throw new DrydockFailure('engine', `Reading the socket tables of container ${request.containerName} on host ${request.host} timed out`, where);
  const stderr = result.stderr.toString('utf8').slice(0, 2000);
  if (result.exitCode !== 0) {
    throw new DrydockFailure('engine', `The socket-table helper for container ${request.containerName} on host ${request.host} exited with ${result.exitCode ?? 'no status'}${stderr ? `: ${stderr.trim()}` : ''}`, { ...where, detail: stderr });
  }
  const text = result.stdout.toString('latin1');
  if (!text.includes(TABLE_MARKER)) {
    throw new DrydockFailure('engine', `The socket-table helper for container ${request.containerName} on host ${request.host} printed no table (is the helper image's sh/cat usable?)`, { ...where, detail: stderr || text.slice(0, 500) });
  }
  return { ...parseNamespaceTables(text, request.byteOrder, request.limits ?? {}), truncated: result.truncated, bytes: result.stdout.length };
}
