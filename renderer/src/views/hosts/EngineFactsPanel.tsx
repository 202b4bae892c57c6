import type { EngineFacts } from '../../../../shared/domain/hosts';
import { visibleText } from '../processes/visible-text';

/** What "Test" learned about an engine: enough to tell the right host from a look-alike. */
export function EngineFactsPanel({ facts }: { facts: EngineFacts }) {
  const v = (s: string | undefined, max = 80) => visibleText(s ?? '—', max);
  return (
    <dl className="dd-facts" aria-label={`Engine facts for ${facts.host}`} data-testid="engine-facts">
      <div>
        <dt>Engine</dt>
        <dd>
          Docker {v(facts.engineVersion)} · API {v(facts.apiVersion)}
          {facts.minApiVersion && <span className="dd-muted"> (min {v(facts.minApiVersion)})</span>}
        </dd>
      </div>
      <div>
        <dt>Platform</dt>
        <dd>
          {v(facts.osType)}/{v(facts.arch)} · {v(facts.os, 120)}
        </dd>
      </div>
      <div>
        <dt>Kernel</dt>
        <dd className="dd-mono">{v(facts.kernelVersion, 120)}</dd>
      </div>
      <div>
        <dt>Hostname</dt>
        <dd className="dd-mono">{v(facts.hostname, 120)}</dd>
      </div>
      <div>
        <dt>Swarm</dt>
        <dd>
          {facts.swarmRole}
          {facts.swarmNodeId && <span className="dd-muted dd-mono"> node {v(facts.swarmNodeId, 40)}</span>}
        </dd>
      </div>
      <div>
        <dt>Containers</dt>
        <dd>
          <b>{facts.containers}</b> ({facts.containersRunning} running)
        </dd>
      </div>
      <div>
        <dt>Images</dt>
        <dd>
          <b>{facts.images}</b>
        </dd>
      </div>
      <div>
        <dt>Latency</dt>
        <dd>{Math.round(facts.latencyMs)} ms</dd>
      </div>
      {facts.tlsVerify !== undefined && (
        <div>
          <dt>TLS</dt>
          <dd className={facts.tlsVerify ? 'dd-good' : 'dd-bad'}>{facts.tlsVerify ? 'verified' : 'verification OFF'}</dd>
        </div>
      )}
    </dl>
  );
}
