import type { AuditEntry, CaseInfo, VerifyProblem, VerifyReport } from '../../../shared/domain/evidence';
import type { Db } from '../store/database';
import { type ArtifactRowView, type ArtifactStore, artifactRowHash } from './artifact-store';
import { type AuditLog, type ChainHead, ChainChecker, type UnreadableEntry } from './audit-chain';
import type { BlobStore } from './blob-store';
import { canonicalJson } from './canonical-json';
import { type CaseStore, caseRecord } from './case-store';

/** Beyond this many, further problems are counted in the first ones' shadow, not listed. */
const MAX_PROBLEMS = 100;

export function caseLabel(kase: Pick<CaseInfo, 'id' | 'name'>): string {
  return `case ${JSON.stringify(kase.name).slice(0, 120)} (${kase.id})`;
}

export interface CaseCheckInput {
  kase: CaseInfo;
  entries: Iterable<AuditEntry | UnreadableEntry>;
  head: ChainHead | undefined;
  artifacts: Iterable<ArtifactRowView>;
  /** Whether the store says this case was imported; undefined when not known (a bundle). */
  importedHere?: boolean;
}

export interface CaseCheck {
  problems: VerifyProblem[];
  checkedEntries: number;
  checkedArtifacts: number;
  /** Rows that read back, for the blob pass. */
  rows: ArtifactRowView[];
}

/**
 * Everything about one case that needs no blob bytes: its chain, its row against the chain's
 * 'case.created'/'case.closed' entries, and every artifact row against the hash its
 * 'artifact.added' entry recorded. Used on the store's own rows and on a bundle's manifest.
 */
export function checkCase(input: CaseCheckInput): CaseCheck {
  const { kase } = input;
  const label = caseLabel(kase);
  const chain = new ChainChecker(kase.id, label);
  for (const entry of input.entries) chain.push(entry);
  chain.end(input.head);
  const problems: VerifyProblem[] = [...chain.problems];
  const facts = chain.facts;

  const caseProblem = (message: string) =>
    problems.push({ kind: 'row-tampered', table: 'cases', id: kase.id, message: `${label}: ${message}` });
  if (!facts.created) {
    caseProblem("its audit chain has no 'case.created' entry, so its details cannot be vouched for");
  } else if (canonicalJson(facts.created) !== canonicalJson(caseRecord(kase))) {
    const changed = Object.keys(caseRecord(kase)).filter(
      (k) => canonicalJson(caseRecord(kase)[k] ?? null) !== canonicalJson(facts.created?.[k] ?? null),
    );
    caseProblem(`its details (${changed.join(', ') || 'fields'}) differ from those recorded when it was created`);
  }
  const expectedStatus = facts.closedAt !== undefined ? 'closed' : 'open';
  if (kase.status !== expectedStatus || (kase.closedAt ?? null) !== (facts.closedAt ?? null)) {
    caseProblem(
      `its status is ${kase.status}${kase.closedAt ? ` (closed ${kase.closedAt})` : ''} but the audit chain says ${expectedStatus}${facts.closedAt ? ` (closed ${facts.closedAt})` : ''}`,
    );
  }
  if (input.importedHere !== undefined && input.importedHere !== kase.readOnly) {
    caseProblem(kase.readOnly ? 'it is marked read-only but was never imported' : 'it was imported but is no longer marked read-only');
  }

  const rows: ArtifactRowView[] = [];
  const seen = new Set<string>();
  let checkedArtifacts = 0;
  for (const row of input.artifacts) {
    checkedArtifacts++;
    seen.add(row.id);
    const tampered = (message: string) =>
      problems.push({ kind: 'row-tampered', table: 'artifacts', id: row.id, message: `artifact ${row.id} of ${label}: ${message}` });
    if (!row.info) {
      tampered(row.error ?? 'unreadable');
      continue;
    }
    const recorded = facts.artifactRows.get(row.id);
    if (row.info.caseId !== kase.id) tampered(`it claims to belong to case ${row.info.caseId}`);
    else if (!recorded) tampered("no 'artifact.added' audit entry records it: the row was not written by Drydock");
    else if (artifactRowHash(row.info) !== recorded.rowHash)
      tampered(`its row no longer matches the hash recorded in audit entry ${recorded.seq} (a field was changed)`);
    else rows.push(row);
  }
  for (const [id, recorded] of facts.artifactRows) {
    if (!seen.has(id))
      problems.push({
        kind: 'row-tampered',
        table: 'artifacts',
        id,
        message: `artifact ${id} of ${label} is recorded in audit entry ${recorded.seq} but its row is missing (deleted)`,
      });
  }
  return { problems, checkedEntries: chain.count, checkedArtifacts, rows };
}

export interface VerifyDeps {
  db: Db;
  cases: CaseStore;
  artifacts: ArtifactStore;
  audit: AuditLog;
  blobs: BlobStore;
}

/**
 * Verifies one case, or (no case) the whole store including its own chain: SQLite's integrity
 * check, every chain, every row, then every blob re-hashed. problems[0] is the first found.
 */
export async function verifyStore(deps: VerifyDeps, caseId: string | undefined, verifiedAt: () => string): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const add = (more: VerifyProblem[]) => {
    for (const p of more) if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  for (const row of deps.db.pragma('integrity_check') as { integrity_check: string }[]) {
    if (row.integrity_check !== 'ok') add([{ kind: 'integrity-check', message: `SQLite integrity check: ${row.integrity_check}` }]);
  }

  // One read transaction: rows and chains are seen as of one moment, even while others write.
  const { checkedEntries, checkedArtifacts, blobRows } = deps.db.transaction(() => {
    let entries = 0;
    let artifacts = 0;
    const toHash: ArtifactRowView[] = [];
    const store = new ChainChecker(null, 'the store chain');
    for (const entry of deps.audit.iterate(null)) store.push(entry);
    store.end(deps.audit.head(null));
    if (caseId === undefined) {
      add(store.problems);
      entries += store.count;
    }
    const cases = caseId === undefined ? deps.cases.list() : [deps.cases.get(caseId)].filter((c): c is CaseInfo => c !== undefined);
    for (const kase of cases) {
      const check = checkCase({
        kase,
        entries: deps.audit.iterate(kase.id),
        head: deps.audit.head(kase.id),
        artifacts: deps.artifacts.rowsOf(kase.id),
        importedHere: store.facts.importedCases.has(kase.id),
      });
      add(check.problems);
      entries += check.checkedEntries;
      artifacts += check.checkedArtifacts;
      toHash.push(...check.rows);
    }
    return { checkedEntries: entries, checkedArtifacts: artifacts, blobRows: toHash };
  })();

  const hashed = new Map<string, { sha256: string; size: number } | undefined>();
  for (const row of blobRows) {
    const info = row.info;
    if (!info) continue;
    if (!hashed.has(info.sha256)) hashed.set(info.sha256, await deps.blobs.hash(info.sha256));
    const actual = hashed.get(info.sha256);
    if (!actual) add([{ kind: 'blob-missing', artifactId: info.id, sha256: info.sha256 }]);
    else if (actual.sha256 !== info.sha256 || actual.size !== info.size)
      add([{ kind: 'blob-mismatch', artifactId: info.id, expected: info.sha256, actual: actual.sha256 }]);
  }

  return { ok: problems.length === 0, checkedArtifacts, checkedEntries, problems, verifiedAt: verifiedAt() };
}

/** One line for a problem, for logs, CLI output and refusal messages. */
export function describeProblem(problem: VerifyProblem): string {
  switch (problem.kind) {
    case 'blob-missing':
      return `the stored bytes of artifact ${problem.artifactId} (sha256 ${problem.sha256}) are missing`;
    case 'blob-mismatch':
      return `the stored bytes of artifact ${problem.artifactId} were altered: they hash to ${problem.actual}, the artifact was stored as ${problem.expected}`;
    case 'row-tampered':
    case 'chain-broken':
    case 'integrity-check':
      return problem.message;
  }
}
