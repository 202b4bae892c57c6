import { useState } from 'react';
import { visibleText } from '../views/processes/visible-text';
import { useApp, useLiveEpoch } from './app-context';
import { useNotify } from './toasts';
import { useRunningWatches, type RunningWatch } from './use-host-activity';

function describe(watch: RunningWatch): { what: string; where: string } {
  if (watch.kind === 'network') {
    const where =
      watch.info.cluster !== undefined
        ? `the nodes of ${watch.info.cluster}'s swarm`
        : watch.info.hosts.length
          ? watch.info.hosts.join(', ')
          : 'every connected host';
    return { what: `connections every ${watch.info.intervalSeconds} s`, where };
  }
  return { what: `processes of ${watch.info.containerName} every ${watch.info.intervalSeconds} s`, where: watch.info.host };
}

/**
 * The header's account of Drydock's footprint: every live watch that keeps acting on a host
 * (helper containers, process-table reads), with a Stop usable from any view. Shown only while
 * something runs, in the warning colour.
 */
export function ActivityIndicator() {
  const { client } = useApp();
  const notify = useNotify();
  const watches = useRunningWatches(client, useLiveEpoch());
  const [stopping, setStopping] = useState<ReadonlySet<string>>(new Set());
  if (watches.length === 0) return null;

  const stop = async (watch: RunningWatch) => {
    setStopping((s) => new Set(s).add(watch.info.id));
    const result =
      watch.kind === 'network'
        ? await client.invoke('network.unwatch', { watchId: watch.info.id })
        : await client.invoke('processes.unwatch', { watchId: watch.info.id });
    setStopping((s) => {
      const next = new Set(s);
      next.delete(watch.info.id);
      return next;
    });
    if (!result.ok) notify.error(result.error, 'Stopping the watch');
  };

  return (
    <div className="dd-activity" role="status" aria-label="Running on hosts" data-testid="header-activity">
      <span className="dd-header-label">RUNNING</span>
      {watches.map((watch) => {
        const { what, where } = describe(watch);
        return (
          <span
            key={watch.info.id}
            className="dd-activity-item"
            data-testid="header-watch"
            data-kind={watch.kind}
            title={`Live watch ${watch.info.id} since ${watch.info.startedAt}: each refresh acts on the host`}
          >
            <span className="dd-activity-dot" />
            {visibleText(what, 120)} on <b>{visibleText(where, 120)}</b>
            <button type="button" className="dd-small dd-danger" onClick={() => void stop(watch)} disabled={stopping.has(watch.info.id)}>
              Stop
            </button>
          </span>
        );
      })}
    </div>
  );
}
