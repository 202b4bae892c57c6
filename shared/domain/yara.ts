// YARA scans: the user's rule files (and Drydock's starter set) run by a real YARA engine over a
// container's files, its processes' live memory, or artifacts already in the store. Offsets and
// addresses: offsets are byte numbers (within a file, an artifact or a memory region); virtual
// addresses are 64-bit and travel as lowercase hex.

/** One rule source as the examiner gave it (a file's name and text), or one of Drydock's starter files. */
export interface YaraRuleSource {
  /** The file name (no directories), for messages and the report. */
  name: string;
  /** SHA-256 of the text, so the report says exactly which rules ran. */
  sha256: string;
  /** 'starter' for the set Drydock ships (resources/yara), 'user' otherwise. */
  origin: 'user' | 'starter';
}

/** Which engine ran: Debian's yara in the helper (on the host) or libyara compiled to WebAssembly (in the app). */
export interface YaraEngineInfo {
  name: 'yara' | 'libyara-wasm';
  version: string;
  where: 'helper' | 'app';
}

export interface YaraMatch {
  /** The rule's identifier. */
  rule: string;
  /** The string identifier that matched ($a), as YARA names it. */
  string: string;
  /** Byte offset of the match in the file, the stored artifact, or (memory) the region it lies in. */
  offset: number;
  /** Bytes matched. */
  length: number;
  /** A file in the container (container and drift scans). */
  path?: string;
  /** The path's exact bytes in base64 when they are not valid UTF-8. */
  pathBase64?: string;
  /** A process of the container, by its PID inside the container (live memory and memory images). */
  pid?: number;
  /** The virtual address of the match (live memory and memory images), lowercase hex. */
  address?: string;
  /** The artifact scanned (artifact and drift scans). */
  artifactId?: string;
  /** The matched bytes (at most 64), printable ASCII kept, anything else as \xNN; absent where the engine did not give them. */
  preview?: string;
}

export type YaraScanTarget =
  { kind: 'artifact'; artifactId: string } | { kind: 'drift-scan'; scanId: string } | { kind: 'container'; memory: boolean };

export interface YaraScanReport {
  target: YaraScanTarget;
  host?: string;
  containerId?: string;
  containerName?: string;
  engine: YaraEngineInfo;
  rules: YaraRuleSource[];
  /** Rule names that matched at least once, sorted. */
  rulesMatched: string[];
  startedAt: string;
  finishedAt: string;
  /** What was read: files, bytes, processes, memory regions, artifacts. */
  scanned: { files: number; bytes: number; pids: number[]; regions: number; artifactIds: string[] };
  /** Matches kept (at most MAX_MATCHES), in scan order. */
  matches: YaraMatch[];
  /** Matches seen, including those beyond the kept ones (a rule matching on its condition alone counts once). */
  matchCount: number;
  /**
   * String hits seen ($a found at an offset), including those beyond the kept ones: matchCount less
   * the rules that matched on their condition alone (string ''). Absent in reports stored before it
   * existed; read it as matchCount there.
   */
  stringHits?: number;
  truncated: boolean;
  /** What could not be scanned and why (unreadable files, processes gone, files kept hashed only...). */
  skipped: { what: string; reason: string }[];
  /** The engine's compiler warnings. */
  warnings: string[];
  /** What this scan cannot see (per-chunk conditions, mounts not crossed...). */
  limitations: string[];
  stored?: { artifactId: string; sha256: string; caseId: string };
}

/** Matches kept in one report; hostile bytes can match millions of times. */
export const YARA_MAX_MATCHES = 10_000;
