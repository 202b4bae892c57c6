import { useEffect, useState } from 'react';
import { useClient, useTransportStatus } from './app-context';

/** Seconds until `until`, ticking; remounted (key) for every new retry so it starts from the truth. */
function Countdown({ until }: { until: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  return <>{Math.max(0, Math.ceil((until - now) / 1000))}s</>;
}

/** The link to the core, honestly: a dropped event stream means the screen may be stale. */
export function TransportIndicator() {
  const client = useClient();
  const status = useTransportStatus(client);

  if (client.transport === 'electron') {
    return (
      <span className="dd-transport dd-transport-connected" data-state="connected">
        IPC
      </span>
    );
  }
  const label =
    status.state === 'connected' ? (
      'live'
    ) : status.state === 'connecting' ? (
      'connecting…'
    ) : status.state === 'no-token' ? (
      'no access token'
    ) : (
      <>
        offline — retry in <Countdown key={status.retryAt ?? 0} until={status.retryAt ?? 0} />
      </>
    );
  return (
    <span
      className={`dd-transport dd-transport-${status.state}`}
      data-state={status.state}
      title={status.message ?? `Bridge event stream: ${status.state}`}
    >
      <span className="dd-transport-dot" />
      bridge {label}
    </span>
  );
}
