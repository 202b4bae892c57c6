// Services on a test Swarm (test/helpers/swarm.ts) as the cluster tests use them: a replicated
// busybox service spread one task per node, its running tasks as `docker service ps` lists them,
// and the tampering the triage tests look for (a dropped copy of busybox running as a listener in
// one replica). Everything goes through the docker CLI against the nodes' own sockets.
import assert from 'node:assert/strict';
import { BUSYBOX, docker } from './docker';
import type { Swarm, SwarmNode } from './swarm';
import { waitFor } from './wait';

/** One line of `docker service ps --format '{{json .}}'`. */
export interface SwarmTaskRow {
  ID: string;
  Name: string;
  Node: string;
  CurrentState: string;
  DesiredState: string;
}

/** The service's tasks that should run and do (CurrentState "Running …"), as the manager lists them. */
export function runningTasks(swarm: Swarm, service: string): SwarmTaskRow[] {
  return docker(['service', 'ps', service, '--filter', 'desired-state=running', '--no-trunc', '--format', '{{json .}}'], {
    host: swarm.manager.host,
  })
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SwarmTaskRow)
    .filter((r) => r.CurrentState.startsWith('Running'));
}

export interface ServiceOptions {
  /** Replicas (default: one per node of the swarm). */
  replicas?: number;
  /** At most this many tasks per node (default 1: one per node); null for no limit. */
  maxPerNode?: number | null;
  /** More `docker service create` options, placed before the image (networks, ports, labels…). */
  extra?: string[];
  /** Restart condition (default none: a task the test stops stays stopped). */
  restart?: 'none' | 'on-failure' | 'any';
  /** What the tasks run (default `sleep 3600`). */
  command?: string[];
  /** How long to wait for every replica to run, in ms (default 120 000). */
  timeoutMs?: number;
}

/**
 * Creates a replicated busybox service (default command `sleep 3600`), by default at most one task
 * per node (no registry: --no-resolve-image), and waits until every replica runs. Returns the running tasks.
 * @throws when the replicas are not running within options.timeoutMs.
 */
export async function createService(swarm: Swarm, name: string, options: ServiceOptions = {}): Promise<SwarmTaskRow[]> {
  const replicas = options.replicas ?? swarm.nodes.length;
  docker(
    [
      'service',
      'create',
      '-d',
      '--name',
      name,
      '--replicas',
      String(replicas),
      ...(options.maxPerNode === null ? [] : ['--replicas-max-per-node', String(options.maxPerNode ?? 1)]),
      '--restart-condition',
      options.restart ?? 'none',
      '--stop-grace-period',
      '1s',
      ...(options.extra ?? []),
      '--no-resolve-image',
      BUSYBOX,
      ...(options.command ?? ['sleep', '3600']),
    ],
    { host: swarm.manager.host },
  );
  let rows: SwarmTaskRow[] = [];
  await waitFor(
    () => {
      rows = runningTasks(swarm, name);
      return rows.length === replicas;
    },
    { what: `${replicas} running tasks of ${name}`, timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 250 },
  );
  return rows;
}

/** The full ID of the container a task runs in on its node. @throws when the node runs none for it. */
export function taskContainerId(node: SwarmNode, taskId: string): string {
  const id = docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.swarm.task.id=${taskId}`], { host: node.host });
  assert.match(id, /^[0-9a-f]{64}$/, `the container of task ${taskId} on ${node.hostname}`);
  return id;
}

export interface TamperedReplica {
  taskId: string;
  /** The task's name (SERVICE.SLOT.TASKID). */
  name: string;
  containerId: string;
  node: SwarmNode;
}

/**
 * Tampers with the service's replica on `node`: a copy of busybox dropped at /tmp/.x/nc and run
 * as a listener on port 4444 (busybox runs the applet its name says), as an intruder would.
 * Waits until the listener runs.
 */
export async function tamperReplica(swarm: Swarm, service: string, node: SwarmNode): Promise<TamperedReplica> {
  const row = runningTasks(swarm, service).find((r) => r.Node === node.hostname);
  assert.ok(row, `a task of ${service} on ${node.hostname}`);
  const containerId = taskContainerId(node, row.ID);
  docker(
    [
      'exec',
      containerId,
      'sh',
      '-c',
      'mkdir /tmp/.x && cp /bin/busybox /tmp/.x/nc && (setsid /tmp/.x/nc -l -p 4444 </dev/null >/dev/null 2>&1 &)',
    ],
    { host: node.host },
  );
  await waitFor(() => docker(['top', containerId], { host: node.host }).includes('/tmp/.x/nc'), { what: 'the dropped listener running' });
  return { taskId: row.ID, name: row.Name, containerId, node };
}
