import { useCallback, useEffect, useState } from 'react';
import type { DrydockClient } from '../../../../shared/client';
import type { QuarantineRecord } from '../../../../shared/domain/quarantine';
import type { DrydockError } from '../../../../shared/result';
import { useLiveEpoch } from '../../shell/app-context';

export interface QuarantineState {
  /** The quarantine in force (or half applied, or half released); undefined when none. */
  record: QuarantineRecord | undefined;
  loaded: boolean;
  error: DrydockError | null;
  reload: () => void;
}

/**
 * One container's quarantine, kept current from 'quarantine.changed' (every step mark emits one)
 * and reloaded whenever the event stream reconnects.
 */
export function useQuarantine(client: DrydockClient, host: string, containerId: string): QuarantineState {
  const epoch = useLiveEpoch();
  const [record, setRecord] = useState<QuarantineRecord | undefined>(undefined);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<DrydockError | null>(null);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    if (!host || !containerId) return;
    let live = true;
    void client.invoke('quarantine.status', { host, container: containerId }).then((r) => {
      if (!live) return;
      setLoaded(true);
      if (r.ok) {
        setRecord(r.value.find((q) => q.state !== 'released'));
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, host, containerId, epoch, nonce]);

  useEffect(
    () =>
      client.on('quarantine.changed', (event) => {
        if (event.host !== host || (event.containerId !== containerId && event.containerName !== containerId)) return;
        setRecord(event.record.state === 'released' ? undefined : event.record);
      }),
    [client, host, containerId],
  );

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { record, loaded, error, reload };
}
