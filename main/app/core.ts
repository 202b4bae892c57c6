import type { EventPayloadOf } from '../../shared/contract';
import { ExaminerIdentity } from '../core/examiner';
import { systemClock, type Clock } from '../core/clock';
import { EventHub } from '../core/event-hub';
import { openDatabase, type Db, type SchemaComponent } from '../core/store/database';
import { evidenceSchema } from '../core/evidence/schema';
import { EvidenceService } from '../core/evidence/evidence-service';
import { hostSchema } from '../core/hosts/schema';
import { HostService } from '../core/hosts/host-service';
import { helperSchema } from '../core/helper/schema';
import { HelperLedger } from '../core/helper/ledger';
import { InventoryService } from '../core/inventory/inventory-service';
import { assessRisks } from '../core/inventory/risk-flags';
import { BenchmarkService } from '../core/benchmark/benchmark-service';
import { SbomService } from '../core/sbom/sbom-service';
import { vulnsSchema } from '../core/vulns/schema';
import { VulnDbStore } from '../core/vulns/vulndb-store';
import { VulnsService } from '../core/vulns/vulns-service';
import { captureSchema } from '../core/capture/schema';
import { CaptureService } from '../core/capture/capture-service';
import { ProcessService } from '../core/processes/process-service';
import { driftSchema } from '../core/drift/schema';
import { DriftService } from '../core/drift/drift-service';
import { NetworkService } from '../core/network/network-service';
import { quarantineSchema } from '../core/quarantine/schema';
import { QuarantineRecordStore } from '../core/quarantine/record-store';
import { QuarantineService } from '../core/quarantine/quarantine-service';
import { LogsService } from '../core/logs/logs-service';
import { LogFollower } from '../core/logs/log-follower';
import { logsSchema } from '../core/logs/schema';
import { journalSchema } from '../core/journal/schema';
import { timelineSchema } from '../core/timeline/schema';
import { TimelineService } from '../core/timeline/timeline-service';
import { ReportService } from '../core/report/report-service';
import { chromiumPdf, type PdfRenderer } from '../core/report/pdf-render';
import { JournalService } from '../core/journal/journal-service';
import { DataRootService } from '../core/dataroot/dataroot-service';
import { MemoryService } from '../core/memory/memory-service';
import { YaraService } from '../core/yara/yara-service';
import { CollectService } from '../core/collect/collect-service';
import { ClusterView } from '../core/cluster/cluster-view';
import { collectSteps } from './collect-steps';

export interface CoreOptions {
  /** The store directory: SQLite database and content-addressed blobs. */
  storeDir: string;
  /** The examiner's explicit choice (--examiner); else DRYDOCK_EXAMINER, the case's examiner, the OS user. */
  examiner?: string;
  clock?: Clock;
  /** better-sqlite3 binding built for Electron's ABI (set by the Electron shell only). */
  nativeBinding?: string;
  /** Renders the case report's PDF: Electron's printToPDF in the desktop app; a local Chromium through playwright-core otherwise. */
  pdfRenderer?: PdfRenderer;
  /**
   * Follow the logs of containers that start on a journaled host into the open case: the app,
   * `drydock serve` and `drydock watch` do; a one-shot command (inventory, drift...) does not.
   */
  followLogs?: boolean;
}

/**
 * The engine behind every transport. The Electron shell, the bridge, the CLI and the tests all
 * build one of these and talk to it through the same contract.
 */
export interface Core {
  readonly storeDir: string;
  readonly db: Db;
  readonly clock: Clock;
  /** Who is acting (resolved per case; see ExaminerIdentity). */
  readonly examiner: ExaminerIdentity;
  readonly events: EventHub;
  readonly evidence: EvidenceService;
  readonly hosts: HostService;
  /** Drydock's record of the helper containers it created on hosts (recognition is by recorded ID). */
  readonly helpers: HelperLedger;
  readonly inventory: InventoryService;
  readonly processes: ProcessService;
  readonly drift: DriftService;
  readonly capture: CaptureService;
  readonly network: NetworkService;
  readonly quarantine: QuarantineService;
  /** Container logs acquired as evidence. */
  readonly logs: LogsService;
  /** Every engine event of a connected host, journaled per host, with its gaps. */
  readonly journal: JournalService;
  /** Dead-box analysis: a Docker data root (directory or tarball) read with no daemon. */
  readonly dataRoot: DataRootService;
  /** Follows the logs of containers from their start, into the open case, while their host is journaled. */
  readonly logFollower: LogFollower;
  /** One merged timeline per case. */
  readonly timeline: TimelineService;
  /** The case report (HTML, PDF). */
  readonly report: ReportService;
  /** The CIS Docker Benchmark audit of a host. */
  readonly benchmark: BenchmarkService;
  /** SBOMs of images and containers. */
  readonly sbom: SbomService;
  /** Offline vulnerability matching against imported OSV databases. */
  readonly vulns: VulnsService;
  /** Volatile evidence: live process detail, memory images, strings. */
  readonly memory: MemoryService;
  /** YARA scans of containers, live memory, stored artifacts and a drift scan's files. */
  readonly yara: YaraService;
  /** One container's evidence in order of volatility, each step another capability's acquisition. */
  readonly collect: CollectService;
  /** A Swarm's nodes, services and tasks as one of its managers knows them. */
  readonly cluster: ClusterView;
  close(): Promise<void>;
}

const SCHEMA: readonly SchemaComponent[] = [
  evidenceSchema,
  vulnsSchema,
  hostSchema,
  captureSchema,
  quarantineSchema,
  driftSchema,
  helperSchema,
  journalSchema,
  logsSchema,
  timelineSchema,
];

export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const examiner = new ExaminerIdentity(options.examiner);
  const db = openDatabase(options.storeDir, SCHEMA, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const events = new EventHub();
  const evidence = new EvidenceService({ db, storeDir: options.storeDir, clock, examiner, events });
  const audit = evidence.auditFn();
  const helpers = new HelperLedger({ db, audit, clock });
  const hosts = new HostService({ db, clock, events, audit });
  // Built right after the hosts, so it hears every connection from the first one on.
  const journal = new JournalService({ db, hosts, events, clock, audit });
  const logs = new LogsService({ hosts, evidence, clock });
  // While journaling, the logs of every container that starts are followed into the open case.
  const logFollower = new LogFollower({
    db,
    cases: evidence,
    acquire: (request) => logs.acquire(request),
    isHelper: (id) => helpers.get(id) !== undefined,
    enabled: options.followLogs === true,
    audit,
  });
  // The timeline reads the case's evidence and the journals of its hosts; the report reads both.
  const timeline = new TimelineService({ db, evidence, journal, clock, audit, helperPurpose: (id) => helpers.get(id)?.purpose });
  const report = new ReportService({ evidence, timeline, clock, pdf: options.pdfRenderer ?? chromiumPdf });
  const unsubscribeFollower = events.subscribe((event, payload) => {
    if (event === 'journal.entry') logFollower.onJournalEntry(payload as EventPayloadOf<'journal.entry'>);
  });
  const quarantineRecords = new QuarantineRecordStore(db);
  const inventory = new InventoryService({ hosts, clock, events, audit, evidence, marks: quarantineRecords.marksFor, helpers });
  // The helper image is the capture settings' choice, read at each scan or snapshot (capture is built below).
  const drift = new DriftService({
    db,
    hosts,
    evidence,
    events,
    clock,
    audit,
    helpers,
    helperImageOverride: () => capture.settings().helperImage,
  });
  const processes = new ProcessService({
    hosts,
    evidence,
    events,
    clock,
    audit,
    drift: drift.lookup,
    helpers,
    helperImageOverride: () => capture.settings().helperImage,
  });
  const capture = new CaptureService({ db, hosts, evidence, events, clock, audit, helpers });
  const network = new NetworkService({
    hosts,
    inventory,
    evidence,
    events,
    clock,
    audit,
    helpers,
    helperImageOverride: () => capture.settings().helperImage,
    // A container drifted when the current case's latest drift report has added or changed files.
    drift: async (host, containerId) => {
      const kase = await evidence.currentCase();
      if (!kase) return null;
      const facts = await drift.lookup({ host, containerId, caseId: kase.id });
      return facts ? facts.changedPaths.size > 0 : null;
    },
  });
  const quarantine = new QuarantineService({
    records: quarantineRecords,
    hosts,
    evidence,
    events,
    clock,
    // Read at each use: the acting examiner follows the current case and the examiner's choice.
    get examiner() {
      return evidence.actingExaminer().name;
    },
    inventory,
    helpers,
  });
  // An ad-hoc case opened by an acquisition records, in its own chain, how its host was chosen.
  const unsubscribeAdHoc = events.subscribe((event, payload) => {
    if (event !== 'evidence.adhoc-case-opened') return;
    const opened = payload as EventPayloadOf<'evidence.adhoc-case-opened'>;
    const resolution = hosts.lastResolution(opened.host);
    if (resolution) hosts.auditResolution(resolution, opened.case.id);
  });
  // Section 5 judges containers with the inventory's own risk flags, not a second copy of them.
  const benchmark = new BenchmarkService({
    hosts,
    evidence,
    audit,
    clock,
    risks: assessRisks,
    helpers,
    helperImageOverride: () => capture.settings().helperImage,
  });
  // A data root's drift reports demote with the same noise rules as live ones.
  const dataRoot = new DataRootService({ evidence, clock, hosts, driftRules: () => drift.rules() });
  const sbom = new SbomService({ hosts, evidence, audit, clock, helpers });
  // Matching reads the SBOM capability's package lists, never its internals.
  const vulns = new VulnsService({
    store: new VulnDbStore(db),
    packages: (host, target) => sbom.packages(host, target),
    evidence,
    audit,
    clock,
  });
  const memory = new MemoryService({
    hosts,
    evidence,
    events,
    clock,
    audit,
    helpers,
    helperImageOverride: () => capture.settings().helperImage,
    drift: drift.lookup,
    // The processes capability's merge of top and /proc says which processes only one of them sees.
    topMismatches: async ({ host, container }) => {
      const { snapshot } = await processes.snapshot({ host, container, store: false });
      if (snapshot.source !== 'pid-namespace') return [];
      return snapshot.processes.flatMap((p) =>
        p.flags.flatMap((f) =>
          f.kind === 'not-in-top' || f.kind === 'not-in-namespace' ? [{ pid: p.pid, kind: f.kind, reason: f.reason }] : [],
        ),
      );
    },
  });
  // Live: a connected manager's swarm events become 'cluster.changed'.
  const cluster = new ClusterView({ hosts, clock, events, engineEvents: (listener) => hosts.onEngineEvent(listener) });
  const collect = new CollectService({
    hosts,
    evidence,
    events,
    clock,
    audit,
    steps: collectSteps({ processes, memory, network, capture, drift, logs }),
  });
  // A drift scan's changed files reach YARA through the drift capability's reports, never its internals.
  const yara = new YaraService({
    hosts,
    evidence,
    clock,
    audit,
    helpers,
    helperImageOverride: () => capture.settings().helperImage,
    driftFiles: async (scanId) => {
      const scan = drift.result(scanId);
      const containers = [];
      for (const c of scan.containers) {
        const report = c.reportArtifactId ? await drift.report(c.reportArtifactId) : null;
        const files = (report?.entries ?? [])
          .filter(
            (e) =>
              (e.verdict === 'added' || e.verdict === 'content-changed' || e.verdict === 'type-changed') && e.container?.type === 'file',
          )
          .map((e) => ({
            path: e.path,
            ...(e.pathBase64 !== undefined ? { pathBase64: e.pathBase64 } : {}),
            ...(e.content.state === 'stored' && e.content.artifactId ? { artifactId: e.content.artifactId } : {}),
            notStored: `not stored by the drift scan (${e.content.state}${e.content.note ? `: ${e.content.note}` : ''})`,
          }));
        containers.push({
          containerId: c.containerId,
          containerName: c.containerName,
          reportArtifactId: c.reportArtifactId ?? null,
          files,
        });
      }
      return { host: scan.host, caseId: scan.caseId, containers };
    },
  });
  let closing: Promise<void> | undefined;
  return {
    storeDir: options.storeDir,
    db,
    clock,
    examiner,
    events,
    evidence,
    hosts,
    helpers,
    inventory,
    processes,
    drift,
    capture,
    network,
    quarantine,
    logs,
    logFollower,
    timeline,
    report,
    journal,
    benchmark,
    dataRoot,
    sbom,
    vulns,
    memory,
    yara,
    collect,
    cluster,
    close() {
      // Captures first (their pcaps must be finished into the store), then the links, then the store.
      closing ??= (async () => {
        unsubscribeAdHoc();
        collect.close();
        memory.close();
        await quarantine.close();
        await network.close();
        await capture.close();
        await drift.close();
        await processes.close();
        inventory.close();
        cluster.close();
        unsubscribeFollower();
        await logFollower.close();
        await journal.close();
        await hosts.close();
        evidence.close();
        db.close();
      })();
      return closing;
    },
  };
}
