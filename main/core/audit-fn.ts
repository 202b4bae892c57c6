/**
 * How a capability records an action in the case's hash-chained audit log without depending on
 * the evidence service itself (hosts and inventory are built before it). `caseId` defaults to
 * the current case; with no case open the entry is still chained, under no case.
 */
export type AuditFn = (action: string, details: Record<string, unknown>, caseId?: string) => void;

export const noAudit: AuditFn = () => undefined;
