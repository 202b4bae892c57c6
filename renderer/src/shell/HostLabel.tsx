import type { ConnectionState } from '../../../shared/domain/hosts';
import { visibleText } from '../views/processes/visible-text';
import { tlsVerifyOff, useHosts } from './hosts-context';

interface Props {
  name: string;
  /** Show the connection state dot. */
  state?: boolean;
}

export function StateDot({ state }: { state: ConnectionState | undefined }) {
  const s = state ?? 'disconnected';
  return <span className={`dd-dot dd-dot-${s}`} title={s} aria-label={s} />;
}

export function TlsOffBadge() {
  return (
    <span className="dd-tls-off" title="Certificates are not checked for this host: anyone on the path can impersonate the engine.">
      TLS verification OFF
    </span>
  );
}

/** A host's name everywhere it is shown: with its TLS-off warning whenever that applies. */
export function HostLabel({ name, state }: Props) {
  const { profiles, status } = useHosts();
  const profile = profiles.find((p) => p.name === name);
  return (
    <span className="dd-hostlabel">
      {state && <StateDot state={status.get(name)?.state} />}
      <span className="dd-hostlabel-name">{visibleText(name, 64)}</span>
      {tlsVerifyOff(profile) && <TlsOffBadge />}
    </span>
  );
}
