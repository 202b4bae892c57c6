import { useEffect, useState } from 'react';
import { useClient, useTransportStatus } from './app-context';

/** The link to the core, honestly: a dropped event stream means the screen may be stale. */
export function TransportIndicator() {
  const client = useClient();
  const status = useTransportStatus(client);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (status.state !== 'reconnecting') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status.state]);

  if (client.transport === 'electron') {
    return <span className="dd-transport dd-transport-connected" data-state="connected">IPC</span>;
  }
  const label =
    status.state === 'connected'
      ? 'live'
      : status.state === 'connecting'
        ? 'connecting…'
        : status.state === 'no-token'
          ? 'no access token'
          : `offline — retry in ${Math.max(0, Math.ceil(((status.retryAt ?? now) - now) / 1000))}s`;
  return (
    <span className={`dd-transport dd-transport-${status.state}`} data-state={status.state} title={status.message ?? `Bridge event stream: ${status.state}`}>
      <span className="dd-transport-dot" />
      bridge {label}
    </span>
  );
}
