import type { RiskFlag } from '../../../../shared/domain/inventory';
import { visibleText } from '../processes/visible-text';

export function FlagChip({ flag }: { flag: RiskFlag }) {
  return (
    <span className={`dd-chip dd-chip-${flag.severity}`} title={`${flag.severity}: ${visibleText(flag.reason, 400)}`} data-flag={flag.id}>
      {flag.id}
    </span>
  );
}

export function SeverityTag({ severity }: { severity: RiskFlag['severity'] | undefined }) {
  if (!severity) return <span className="dd-sevtag dd-sevtag-none">—</span>;
  return <span className={`dd-sevtag dd-sevtag-${severity}`}>{severity}</span>;
}
