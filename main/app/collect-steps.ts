import { randomBytes } from 'node:crypto';
import { scanRequest } from '../../shared/contract/drift';
import type { CaptureService } from '../core/capture/capture-service';
import type { CollectSteps, StepRun } from '../core/collect/collect-service';
import type { DriftService } from '../core/drift/drift-service';
import { DrydockFailure } from '../core/errors';
import type { LogsService } from '../core/logs/logs-service';
import type { MemoryService } from '../core/memory/memory-service';
import type { NetworkService } from '../core/network/network-service';
import type { ProcessService } from '../core/processes/process-service';

// The collect room's steps, each one capability's own acquisition (stored and audited there), wired
// here because capabilities do not import each other. Every step writes into the collection's case.

export interface CollectCapabilities {
  processes: ProcessService;
  memory: MemoryService;
  network: NetworkService;
  capture: CaptureService;
  drift: DriftService;
  logs: LogsService;
}

/** An image kept as incomplete is a failure of the step too (as `drydock memory` exits 1 for it). */
const incomplete = (images: { pid: number; incomplete?: string; artifactId: string }[]): string[] =>
  images.flatMap((i) => (i.incomplete ? [`PID ${i.pid}: image ${i.artifactId} is incomplete: ${i.incomplete}`] : []));

const ids = (...values: (string | undefined)[]): string[] => values.filter((v): v is string => v !== undefined);

/**
 * Calls `stop` once when `signal` aborts (at once when it already has) until the returned function
 * is called; a failure of `stop` is left to the step's own wait to report.
 */
function onAbort(signal: AbortSignal, stop: () => unknown): () => void {
  const listener = () =>
    void Promise.resolve()
      .then(stop)
      .catch(() => undefined);
  if (signal.aborted) {
    listener();
    return () => undefined;
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** The steps of `collect.run` over the core's capabilities. */
export function collectSteps(c: CollectCapabilities): CollectSteps {
  return {
    async processes(t) {
      const result = await c.processes.snapshot({ host: t.host, container: t.containerId, caseRef: t.caseId, store: true });
      return { artifactIds: ids(result.stored?.artifactId) };
    },
    async processDetail(t) {
      const report = await c.memory.detail({ host: t.host, container: t.containerId, caseRef: t.caseId, store: true });
      return { artifactIds: ids(report.stored?.artifactId) };
    },
    async connections(t) {
      const result = await c.network.snapshot({ host: t.host, record: true, caseRef: t.caseId });
      return {
        artifactIds: ids(result.stored?.artifactId),
        note: `the connection graph of every running container of host ${t.host}, this one's sockets among them`,
      };
    },
    async memory(t, pids, signal) {
      const where = { host: t.host, container: t.containerName };
      const base = { host: t.host, container: t.containerId, pause: false, caseRef: t.caseId };
      const images: string[] = [];
      const failures: string[] = [];
      // One acquisition at a time, each cancelled through memory.cancel (the image being read is kept as incomplete).
      const acquire = async (request: { all: true } | { all: false; pid: number }) => {
        const acquisitionId = `ma-col-${randomBytes(6).toString('hex')}`;
        const detach = onAbort(signal, () => c.memory.cancel(acquisitionId));
        try {
          const result = await c.memory.acquire({ ...base, ...request, acquisitionId });
          images.push(...result.images.map((i) => i.artifactId));
          failures.push(...result.failures.map((f) => `PID ${f.pid}: ${f.message}`), ...incomplete(result.images));
        } finally {
          detach();
        }
      };
      if (pids === 'all') {
        try {
          await acquire({ all: true });
        } catch (err) {
          if (!(signal.aborted && err instanceof DrydockFailure && err.kind === 'cancelled')) throw err;
        }
      } else {
        for (const pid of pids) {
          if (signal.aborted) break;
          try {
            await acquire({ all: false, pid });
          } catch (err) {
            if (!(err instanceof DrydockFailure)) throw err;
            if (!(signal.aborted && err.kind === 'cancelled')) failures.push(`PID ${pid}: ${err.message}`);
          }
        }
      }
      if (signal.aborted) return { artifactIds: images, cancelled: true };
      const run: StepRun = { artifactIds: images };
      if (failures.length === 0) return run;
      return {
        ...run,
        partial: new DrydockFailure(
          'engine',
          `Not every process of container ${t.containerName} on host ${t.host} was imaged: ${failures.join('; ')}`,
          where,
        ),
      };
    },
    async capture(t, seconds, signal) {
      const started = await c.capture.start({
        host: t.host,
        container: t.containerId,
        options: { interface: 'any', durationSeconds: seconds },
        summarize: true,
        caseRef: t.caseId,
      });
      // Cancelled: stopped as `drydock capture`'s Ctrl-C stops it (tcpdump flushes, the pcap is stored).
      const detach = onAbort(signal, () => c.capture.stop(started.id));
      const ended = await c.capture.wait(started.id).finally(detach);
      const artifactIds = ids(ended.pcap?.artifactId, ended.flowSummaryArtifactId);
      if (signal.aborted)
        return {
          artifactIds,
          cancelled: true,
          note: `${ended.counters.packets} packets, ${ended.counters.bytes} bytes before it was stopped`,
        };
      if (ended.state === 'failed' || !ended.pcap) {
        const message = ended.error?.message ?? 'no pcap was stored';
        return {
          artifactIds,
          partial: new DrydockFailure(
            'engine',
            `Capture ${ended.id} of container ${t.containerName} on host ${t.host} failed: ${message}`,
            {
              host: t.host,
              container: t.containerName,
            },
          ),
        };
      }
      const counts = `${ended.counters.packets} packets, ${ended.counters.bytes} bytes in ${seconds} s`;
      return {
        artifactIds,
        note: ended.pcap.status === 'incomplete' ? `${counts}; the pcap is incomplete: ${ended.pcap.statusReason ?? ''}` : counts,
      };
    },
    async drift(t, signal) {
      const started = await c.drift.scan(scanRequest.parse({ host: t.host, containers: [t.containerId], caseRef: t.caseId }));
      const detach = onAbort(signal, () => c.drift.cancel(started.id));
      const ended = await c.drift.wait(started.id).finally(detach);
      const mine = ended.containers.find((s) => s.containerId === t.containerId);
      const artifactIds = ids(mine?.reportArtifactId, ended.summaryArtifactId);
      if (signal.aborted) return { artifactIds, cancelled: true };
      if (!mine?.reportArtifactId || mine.state === 'failed' || mine.state === 'cancelled')
        return {
          artifactIds,
          partial: new DrydockFailure(
            'engine',
            `Drift scan ${ended.id} of container ${t.containerName} on host ${t.host} ended ${mine?.state ?? ended.state}${mine?.error ? `: ${mine.error}` : ended.stateReason ? `: ${ended.stateReason}` : ''}`,
            { host: t.host, container: t.containerName },
          ),
        };
      return {
        artifactIds,
        ...(mine.state === 'incomplete' ? { note: `the drift report is incomplete${mine.error ? `: ${mine.error}` : ''}` } : {}),
      };
    },
    async logs(t) {
      const result = await c.logs.acquire({ host: t.host, container: t.containerId, caseRef: t.caseId });
      return { artifactIds: [result.artifactId] };
    },
  };
}
