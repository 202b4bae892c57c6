// Volatile evidence: what a process really is (read from /proc through a helper joined to the
// container's PID namespace), its memory as an ELF core image, and the strings in such an image.
// Addresses are 64-bit, beyond a JavaScript number's exact range: they travel as lowercase hex.

/**
 * Environment names whose values look like secrets (API_TOKEN, DB_PASSWORD, AWS_SECRET_ACCESS_KEY…):
 * masked wherever a human reads them (CLI text, the UI), kept whole in the evidence and --json.
 */
export function secretLookingEnv(entry: string): boolean {
  const eq = entry.indexOf('=');
  return eq > 0 && /pass|secret|token|key|credential|auth|private|cookie|session/i.test(entry.slice(0, eq));
}

export type ProcessDetailFlagKind =
  | 'deleted-executable'
  | 'anonymous-executable-memory'
  | 'writable-executable-memory'
  | 'namespace-differs'
  | 'drifted-executable'
  | 'not-in-top'
  | 'not-in-namespace';

export interface ProcessDetailFlag {
  kind: ProcessDetailFlagKind;
  severity: 'high' | 'medium' | 'info';
  reason: string;
}

/** One line of /proc/PID/maps (proc(5)). */
export interface MemoryRegion {
  /** First address, hex without 0x. */
  start: string;
  /** One past the last address, hex without 0x. */
  end: string;
  /** rwxp / rwxs as the kernel prints them. */
  perms: string;
  /** Offset into the mapped file, hex. */
  offset: string;
  /** major:minor of the file's device. */
  device: string;
  inode: number;
  /** The file or pseudo-path ([heap], [stack], [vdso]…); '' for an anonymous mapping. Newlines are \012 (the kernel's escape). */
  path: string;
  /** Executable and not backed by a file (rwx, r-x with no path), [vdso] and [vsyscall] excepted. */
  anonymousExecutable: boolean;
}

export interface CapabilitySet {
  /** The 64-bit mask as /proc/PID/status prints it (16 hex digits). */
  hex: string;
  /** CAP_* names of the bits set (capabilities(7)); unknown bits as CAP_<n>. */
  names: string[];
}

export interface ProcessSocket {
  protocol: 'tcp' | 'udp';
  family: 4 | 6;
  local: { ip: string; port: number };
  remote: { ip: string; port: number };
  state: string;
}

export interface OpenFile {
  fd: number;
  /** readlink of /proc/PID/fd/N: a path, 'socket:[inode]', 'pipe:[inode]', 'anon_inode:…'. */
  target: string;
  /** For a socket found in the namespace's TCP/UDP tables, by inode. */
  socket?: ProcessSocket & { inode: number };
}

export interface ProcessNamespace {
  /** cgroup, ipc, mnt, net, pid, time, user, uts. */
  type: string;
  inode: number | null;
  /** Not the namespace PID 1 of the container is in. */
  differsFromInit: boolean;
}

export interface ProcessDetail {
  /** PID in the container's PID namespace. */
  pid: number;
  ppid: number | null;
  /** The kernel's comm, decoded for display. */
  comm: string;
  /** State letter from stat (R, S, D, Z, T…). */
  state: string;
  exe: {
    /** readlink of /proc/PID/exe, without the kernel's ' (deleted)' suffix; null for kernel threads or when unreadable. */
    path: string | null;
    /** The file was deleted (or replaced) after the process started: hashed through /proc/PID/exe all the same. */
    deleted: boolean;
    /** SHA-256 of what /proc/PID/exe opens (the mapped file, even deleted). */
    sha256: string | null;
  };
  /** Arguments, each decoded for display (invalid UTF-8 bytes as \xNN). */
  argv: string[];
  argvCut: boolean;
  /** NAME=value entries as the process was started with them (kept whole in the evidence; the UI masks secrets). */
  environ: string[];
  environCut: boolean;
  cwd: string | null;
  root: string | null;
  /** real, effective, saved, filesystem (status Uid:/Gid:). */
  uids: string[];
  gids: string[];
  /** /proc/PID/uid_map and gid_map as printed (user_namespaces(7)). */
  uidMap: string;
  gidMap: string;
  capabilities: { effective: CapabilitySet; permitted: CapabilitySet; bounding: CapabilitySet } | null;
  /** status Seccomp: 0 disabled, 1 strict, 2 filter. */
  seccomp: 'disabled' | 'strict' | 'filter' | 'unknown';
  namespaces: ProcessNamespace[];
  fds: OpenFile[];
  /** More descriptors than were read. */
  fdsCut: boolean;
  maps: MemoryRegion[];
  mapsCut: boolean;
  flags: ProcessDetailFlag[];
}

/** Who owns each connection of the namespace: the socket tables joined to every process's descriptors by inode. */
export interface OwnedConnection extends ProcessSocket {
  inode: number;
  /** PIDs holding a descriptor on it (empty: no process of the namespace holds it, or it could not be read). */
  pids: number[];
}

export interface ProcessDetailReport {
  host: string;
  containerId: string;
  containerName: string;
  takenAt: string;
  processes: ProcessDetail[];
  connections: OwnedConnection[];
  /** What could not be read, and why. */
  limitations: string[];
  stored?: { artifactId: string; sha256: string; caseId: string };
}

/** A region of the image: where it was in the process and where its bytes are in the core file. */
export interface ImageRegion extends Omit<MemoryRegion, 'anonymousExecutable'> {
  /** Byte offset of the region's bytes in the image (its PT_LOAD p_offset); meaningful when fileSize > 0. */
  imageOffset: number;
  /** Bytes of the region in the image (p_filesz): 0 when it was not read. */
  fileSize: number;
  /**
   * Of an image cut short (incomplete): the bytes of this region actually stored, less than
   * fileSize (0: none). The program headers, written first, still give the full p_filesz.
   */
  storedBytes?: number;
  /** Why it was not read (whole) — permissions, a kernel-special mapping, pages that failed to read (zero-filled). */
  unreadable?: string;
  /** Pages that failed to read and are zeros in the image. */
  unreadablePages?: number;
}

export interface MemoryAcquisition {
  host: string;
  containerId: string;
  containerName: string;
  pid: number;
  comm: string;
  /** The state letter (stat) when the image was taken. */
  state: string;
  paused: boolean;
  artifactId: string;
  sha256: string;
  caseId: string;
  caseName: string;
  /** Size of the image file. */
  bytes: number;
  /** Bytes of process memory in the image. */
  memoryBytes: number;
  regions: number;
  /** Regions not read, or read with pages missing. */
  unreadable: { start: string; end: string; path: string; reason: string }[];
  /** Set when the image is incomplete (stored as such). */
  incomplete?: string;
  /**
   * Seconds from the reader's first read of the process's memory to its last (the image's smear),
   * when recorded (the artifact's attribute of the same name).
   */
  readWindowSeconds?: number;
  /** How the bytes came: 'archive-volume' (chunk files on a scratch volume) or 'attach-stream' (the artifact's attribute). */
  transport?: string;
}

export interface MemoryAcquireResult {
  acquisitionId: string;
  images: MemoryAcquisition[];
  /** Processes that could not be imaged, and why. */
  failures: { pid: number; message: string }[];
}

export interface MemoryProgressEvent {
  acquisitionId: string;
  host: string;
  containerName: string;
  pid: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface FoundString {
  /** Byte offset in the artifact. */
  offset: number;
  encoding: 'ascii' | 'utf-16le';
  /** The string, cut at its first 1,024 characters when longer (then `truncated`). */
  text: string;
  /** Set when `text` holds only the first 1,024 characters of the run. */
  truncated?: true;
  /** Characters in the whole run (set with `truncated`). */
  length?: number;
}

export interface StringsPage {
  artifactId: string;
  /** Offset this page started from. */
  from: number;
  /** Where the next page starts; null at the end of the artifact. */
  next: number | null;
  strings: FoundString[];
  size: number;
}
