import type { CliCommand, CommandGroup } from './command';
import { EVIDENCE_PREVIEW_DEFAULT_BYTES, EVIDENCE_PREVIEW_MAX_BYTES } from './preview-bytes';

/**
 * Where each command stands in `drydock`'s overview and the example its --help shows. Kept in one
 * place so the overview reads as one page; a unit test fails when a command has no entry.
 */
export interface CommandHelp {
  group: CommandGroup;
  example: string;
  /** What the exit statuses mean, when the command has its own (shown under "Exit status:"). */
  exits?: string;
}

export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  inventory: { group: 'triage', example: 'drydock inventory --flagged' },
  audit: { group: 'triage', example: 'drydock audit --host prod --fail-on fail' },
  sbom: { group: 'triage', example: 'drydock sbom web-1 --format cyclonedx --out web-1.cdx.json' },
  vulns: { group: 'triage', example: 'drydock vulns web-1 --max-age 14' },
  'vulndb import': { group: 'setup', example: 'drydock vulndb import Debian-all.zip --sha256 HEX' },
  'vulndb status': { group: 'setup', example: 'drydock vulndb status' },
  drift: { group: 'triage', example: 'drydock drift --all --fail-on high' },
  'drift rules': { group: 'triage', example: 'drydock drift rules --json' },
  images: { group: 'triage', example: 'drydock images --data-root /mnt/evidence/var/lib/docker' },
  'compare-disk': { group: 'triage', example: 'drydock compare-disk --host prod --data-root /var/lib/docker' },
  'layer-owner': {
    group: 'triage',
    example: 'drydock layer-owner 3f2a9c --data-root docker-root.tar   # which container wrote overlay2/3f2a9c…/diff',
  },
  connections: { group: 'triage', example: 'drydock connections' },
  'cluster nodes': { group: 'triage', example: 'drydock cluster nodes --host swarm-manager-1' },
  'cluster services': { group: 'triage', example: 'drydock cluster services --host swarm-manager-1 --json' },
  'cluster tasks': { group: 'triage', example: 'drydock cluster tasks web --host swarm-manager-1' },
  'cluster watch': { group: 'triage', example: 'drydock cluster watch --host swarm-manager-1 --json' },
  'cluster triage': { group: 'triage', example: 'drydock cluster triage --host swarm-manager-1 --fail-on high' },
  'fleet triage': {
    group: 'triage',
    example:
      'drydock fleet triage --host swarm-manager-1 --case fleet-2026-12   # needs an examiner key (drydock key create) and the case (drydock case create --name fleet-2026-12); passphrase from DRYDOCK_KEY_PASSPHRASE or stdin',
    exits:
      '0 every node merged and nothing left behind; 1 a node was not reached or its bundle not merged, or the service, secret or an image could not be removed (each named); 3 no examiner key (drydock key create; nothing was deployed); 130 cancelled with Ctrl-C (what was merged is kept; the service, secret and image are removed; audited as fleet.cancelled); 143 or 129 when stopped the same way by SIGTERM or SIGHUP (a dropped SSH session); a second signal says what is still being cleaned up, a third quits at once naming what is left for `drydock capture-helper sweep`; 2-5 as for every command',
  },
  'fleet collect': {
    group: 'triage',
    example:
      'drydock fleet collect --host unix:///var/run/docker.sock --key-file /run/secrets/drydock-fleet-key --out /out/bundle.tar --run fr-…   # inside the collector, by fleet triage',
  },
  ps: { group: 'acquire', example: 'drydock ps web-1' },
  logs: { group: 'acquire', example: 'drydock logs web-1 --since 2h' },
  memory: {
    group: 'acquire',
    example: 'drydock memory web-1 --pid 1 --pause',
    exits:
      '0 every process imaged whole; 1 a process was not imaged or an image is incomplete; 130 cancelled with Ctrl-C (the image being read is kept, marked incomplete; the processes not reached are not imaged; a paused container is thawed); 143 or 129 when stopped the same way by SIGTERM or SIGHUP (a dropped SSH session); a second signal says what is still being cleaned up, a third quits at once naming what is left for `drydock capture-helper sweep`; 2-5 as for every command',
  },
  strings: {
    group: 'acquire',
    example: 'drydock strings 3f2a9c1d --search password   # an artifact ID, or a unique prefix of 8+ characters',
  },
  yara: { group: 'triage', example: 'drydock yara rules/ --container web-1 --memory   # or @starter, --artifact ID, --scan SCAN_ID' },
  collect: {
    group: 'acquire',
    example: 'drydock collect web-1 --capture-seconds 10 --memory all',
    exits:
      '0 every step done or skipped; 1 a step failed (the others ran); 130 cancelled with Ctrl-C (the running step stopped through its own cancel path, what every step stored is kept, the rest did not start; audited as collect.cancelled); 143 or 129 when stopped the same way by SIGTERM or SIGHUP (a dropped SSH session); a second signal says what is still being cleaned up, a third quits at once naming what is left for `drydock capture-helper sweep`; 2-5 as for every command',
  },
  checkpoint: { group: 'acquire', example: 'drydock checkpoint web-1   # needs an experimental engine with CRIU' },
  watch: { group: 'acquire', example: 'drydock watch --host prod' },
  capture: { group: 'acquire', example: "drydock capture web-1 --duration 60 --filter 'tcp port 443'" },
  'pcap summary': {
    group: 'acquire',
    example: 'drydock pcap summary ARTIFACT_ID  # the pcap artifact ID a capture prints (or drydock evidence list)',
  },
  'pcap export': { group: 'acquire', example: 'drydock pcap export ARTIFACT_ID web-1.pcap' },
  quarantine: { group: 'respond', example: 'drydock quarantine web-1 --mode isolate,snapshot' },
  'quarantine status': { group: 'respond', example: 'drydock quarantine status web-1   # its history, released quarantines too' },
  release: { group: 'respond', example: 'drydock release web-1 --reason "cleared after review"' },
  'case create': { group: 'evidence', example: 'drydock case create --name "INC-2291 web tier" --organisation "ACME CSIRT"' },
  'case new': { group: 'evidence', example: 'drydock case new --name INC-2291' },
  'case list': { group: 'evidence', example: 'drydock case list' },
  'case use': { group: 'evidence', example: 'drydock case use INC-2291' },
  'case close': { group: 'evidence', example: 'drydock case close' },
  'case note': { group: 'evidence', example: 'drydock case note "pulled the network cable at 10:02Z"' },
  'case audit': { group: 'evidence', example: 'drydock case audit --json' },
  'case artifacts': { group: 'evidence', example: 'drydock case artifacts' },
  'case verify': { group: 'evidence', example: 'drydock case verify' },
  'case export': { group: 'evidence', example: 'drydock case export inc-2291.ddcase --sign' },
  'case import': { group: 'evidence', example: 'drydock case import inc-2291.ddcase --require-signature' },
  'case signature': { group: 'evidence', example: 'drydock case signature INC-2291' },
  'evidence list': { group: 'evidence', example: 'drydock evidence list' },
  'evidence verify': { group: 'evidence', example: 'drydock evidence verify' },
  'evidence show': { group: 'evidence', example: 'drydock evidence show ARTIFACT_ID --bytes 512' },
  'artifact export': { group: 'evidence', example: 'drydock artifact export ARTIFACT_ID --out passwd.bin' },
  footprint: { group: 'evidence', example: 'drydock footprint' },
  timeline: { group: 'evidence', example: 'drydock timeline --format l2tcsv --out inc-2291.csv' },
  report: { group: 'evidence', example: 'drydock report --format pdf --out inc-2291.pdf' },
  'artifact acquire': { group: 'acquire', example: 'drydock artifact acquire web-1 /tmp/.x/payload' },
  'key create': { group: 'evidence', example: 'drydock key create --examiner j.doe' },
  'key show': { group: 'evidence', example: 'drydock key show' },
  'key trust': { group: 'evidence', example: 'drydock key trust colleague.pub' },
  'key list': { group: 'evidence', example: 'drydock key list' },
  'hosts add': {
    group: 'setup',
    example: 'drydock hosts add prod tcp://10.0.0.5:2376 --tls-ca ca.pem --tls-cert cert.pem --tls-key key.pem',
  },
  'hosts import': { group: 'setup', example: 'drydock hosts import' },
  'hosts list': { group: 'setup', example: 'drydock hosts list' },
  'hosts remove': { group: 'setup', example: 'drydock hosts remove prod' },
  'hosts test': { group: 'setup', example: 'drydock hosts test prod' },
  'capture-helper sweep': {
    group: 'setup',
    example: 'drydock capture-helper sweep --host prod',
    exits:
      '0 swept (each container unpaused, helper removed or impersonator kept is named); 1 a container a gone Drydock paused could not be unpaused (named, STILL PAUSED); 2-5 as for every command',
  },
  'capture-helper image': { group: 'setup', example: 'drydock capture-helper image' },
  serve: { group: 'setup', example: 'drydock serve' },
};

const GROUP_TITLES: Record<CommandGroup, string> = {
  triage:
    "Triage: what is running and what changed (containers are left as they are; some reads load Drydock's helper image and run helper containers on the hosts, fleet triage a collector service: drydock footprint lists them)",
  acquire: 'Acquire: volatile evidence into the current case (one is opened if none is)',
  respond: 'Respond: contain a suspect container, and release it exactly as it was',
  evidence: 'Evidence: cases, artifacts, the audit chain, bundles',
  setup: 'Hosts and set-up',
};

const GROUP_ORDER: readonly CommandGroup[] = ['triage', 'acquire', 'respond', 'evidence', 'setup'];

/** Descriptions of options many commands share; others are described by their command's usage line. */
const OPTION_TEXT: Record<string, string> = {
  host: 'the engine: a saved profile, a Docker context or an endpoint URL (unix://, tcp://, ssh://); default: the one `docker` would use (DOCKER_HOST, DOCKER_CONTEXT, the current context, the local socket)',
  case: 'the case (ID or exact name); default: the current case, or a new ad-hoc case when none is open',
  json: 'machine-readable output (JSON)',
  store: "the evidence store directory (default: the desktop app's, or DRYDOCK_STORE)",
  examiner: "who is acting, written on every audit entry (default: DRYDOCK_EXAMINER, the case's examiner, the OS user)",
  help: 'this help',
  record: 'store the snapshot in the case (the default)',
  mounts: "also list what the container's mounts hold (volumes and binds the engine's diff cannot see)",
  'path-base64': 'the path inside the container as base64 of its exact bytes (for names that are not UTF-8)',
  'key-cap': 'largest new or changed executable, script or credential file stored whole, in bytes (default 256 MiB)',
  reason: 'why (kept in the audit log)',
  'no-record': 'look without storing anything in the case',
  'no-store': 'look without storing anything in the case',
  all: 'every running container of the host',
  'data-root':
    'read a Docker data root with no daemon instead of a host: a directory (a mounted disk image, a copied tree) or a tar archive of one; read-only, nothing is written to it',
  bind: 'the loopback address to serve on: 127.0.0.1 (default) or ::1',
  port: 'the port to serve on (default: a free one)',
  bundled: 'use the helper image bundled with Drydock',
  set: 'replace the setting with this value or file',
  cap: 'largest file whose content is stored, in bytes (larger files are hashed only)',
  concurrency: 'containers read at once',
  via: "where drift reads changes: engine-api (the default: the engine's change list and archive endpoint per container), upper-dir (the containers' overlay2 directories through one helper per host: faster, finds changes with restored timestamps, checks package integrity too, but creates a helper container on the host) or auto (upper-dir where the host allows it)",
  service:
    "a Swarm service (name or ID) on the manager --host names: each running task's drift, processes and listening sockets read on its own node (a saved host profile whose engine answers with that node's ID), then the replicas compared; --json carries `outliers`, the tasks that differ from their siblings, each with why",
  count: 'stop after this many packets',
  duration: 'stop after this many seconds (none: until Ctrl-C)',
  since: 'from this time: seconds since the epoch, an RFC 3339 date (UTC without a zone) or a duration back from now (10m, 2h, 1d)',
  until: 'up to this time (the same forms as --since)',
  tail: 'only the last N lines',
  filter: 'a BPF capture filter, checked before the capture starts',
  interface: 'the interface inside the container (default: any)',
  'max-bytes': 'stop after this many bytes of pcap',
  snaplen: 'bytes kept of each packet',
  'no-summary': 'do not derive the flow summary after the capture',
  flagged: 'only containers with high or critical flags',
  watch: 'keep watching (Ctrl-C stops)',
  mode: 'comma-separated steps: isolate, pause, snapshot, stop',
  'drain-node':
    "a Swarm task (named TASK_ID or SERVICE.SLOT with --host its manager): also drain its node through the manager, after its own confirmation line saying what that does (the task itself is moved off too); release restores the node's availability",
  scale:
    'a Swarm task: also scale its service to N replicas through the manager, after its own confirmation line (scaling down may remove this task); release restores the replica count',
  yes: 'do not ask for confirmation',
  'dry-run': 'show the plan and change nothing',
  name: 'the name',
  description: 'a description',
  organisation: 'the organisation',
  tz: "the case's IANA time zone for display (exports stay UTC)",
  out: 'the file to write (it must not exist)',
  sign: "sign the bundle's manifest with the examiner key",
  'require-signature': 'refuse a bundle that is not signed by a trusted key',
  'tls-ca': "CA certificate file (PEM) the engine's certificate must chain to",
  'tls-cert': 'client certificate file (PEM)',
  'tls-key': 'client key file (PEM)',
  'tls-no-verify': "do NOT verify the engine's certificate (shown as a warning everywhere)",
  'ssh-key': 'private key file (default: the SSH agent)',
  'ssh-socket': "the engine's socket path on the remote host",
  'no-test':
    'save the profile without asking its engine first (a node mapped before it can be reached); by default a profile whose engine does not answer is not saved',
  format: 'the SBOM as cyclonedx (CycloneDX 1.5 JSON), spdx (SPDX 2.3 JSON) or table (the default)',
  'max-age': 'days after which the vulnerability database is stale: a warning on every finding (default 30)',
  sha256: "the file's expected SHA-256 (from its source), checked before anything is imported",
  'no-host-files': "leave sections 1 and 3 could-not-check instead of reading the host's files through a read-only helper",
};

export function commandKey(command: Pick<CliCommand, 'path'>): string {
  return command.path.join(' ');
}

/** `drydock` alone: every command grouped by task, each with one example. */
export function overview(commands: readonly Pick<CliCommand, 'path' | 'summary'>[]): string {
  const lines = ['drydock — forensic and incident-response workbench for Docker hosts', ''];
  for (const group of GROUP_ORDER) {
    const members = commands.filter((c) => (COMMAND_HELP[commandKey(c)]?.group ?? 'setup') === group);
    if (!members.length) continue;
    lines.push(GROUP_TITLES[group]);
    for (const c of members) {
      lines.push(`  ${commandKey(c).padEnd(22)} ${c.summary}`);
      const example = COMMAND_HELP[commandKey(c)]?.example;
      if (example) lines.push(`  ${''.padEnd(22)} e.g. ${example}`);
    }
    lines.push('');
  }
  lines.push(
    'With no --host, Drydock talks to the engine the docker CLI would (DOCKER_HOST, DOCKER_CONTEXT, the current',
    'context, else the local socket) and says which. With no open case, an acquisition opens an ad-hoc case.',
    'An ARTIFACT_ID may be given as a unique prefix of 8 or more characters (like a git hash), a drift SCAN_ID as ds- and 8 or more;',
    'an ambiguous prefix fails listing the candidates.',
    '',
    "Global options: --store DIR, --json, --examiner NAME. `drydock COMMAND --help` shows a command's options.",
  );
  return lines.join('\n');
}

const CLUSTER_HOST_TEXT =
  'a manager of the swarm (a saved profile, a Docker context or an endpoint URL; default: the one `docker` would use): workers do not know the cluster';

/** Options whose meaning differs per command, by command key (they win over OPTION_TEXT). */
const COMMAND_OPTION_TEXT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  release: {
    'dry-run':
      'show what release would undo (packet-filter table, networks, unpause, start, node availability, replica count) and change nothing',
  },
  timeline: {
    format: 'table (the default on a terminal), jsonl (Timesketch JSON Lines) or l2tcsv (plaso/log2timeline CSV)',
    out: 'write jsonl or l2tcsv to this new file instead of stdout (audited in the case)',
    tz: "the IANA time zone of the times shown or written (the table: the case's zone by default; jsonl and l2tcsv: UTC by default, the l2tcsv timezone column names it)",
    case: 'the case (ID or exact name); default: the current case',
    source: 'only these sources, comma-separated: journal, gap, lifecycle, image, logs, drift, file, process, capture, flow, audit',
    severity: 'only rows of this severity or above: info, low, medium, high, critical',
    grep: 'only rows whose text contains this (case-insensitive)',
    from: 'only rows at or after this RFC 3339 time',
    to: 'only rows at or before this RFC 3339 time',
    container: 'only rows of this container (its name)',
    'logs-filter': 'take every log line containing this text instead of an even sample of each logs artifact',
    'data-root':
      "a dead box: first read this Docker data root (directory or tar archive, read-only) into the case (containers' created, started and finished times, images and their build steps, every json-file or local log, each writable-layer entry at its mtime), then show only its rows (their host: data-root:DIR)",
  },
  report: {
    format: 'html (self-contained, offline) or pdf (rendered from the same page by a local Chromium, Chrome or Edge)',
    out: 'also write the report to this new file (the case keeps it as an artifact either way)',
    tz: "the IANA time zone of the report's timeline (default: the case's)",
    case: 'the case (ID or exact name); default: the current case (the report is stored in it, so it must be open)',
  },
  ps: {
    pid: 'with --detail: only this process (its PID inside the container)',
    'data-root':
      "a dead box: the container's last known configuration from this Docker data root (the command the engine started, user, working directory, environment, the state last recorded); no process list exists on disk",
    detail:
      "each process's /proc detail read through a helper in its PID namespace: the executable's SHA-256 (a deleted one too), capabilities, namespaces, open files and sockets, memory maps",
  },
  memory: {
    pid: 'the process to image, by its PID inside the container: a whole number of 1 or more (default 1, the entrypoint)',
    all: 'image every process of the container, one artifact each',
    pause: 'freeze the container (docker pause) while each image is read, and thaw it after (both audited)',
  },
  drift: {
    'fail-on':
      'the gate: exit 6 when a finding is of this severity or above: critical, high, medium, low or info (with --service: an outlier task of it, or, with fewer than 3 replicas compared and so no majority to name an outlier, any replica differing from its siblings at it); the reports are stored and printed first',
  },
  audit: {
    'fail-on':
      'the gate: exit 6 when a recommendation fails (fail), or fails or warns (warn); the report is printed (and stored, unless --no-record) first',
  },
  'evidence show': {
    bytes: `how many bytes of the artifact to preview (default ${EVIDENCE_PREVIEW_DEFAULT_BYTES}, at most ${EVIDENCE_PREVIEW_MAX_BYTES})`,
  },
  checkpoint: {
    name: 'the checkpoint name (default drydock-<time>); the engine writes it under <data root>/containers/<id>/checkpoints/NAME on the host',
  },
  collect: {
    'capture-seconds': "seconds of packet capture in the container's network namespace (default 10, at most 3600; 0 skips the capture)",
    memory: 'whose memory to image: all processes (default), none, or PIDs inside the container separated by commas (1,42)',
  },
  yara: {
    container:
      "scan this container's filesystem (running: Debian's yara in a helper over /proc/1/root; stopped: streamed from the archive endpoint into the in-app engine)",
    memory:
      "with --container: scan its processes' live memory instead (yara in a helper joined to its PID namespace; each process is stopped by ptrace while it is read)",
    pid: 'with --memory: only this process (its PID inside the container); repeat for several',
    artifact: 'scan a stored artifact in the app (a memory image region by region): its ID, or a unique prefix of 8+ characters',
    scan: 'scan the changed files a drift scan stored (its ds-… ID, or a unique prefix: ds- and 8+ characters), in the app',
    starter: "add Drydock's starter rules (resources/yara) to RULES",
    'fail-on-match': 'exit 6 (after storing the report) when any rule matched: a gate for scripts and pipelines',
    case: "the case the report is stored in (ID or exact name); default: the current case, or the scanned evidence's case",
  },
  'cluster nodes': { host: CLUSTER_HOST_TEXT },
  'cluster services': { host: CLUSTER_HOST_TEXT },
  'cluster tasks': { host: CLUSTER_HOST_TEXT },
  'cluster watch': { host: CLUSTER_HOST_TEXT },
  'fleet triage': {
    host: CLUSTER_HOST_TEXT,
    case: 'the case the nodes are merged into (ID or exact name); default: the current case, or a new ad-hoc case when none is open',
    'node-socket':
      "each node engine's socket as the collector task mounts it (default /var/run/docker.sock); Swarm templates {{.Node.Hostname}} and {{.Node.ID}} may stand for the node",
    timeout: 'seconds the collectors may run before their nodes are reported as failed: 10 to 86400 (default 600)',
    registry:
      "a registry every node can pull from (HOST[:PORT]): the collector image is pushed there once through the manager's engine and pulled by digest, instead of loaded through each node's engine; it stays in the registry afterwards",
  },
  'fleet collect': {
    host: "the node's own engine (inside the collector: unix:///var/run/docker.sock)",
    'key-file': "the run's private key (PKCS#8 PEM), as the Swarm secret mounts it",
    out: 'where the signed bundle is written (a new file)',
    run: 'the fleet run ID (fr-…) the bundle belongs to',
    'node-names':
      "NODE_ID=NAME pairs, comma-separated: the examiner's host profile name for each node; this node's evidence is recorded under its own entry (default node-<hostname>)",
  },
  'cluster triage': {
    host: CLUSTER_HOST_TEXT,
    case: 'the case (ID or exact name); default: the current case, or a new ad-hoc case when none is open',
    concurrency: 'services triaged at once (1 to 8, default 2); each reads its nodes in parallel',
    'fail-on':
      'the gate: exit 6 when a replica differs from its siblings at this severity or above (critical, high, medium, low): an outlier, or, in a service with fewer than 3 replicas compared (no majority, no outlier named), any replica with such a difference, since a responder must look; otherwise exit 1 when a replica was not read',
  },
  strings: {
    search: 'only strings containing this text (case-insensitive)',
    from: 'start at this byte offset, any whole number (the previous page says where the next starts; an offset past the end lists nothing and says how long the artifact is)',
    limit: 'at most this many strings in the page (default 200)',
    'min-length': 'shortest string listed, in characters (default 6)',
  },
  logs: {
    'follow-on-start':
      'on or off: whether `drydock watch` and the app follow the logs of every container that starts, into the case (on by default)',
  },
};

/** The narrowest option column of a command's help, in characters (wider when a flag needs it). */
const OPTION_COLUMN_MIN = 22;
/** The width help is wrapped to when stdout is not a terminal (a pipe, a file). */
export const HELP_COLUMNS_DEFAULT = 100;
/** The fewest characters a description line gets, however narrow the terminal or wide the flag column. */
const DESCRIPTION_MIN = 30;

/** The placeholders of the global options that take a value (the overview's "--store DIR, --examiner NAME"). */
const GLOBAL_VALUE: Readonly<Record<string, string>> = { store: 'DIR', examiner: 'NAME' };

/**
 * What --json gives for this command: JSON lines, one per event, for a command that only watches
 * (watch, cluster watch); JSON, or JSON lines while watching, for one with a --watch option; JSON otherwise.
 */
function jsonText(command: Pick<CliCommand, 'path' | 'options'>): string {
  if (command.path[command.path.length - 1] === 'watch') return 'machine-readable output: JSON lines, one object per event';
  if (command.options && 'watch' in command.options)
    return 'machine-readable output (JSON; with --watch, JSON lines, one object per change)';
  return OPTION_TEXT.json ?? 'machine-readable output (JSON)';
}

/**
 * `text` in lines of at most `width` characters, broken at spaces (a word longer than the width
 * keeps its own line whole).
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/** The terminal's width, or HELP_COLUMNS_DEFAULT when stdout is not a terminal. */
function terminalColumns(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : HELP_COLUMNS_DEFAULT;
}

/**
 * `drydock COMMAND --help`: usage, what it does, each option (its flag, with VALUE or the global
 * option's placeholder when it takes one, in a column as wide as the command's longest flag, then its
 * description wrapped to `columns` characters with a hanging indent at the description column), an
 * example and the exit statuses when it has its own.
 * @param columns the width to wrap to (default: the terminal's, or HELP_COLUMNS_DEFAULT when stdout is not a terminal).
 */
export function commandHelp(command: CliCommand, globalOptions: readonly string[], columns = terminalColumns()): string {
  const lines = [`Usage: drydock ${command.usage}`, '', command.summary, '', 'Options:'];
  const names = [...Object.keys(command.options ?? {}), ...globalOptions.filter((g) => !(g in (command.options ?? {})))];
  const flags = names.map((name) => {
    const own = command.options?.[name];
    const value = own ? (own.type === 'string' ? 'VALUE' : undefined) : GLOBAL_VALUE[name];
    return `--${name}${value !== undefined ? ` ${value}` : ''}`;
  });
  // The column fits this command's longest flag, so every description starts in the same place.
  const width = Math.max(OPTION_COLUMN_MIN, ...flags.map((f) => f.length));
  const indent = 2 + width + 1;
  const room = Math.max(DESCRIPTION_MIN, columns - indent);
  names.forEach((name, i) => {
    const text =
      COMMAND_OPTION_TEXT[commandKey(command)]?.[name] ?? (name === 'json' ? jsonText(command) : undefined) ?? OPTION_TEXT[name] ?? '';
    const [first = '', ...rest] = wrapText(text, room);
    lines.push(`  ${(flags[i] ?? '').padEnd(width)} ${first}`.trimEnd(), ...rest.map((l) => `${' '.repeat(indent)}${l}`));
  });
  const example = COMMAND_HELP[commandKey(command)]?.example;
  if (example) lines.push('', 'Example:', `  ${example}`);
  const exits = COMMAND_HELP[commandKey(command)]?.exits;
  if (exits) lines.push('', 'Exit status:', `  ${exits}`);
  return lines.join('\n');
}
