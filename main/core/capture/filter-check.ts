import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import { CAPTURE_CAPABILITIES } from '../helper/container';
import { runHelper, type HelperTarget } from '../helper/run';

/** The container whose interface the filter is compiled on, and the helper (tcpdump -d) that compiles it. */
export interface FilterCheckRequest extends HelperTarget {
  interface: string;
  filter: string;
}

/**
 * Compiles the filter with tcpdump itself (`tcpdump -d`), in a helper joined to the target's
 * namespace and opening the same interface the capture will use: the same tcpdump and libpcap,
 * the same link type, so "valid here" means "valid for the capture". Nothing is captured. A
 * missing interface is caught here too.
 */
export async function checkFilter(docker: Dockerode, request: FilterCheckRequest): Promise<{ instructions: number }> {
  const cmd = ['tcpdump', '-d', '-n', '-i', request.interface];
  if (request.filter.trim() !== '') cmd.push('--', request.filter);
  const result = await runHelper(docker, {
    ledger: request.ledger,
    host: request.host,
    ...(request.caseId !== undefined ? { caseId: request.caseId } : {}),
    image: request.image,
    targetId: request.containerId,
    cmd,
    purpose: 'filter-check',
    capabilities: CAPTURE_CAPABILITIES,
    timeoutMs: 30000,
    maxOutputBytes: 1024 * 1024,
  });
  const where = { host: request.host, container: request.containerName };
  if (result.timedOut)
    throw new DrydockFailure(
      'engine',
      `Checking the capture filter timed out on host ${request.host} (container ${request.containerName})`,
      where,
    );
  const stderr = result.stderr.toString('utf8');
  const message = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^tcpdump: data link type/.test(l) && !/^Warning:/.test(l))
    .join('; ')
    .replace(/^tcpdump: /, '');
  if (result.exitCode !== 0) {
    if (/No such device|doesn't exist|SIOCGIFHWADDR|no such interface/i.test(stderr)) {
      throw new DrydockFailure(
        'invalid-input',
        `Interface ${request.interface} does not exist in the network namespace of container ${request.containerName} on host ${request.host}: ${message}`,
        { ...where, detail: stderr.slice(0, 2000) },
      );
    }
    if (result.exitCode === 127 || /can't execute|not found|executable file not found/.test(stderr)) {
      throw new DrydockFailure(
        'unsupported',
        `The helper image has no usable tcpdump (host ${request.host}): ${message || `exit ${result.exitCode}`}`,
        { ...where, detail: stderr.slice(0, 2000) },
      );
    }
    throw new DrydockFailure(
      'invalid-input',
      `Invalid capture filter ${JSON.stringify(request.filter)}: ${message || `tcpdump exited with ${result.exitCode}`}`,
      { ...where, detail: stderr.slice(0, 2000) },
    );
  }
  const instructions = result.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => /^\(\d+\)/.test(l)).length;
  if (instructions === 0)
    throw new DrydockFailure('internal', `tcpdump -d printed no BPF program for the filter on host ${request.host}`, {
      ...where,
      detail: stderr.slice(0, 2000),
    });
  return { instructions };
}
