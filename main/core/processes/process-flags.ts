import type { ProcessFlag } from '../../../shared/domain/processes';

// Patterns over command lines an attacker controls. Every expression here is linear (no nested
// quantifiers over the same characters) and runs on a bounded slice, so a hostile title cannot
// stall the scan.
const MAX_SCAN = 8192;

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'busybox']);
const INTERPRETER = /^(python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|node|nodejs|lua[0-9.]*|tclsh[0-9.]*|pwsh|java)$/;
const NETCAT = /^(nc|ncat|netcat|nc\.traditional|nc\.openbsd|socat|telnet)$/;

const MINER_NAMES =
  /\b(xmrig|xmr-stak|xmrstak|minerd|cpuminer|ccminer|cgminer|bfgminer|ethminer|nbminer|t-rex|lolminer|phoenixminer|nanominer|srbminer|teamredminer|gminer|kdevtmpfsi|kinsing|sysupdate|networkservice)\b/i;
const MINER_ARGS =
  /(stratum\+(tcp|ssl|tls):\/\/|--donate-level|--randomx|nicehash|moneroocean|supportxmr|minexmr|nanopool\.org|2miners\.com)/i;

const DEV_TCP = /\/dev\/(tcp|udp)\/[^\s/]+\/\d+/;
const NC_EXEC = /(^|[\s;|&/])(nc|ncat|netcat|nc\.traditional)\s[^|;&]*-[a-z]*[ec]\s*\S*(sh|bash|cmd)\b/i;
const SOCAT_EXEC = /\bsocat\b[^|;&]*\b(exec|system):/i;
const FIFO_SHELL = /\bmkfifo\b.*\|\s*(\/bin\/)?(ba|da|z|k)?sh\b/;
const INTERACTIVE_REDIRECT = /\b(ba|z|k)?sh\s+-i\b.*[<>]&/;
const PIPE_TO_SHELL = /\|\s*(sudo\s+)?(\/usr)?(\/bin\/)?(ba|da|z|k|a)?sh\b/;
const PIPE_TO_INTERPRETER = /\|\s*(sudo\s+)?(\/usr)?(\/bin\/)?(python[0-9.]*|perl|ruby|php|node)\b/;
const DOWNLOADER = /\b(curl|wget|fetch|tftp|lwp-download|busybox\s+wget)\b/;
const BASE64_EXEC = /\bbase64\s+(-d|--decode)\b.*\|\s*(ba|da|z|k)?sh\b/;
const DOWNLOAD_CHMOD = /\b(curl|wget)\b[^;&|]*(;|&&)\s*chmod\s+(\+x|[0-7]*[1357])/;
const INLINE_NETWORK_CODE =
  /\b(socket|subprocess|pty\.spawn|os\.dup2|urllib|urlopen|requests\.|IO::Socket|Socket::|use\s+Socket|fsockopen|TCPSocket|net\.connect|net\.Socket|child_process|Net\.Sockets|WebClient|DownloadString)\b/;
const URL_OR_ENDPOINT = /\b(?:(?:https?|ftp|tftp):\/\/\[?([^\s/:\]]+)|(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):\d{2,5}\b)/g;
const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$/i;
const WRITABLE_DIR = /^(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/run\/shm\/|\/run\/user\/|\/var\/run\/user\/)/;

/** A URL or address:port that is not the container talking to itself (health checks do that). */
function remoteEndpointIn(text: string): boolean {
  for (const match of text.matchAll(URL_OR_ENDPOINT)) {
    const host = match[1] ?? match[2] ?? '';
    if (!LOCAL_HOST.test(host)) return true;
  }
  return false;
}

/** The program as the command line names it: argv[0] without a login shell's leading dash. */
export function programOf(args: string): string {
  const first = args.trimStart().split(/\s/, 1)[0] ?? '';
  return first.startsWith('-') ? first.slice(1) : first;
}

export function baseName(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash >= 0 ? program.slice(slash + 1) : program;
}

/** Flags for what a command line says about itself; tree-shape flags are added by the tree. */
export function commandLineFlags(args: string): ProcessFlag[] {
  const text = args.length > MAX_SCAN ? args.slice(0, MAX_SCAN) : args;
  const program = programOf(text);
  const name = baseName(program);
  const flags: ProcessFlag[] = [];
  const add = (flag: ProcessFlag) => {
    if (!flags.some((f) => f.kind === flag.kind)) flags.push(flag);
  };

  if (DEV_TCP.test(text))
    add({ kind: 'reverse-shell', severity: 'high', reason: 'redirects to /dev/tcp or /dev/udp: the classic bash reverse shell' });
  if (NC_EXEC.test(text) || (NETCAT.test(name) && /\s-[a-z]*e\s/.test(text)))
    add({ kind: 'reverse-shell', severity: 'high', reason: 'netcat with -e/-c hands a shell to a network peer' });
  if (SOCAT_EXEC.test(text)) add({ kind: 'reverse-shell', severity: 'high', reason: 'socat connecting a socket to exec:/system:' });
  if (FIFO_SHELL.test(text)) add({ kind: 'reverse-shell', severity: 'high', reason: 'named pipe feeding a shell (mkfifo … | sh)' });
  if (INTERACTIVE_REDIRECT.test(text))
    add({ kind: 'reverse-shell', severity: 'high', reason: 'interactive shell with its input/output redirected to a descriptor' });

  if (DOWNLOADER.test(text) && (PIPE_TO_SHELL.test(text) || PIPE_TO_INTERPRETER.test(text)))
    add({ kind: 'download-exec', severity: 'high', reason: 'downloads and pipes straight into a shell or interpreter' });
  if (BASE64_EXEC.test(text)) add({ kind: 'download-exec', severity: 'high', reason: 'decodes base64 into a shell' });
  if (DOWNLOAD_CHMOD.test(text)) add({ kind: 'download-exec', severity: 'high', reason: 'downloads a file and makes it executable' });

  const isShell = SHELLS.has(name);
  const isInterpreter = INTERPRETER.test(name);
  if (isInterpreter && /\s-[a-zA-Z]*[ce]\s/.test(text) && INLINE_NETWORK_CODE.test(text)) {
    add({ kind: 'interpreter-network', severity: 'high', reason: `${name} runs inline code that opens sockets or spawns processes` });
  }
  if ((isShell || isInterpreter || NETCAT.test(name)) && (remoteEndpointIn(text) || PIPE_TO_SHELL.test(text))) {
    add({
      kind: 'network-shell',
      severity: 'medium',
      reason: `${name} with a URL, an address:port or a pipe into a shell in its arguments`,
    });
  }

  if (MINER_NAMES.test(name) || MINER_NAMES.test(program))
    add({ kind: 'miner', severity: 'high', reason: `program name ${name} is a known cryptominer` });
  else if (MINER_ARGS.test(text))
    add({ kind: 'miner', severity: 'high', reason: 'mining pool arguments (stratum URL, donate level, pool host)' });

  if (WRITABLE_DIR.test(program))
    add({
      kind: 'suspicious-path',
      severity: 'medium',
      reason: `runs from ${program.slice(0, program.indexOf('/', 1) + 1)}, a world-writable or memory-backed directory`,
    });
  else if (name.startsWith('.') && name.length > 1 && name !== '..')
    add({ kind: 'suspicious-path', severity: 'medium', reason: 'hidden program name (starts with a dot)' });

  return flags;
}

const SEVERITY_RANK = { high: 0, medium: 1, low: 2 } as const;

export function severityRank(flags: readonly ProcessFlag[]): number {
  return flags.reduce((best, flag) => Math.min(best, SEVERITY_RANK[flag.severity]), 3);
}
