import type { CaseInfo } from '../../../shared/domain/evidence';
import type { GraphPosition, GraphPositionsLoaded, GraphPositionsSaved } from '../../../shared/domain/network';
import type { Db, SchemaComponent } from '../store/database';
import type { Clock } from '../clock';

// Where the Connections view last left each node of a case's graph, so that opening the view
// again (another session, a reload) starts the layout warm from those places instead of from
// scratch. Layout state, not evidence: not audited, not exported in bundles, kept for any case.
// Node IDs come from containers and hosts under investigation and may hold anything: each is kept
// as its JSON text (whose escapes keep even lone surrogates exact, which SQLite's UTF-8 TEXT would
// not), and is never interpreted.

/** Positions kept per case at most; the least recently saved go first beyond it. */
export const MAX_POSITIONS_PER_CASE = 50_000;

export const graphPositionsSchema: SchemaComponent = {
  name: 'network',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE graph_positions (
          case_id TEXT NOT NULL REFERENCES cases (id),
          node_key TEXT NOT NULL,
          x REAL NOT NULL,
          y REAL NOT NULL,
          saved_at TEXT NOT NULL,
          PRIMARY KEY (case_id, node_key)
        ) WITHOUT ROWID;
        CREATE INDEX graph_positions_saved ON graph_positions (case_id, saved_at);
      `),
  ],
};

export interface GraphPositionsDeps {
  db: Db;
  /** The case a ref names, else the current one (throws when none is selected); and the current case or null. */
  cases: { resolveCase(ref?: string): Promise<CaseInfo>; currentCase(): Promise<CaseInfo | null> };
  clock: Clock;
}

/** The layout positions of each case's connection graph, by graph node ID. */
export class GraphPositions {
  private readonly upsert;
  private readonly select;
  private readonly count;
  private readonly trim;

  constructor(private readonly deps: GraphPositionsDeps) {
    const { db } = deps;
    this.upsert = db.prepare(
      'INSERT INTO graph_positions (case_id, node_key, x, y, saved_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, node_key) DO UPDATE SET x = excluded.x, y = excluded.y, saved_at = excluded.saved_at',
    );
    this.select = db.prepare<[string], { node_key: string; x: number; y: number }>(
      'SELECT node_key, x, y FROM graph_positions WHERE case_id = ? ORDER BY saved_at DESC, node_key LIMIT ' + MAX_POSITIONS_PER_CASE,
    );
    this.count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM graph_positions WHERE case_id = ?');
    this.trim = db.prepare(
      'DELETE FROM graph_positions WHERE case_id = ? AND node_key IN (SELECT node_key FROM graph_positions WHERE case_id = ? ORDER BY saved_at, node_key LIMIT ?)',
    );
  }

  /**
   * Stores where the given nodes are (world units) for the case `caseRef` names, else the current
   * case; nodes not given keep their stored places. With no case selected nothing is stored
   * (caseId null). Beyond MAX_POSITIONS_PER_CASE the least recently saved are dropped.
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share; ('store'), ('disk-full') when the store cannot be written.
   */
  async save(request: { caseRef?: string; positions: readonly GraphPosition[] }): Promise<GraphPositionsSaved> {
    const kase = await this.caseFor(request.caseRef);
    if (!kase) return { caseId: null, saved: 0 };
    const at = this.deps.clock.now().toISOString();
    this.deps.db.transaction(() => {
      for (const p of request.positions) this.upsert.run(kase.id, JSON.stringify(p.id), p.x, p.y, at);
      const excess = (this.count.get(kase.id)?.n ?? 0) - MAX_POSITIONS_PER_CASE;
      if (excess > 0) this.trim.run(kase.id, kase.id, excess);
    })();
    return { caseId: kase.id, saved: request.positions.length };
  }

  /**
   * The stored positions of the case `caseRef` names, else the current case (none selected: caseId
   * null, no positions), most recently saved first.
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share.
   */
  async load(request: { caseRef?: string }): Promise<GraphPositionsLoaded> {
    const kase = await this.caseFor(request.caseRef);
    if (!kase) return { caseId: null, positions: [] };
    const positions: GraphPosition[] = [];
    for (const row of this.select.all(kase.id)) {
      const id = parseKey(row.node_key);
      if (id !== undefined && Number.isFinite(row.x) && Number.isFinite(row.y)) positions.push({ id, x: row.x, y: row.y });
    }
    return { caseId: kase.id, positions };
  }

  private async caseFor(ref: string | undefined): Promise<CaseInfo | null> {
    return ref !== undefined ? this.deps.cases.resolveCase(ref) : this.deps.cases.currentCase();
  }
}

function parseKey(key: string): string | undefined {
  try {
    const id: unknown = JSON.parse(key);
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
