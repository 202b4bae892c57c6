import type { DrydockClient } from '../../../../shared/client';
import type { QuarantineRecord } from '../../../../shared/domain/quarantine';
import { utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { STATE_LABEL } from './quarantine-text';
import { useQuarantine } from './use-quarantine';
import './quarantine.css';

interface BannerProps {
  record: QuarantineRecord;
  /** Opens the quarantine dialog (manage, release). */
  onManage?: () => void;
}

/**
 * The unmissable mark of a quarantined container. Containers cannot be relabelled, so this is
 * how every view that shows one says so. A half-applied or half-released quarantine says that too:
 * the responder must re-run it.
 */
export function QuarantineBanner({ record, onManage }: BannerProps) {
  const unfinished = record.state === 'applying' || record.state === 'releasing';
  return (
    <div
      className={`dd-q-banner${unfinished ? ' dd-q-banner-unfinished' : ''}`}
      role="status"
      data-testid="quarantine-banner"
      data-state={record.state}
    >
      <span className="dd-q-banner-word">Quarantined</span>
      <span className="dd-q-banner-body">
        {record.modes.join(' · ')} since {utc(record.createdAt)}
        {unfinished && <> — {STATE_LABEL[record.state]}, not finished: run it again to complete</>}
        {record.lastError && <span className="dd-q-banner-error"> Last error: {visibleText(record.lastError, 300)}</span>}
      </span>
      {onManage && (
        <button type="button" className="dd-small" onClick={onManage}>
          Manage…
        </button>
      )}
    </div>
  );
}

interface ForContainerProps {
  client: DrydockClient;
  host: string;
  /** Container ID (or name). */
  containerId: string;
  onManage?: () => void;
}

/** The banner for one container, shown only while a quarantine is in force; keeps itself current. */
export function ContainerQuarantineBanner({ client, host, containerId, onManage }: ForContainerProps) {
  const { record } = useQuarantine(client, host, containerId);
  if (!record) return null;
  return <QuarantineBanner record={record} {...(onManage ? { onManage } : {})} />;
}
