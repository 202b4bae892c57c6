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
import type { assessRisks } from '../core/inventory/risk-flags';
import type { BenchmarkService } from '../core/benchmark/benchmark-service';
import type { SbomService } from '../core/sbom/sbom-service';
import { vulnsSchema } from '../core/vulns/schema';
import type { VulnDbStore } from '../core/vulns/vulndb-store';
import type { VulnsService } from '../core/vulns/vulns-service';
import { captureSchema } from '../core/capture/schema';
import { CaptureService } from '../core/capture/capture-service';
import type { ProcessService } from '../core/processes/process-service';
import { driftSchema } from '../core/drift/schema';
import type { DriftService } from '../core/drift/drift-service';
import type { NetworkService } from '../core/network/network-service';
import { quarantineSchema } from '../core/quarantine/schema';
import { QuarantineRecordStore } from '../core/quarantine/record-store';
import type { QuarantineService } from '../core/quarantine/quarantine-service';
import type { LogsService } from '../core/logs/logs-service';
import type { LogFollower } from '../core/logs/log-follower';
import { logsSchema } from '../core/logs/schema';
import { journalSchema } from '../core/journal/schema';
import { timelineSchema } from '../core/timeline/schema';
import { graphPositionsSchema } from '../core/network/graph-positions';
import type { TimelineService } from '../core/timeline/timeline-service';
import type { ReportService } from '../core/report/report-service';
import type { chromiumPdf, PdfRenderer } from '../core/report/pdf-render';
import { JournalService } from '../core/journal/journal-service';
import type { DataRootService } from '../core/dataroot/dataroot-service';
import type { MemoryService } from '../core/memory/memory-service';
import type { YaraService } from '../core/yara/yara-service';
import type { CollectService } from '../core/collect/collect-service';
import { ClusterView } from '../core/cluster/cluster-view';
import { mapNodeEngines } from '../core/cluster/node-engines';
import type { collectSteps } from './collect-steps';
import { loadModule } from './load-module';

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
 * build one of these and talk to it through the same contract. The store, the hosts, the evidence,
 * the helper ledger, the journal, the inventory, the capture (its helper sweep on connect) and the
 * cluster view (it follows engine events) are built with it; every other service, with its module,
 * on first use, so a one-shot command pays only for what it calls.
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
  graphPositionsSchema,
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
  // The services built on first use (see Core), each with its module.
  let logs: LogsService | undefined;
  let logFollower: LogFollower | undefined;
  let timeline: TimelineService | undefined;
  let report: ReportService | undefined;
  let drift: DriftService | undefined;
  let processes: ProcessService | undefined;
  let network: NetworkService | undefined;
  let quarantine: QuarantineService | undefined;
  let benchmark: BenchmarkService | undefined;
  let dataRoot: DataRootService | undefined;
  let sbom: SbomService | undefined;
  let vulns: VulnsService | undefined;
  let memory: MemoryService | undefined;
  let collect: CollectService | undefined;
  let yara: YaraService | undefined;
  const getLogs = (): LogsService =>
    (logs ??= new (loadModule<{ LogsService: typeof LogsService }>('../core/logs/logs-service').LogsService)({ hosts, evidence, clock }));
  // While journaling, the logs of every container that starts are followed into the open case.
  const getLogFollower = (): LogFollower =>
    (logFollower ??= new (loadModule<{ LogFollower: typeof LogFollower }>('../core/logs/log-follower').LogFollower)({
      db,
      cases: evidence,
      acquire: (request) => getLogs().acquire(request),
      isHelper: (id) => helpers.get(id) !== undefined,
      enabled: options.followLogs === true,
      audit,
    }));
  // The timeline reads the case's evidence and the journals of its hosts; the report reads both.
  const getTimeline = (): TimelineService =>
    (timeline ??= new (loadModule<{ TimelineService: typeof TimelineService }>('../core/timeline/timeline-service').TimelineService)({
      db,
      evidence,
      journal,
      clock,
      audit,
      helperPurpose: (id) => helpers.get(id)?.purpose,
    }));
  const getReport = (): ReportService =>
    (report ??= new (loadModule<{ ReportService: typeof ReportService }>('../core/report/report-service').ReportService)({
      evidence,
      timeline: getTimeline(),
      clock,
      pdf: options.pdfRenderer ?? loadModule<{ chromiumPdf: typeof chromiumPdf }>('../core/report/pdf-render').chromiumPdf,
    }));
  // A follower that is not enabled does nothing with an entry: it is not built for one.
  const unsubscribeFollower = events.subscribe((event, payload) => {
    if (event === 'journal.entry' && (logFollower || options.followLogs === true))
      getLogFollower().onJournalEntry(payload as EventPayloadOf<'journal.entry'>);
  });
  const quarantineRecords = new QuarantineRecordStore(db);
  const inventory = new InventoryService({ hosts, clock, events, audit, evidence, marks: quarantineRecords.marksFor, helpers });
  // The helper image is the capture settings' choice, read at each scan or snapshot.
  const capture = new CaptureService({ db, hosts, evidence, events, clock, audit, helpers });
  const getDrift = (): DriftService =>
    (drift ??= new (loadModule<{ DriftService: typeof DriftService }>('../core/drift/drift-service').DriftService)({
      db,
      hosts,
      evidence,
      events,
      clock,
      audit,
      helpers,
      helperImageOverride: () => capture.settings().helperImage,
    }));
  const getProcesses = (): ProcessService =>
    (processes ??= new (loadModule<{ ProcessService: typeof ProcessService }>('../core/processes/process-service').ProcessService)({
      hosts,
      evidence,
      events,
      clock,
      audit,
      drift: getDrift().lookup,
      helpers,
      helperImageOverride: () => capture.settings().helperImage,
    }));
  const getNetwork = (): NetworkService =>
    (network ??= new (loadModule<{ NetworkService: typeof NetworkService }>('../core/network/network-service').NetworkService)({
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
        const facts = await getDrift().lookup({ host, containerId, caseId: kase.id });
        return facts ? facts.changedPaths.size > 0 : null;
      },
      // Cluster graphs: the manager's listings, and which saved profile answers as each node.
      swarm: {
        listings: async (manager) => {
          const [nodes, services, tasks] = await Promise.all([cluster.nodes(manager), cluster.services(manager), cluster.tasks(manager)]);
          const limitations = [...new Set([...nodes.limitations, ...services.limitations, ...tasks.limitations])];
          return { manager, clusterId: nodes.clusterId, nodes: nodes.nodes, services: services.services, tasks: tasks.tasks, limitations };
        },
        engines: (nodes) => mapNodeEngines({ profiles: () => hosts.list(), docker: (host) => hosts.docker(host) }, nodes),
      },
    }));
  const getQuarantine = (): QuarantineService =>
    (quarantine ??= new (loadModule<{ QuarantineService: typeof QuarantineService }>(
      '../core/quarantine/quarantine-service',
    ).QuarantineService)({
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
      helperImageOverride: () => capture.settings().helperImage,
    }));
  // An ad-hoc case opened by an acquisition records, in its own chain, how its host was chosen.
  const unsubscribeAdHoc = events.subscribe((event, payload) => {
    if (event !== 'evidence.adhoc-case-opened') return;
    const opened = payload as EventPayloadOf<'evidence.adhoc-case-opened'>;
    const resolution = hosts.lastResolution(opened.host);
    if (resolution) hosts.auditResolution(resolution, opened.case.id);
  });
  // Section 5 judges containers with the inventory's own risk flags, not a second copy of them.
  const getBenchmark = (): BenchmarkService =>
    (benchmark ??= new (loadModule<{ BenchmarkService: typeof BenchmarkService }>('../core/benchmark/benchmark-service').BenchmarkService)({
      hosts,
      evidence,
      audit,
      clock,
      risks: loadModule<{ assessRisks: typeof assessRisks }>('../core/inventory/risk-flags').assessRisks,
      helpers,
      helperImageOverride: () => capture.settings().helperImage,
    }));
  // A data root's drift reports demote with the same noise rules as live ones.
  const getDataRoot = (): DataRootService =>
    (dataRoot ??= new (loadModule<{ DataRootService: typeof DataRootService }>('../core/dataroot/dataroot-service').DataRootService)({
      evidence,
      clock,
      hosts,
      driftRules: () => getDrift().rules(),
    }));
  const getSbom = (): SbomService =>
    (sbom ??= new (loadModule<{ SbomService: typeof SbomService }>('../core/sbom/sbom-service').SbomService)({
      hosts,
      evidence,
      audit,
      clock,
      helpers,
    }));
  // Matching reads the SBOM capability's package lists, never its internals.
  const getVulns = (): VulnsService =>
    (vulns ??= new (loadModule<{ VulnsService: typeof VulnsService }>('../core/vulns/vulns-service').VulnsService)({
      store: new (loadModule<{ VulnDbStore: typeof VulnDbStore }>('../core/vulns/vulndb-store').VulnDbStore)(db),
      packages: (host, target) => getSbom().packages(host, target),
      evidence,
      audit,
      clock,
    }));
  const getMemory = (): MemoryService =>
    (memory ??= new (loadModule<{ MemoryService: typeof MemoryService }>('../core/memory/memory-service').MemoryService)({
      hosts,
      evidence,
      events,
      clock,
      audit,
      helpers,
      helperImageOverride: () => capture.settings().helperImage,
      drift: getDrift().lookup,
      // The processes capability's merge of top and /proc says which processes only one of them sees.
      topMismatches: async ({ host, container }) => {
        const { snapshot } = await getProcesses().snapshot({ host, container, store: false });
        if (snapshot.source !== 'pid-namespace') return [];
        return snapshot.processes.flatMap((p) =>
          p.flags.flatMap((f) =>
            f.kind === 'not-in-top' || f.kind === 'not-in-namespace' ? [{ pid: p.pid, kind: f.kind, reason: f.reason }] : [],
          ),
        );
      },
    }));
  // Live: a connected manager's swarm events become 'cluster.changed'.
  const cluster = new ClusterView({ hosts, clock, events, engineEvents: (listener) => hosts.onEngineEvent(listener) });
  const getCollect = (): CollectService =>
    (collect ??= new (loadModule<{ CollectService: typeof CollectService }>('../core/collect/collect-service').CollectService)({
      hosts,
      evidence,
      events,
      clock,
      audit,
      steps: loadModule<{ collectSteps: typeof collectSteps }>('./collect-steps').collectSteps({
        processes: getProcesses(),
        memory: getMemory(),
        network: getNetwork(),
        capture,
        drift: getDrift(),
        logs: getLogs(),
      }),
    }));
  // A drift scan's changed files reach YARA through the drift capability's reports, never its internals.
  const getYara = (): YaraService =>
    (yara ??= new (loadModule<{ YaraService: typeof YaraService }>('../core/yara/yara-service').YaraService)({
      hosts,
      evidence,
      clock,
      audit,
      helpers,
      helperImageOverride: () => capture.settings().helperImage,
      driftFiles: async (scanId) => {
        const scan = getDrift().result(scanId);
        const containers = [];
        for (const c of scan.containers) {
          const report = c.reportArtifactId ? await getDrift().report(c.reportArtifactId) : null;
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
    }));
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
    get processes() {
      return getProcesses();
    },
    get drift() {
      return getDrift();
    },
    capture,
    get network() {
      return getNetwork();
    },
    get quarantine() {
      return getQuarantine();
    },
    get logs() {
      return getLogs();
    },
    get logFollower() {
      return getLogFollower();
    },
    get timeline() {
      return getTimeline();
    },
    get report() {
      return getReport();
    },
    journal,
    get benchmark() {
      return getBenchmark();
    },
    get dataRoot() {
      return getDataRoot();
    },
    get sbom() {
      return getSbom();
    },
    get vulns() {
      return getVulns();
    },
    get memory() {
      return getMemory();
    },
    get yara() {
      return getYara();
    },
    get collect() {
      return getCollect();
    },
    cluster,
    close() {
      // Captures first (their pcaps must be finished into the store), then the links, then the store.
      // A service never built has nothing to close.
      closing ??= (async () => {
        unsubscribeAdHoc();
        collect?.close();
        memory?.close();
        await quarantine?.close();
        await network?.close();
        await capture.close();
        await drift?.close();
        await processes?.close();
        inventory.close();
        cluster.close();
        unsubscribeFollower();
        await logFollower?.close();
        await journal.close();
        await hosts.close();
        evidence.close();
        db.close();
      })();
      return closing;
    },
  };
}
