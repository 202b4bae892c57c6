// The helper side of a YARA scan: Debian's `yara` (in Drydock's offline helper image) run by a
// helper container joined to the container's PID namespace, over /proc/1/root (the container's root
// filesystem, seen from outside: nothing is exec'd in the suspect) or over its processes' memory.
// The rules arrive on stdin, never on a command line; yara's output is parsed here, and only lines
// of the shape yara prints are taken (file names are the suspect's: see fileScanCommand).
import type { YaraMatch } from '../../../shared/domain/yara';

const ROOT = '/proc/1/root';
const ODD = '/tmp/d/odd/';
/** yara -a: seconds one file or one process may take before yara gives up on it. */
const PER_TARGET_TIMEOUT_S = 120;

/** Reads exactly `bytes` of rules from stdin into the helper's tmpfs, or stops with @norules. */
function rulesPrologue(): string[] {
  return [
    'n=$1',
    'mkdir -p /tmp/d/odd || exit 5',
    'head -c "$n" > /tmp/d/rules.yar',
    '[ "$(wc -c < /tmp/d/rules.yar)" -eq "$n" ] || { echo "@norules"; exit 5; }',
  ];
}

/**
 * The helper's program for a container's files. Regular files of the container's root filesystem
 * (find -xdev: volumes and other mounts are not crossed) go to `yara --scan-list`, one path a line.
 * A path with a control character (a newline could forge yara's output lines or the list) is
 * scanned through a symlink /tmp/d/odd/N instead, announced as `@odd N HEX(path)`; symlinks of the
 * container are not followed (find -type f), so an absolute link cannot lead out of its root.
 * Arguments: the rules' length in bytes, then the size over which files are left out (counted: @big N).
 */
export function fileScanCommand(rulesBytes: number, skipLargerBytes: number): string[] {
  const script = [
    ...rulesPrologue(),
    'echo "@version $(yara -v)"',
    `cd ${ROOT}/ || { echo "@noroot"; exit 6; }`,
    // yara's -z does not apply to a scan list: the size bound is find's.
    `find ${ROOT}/ -xdev -type f ! -size +"$2"c ! -path '*[[:cntrl:]]*' > /tmp/d/list`,
    `echo "@big $(find ${ROOT}/ -xdev -type f -size +"$2"c | wc -l)"`,
    // Each odd path: a numbered symlink and its bytes in hex (the counter lives in a file: -exec may batch).
    `find ${ROOT}/ -xdev -type f ! -size +"$2"c -path '*[[:cntrl:]]*' -exec sh -c 'for f; do i=$(( $(cat /tmp/d/n 2>/dev/null || echo 0) + 1 )); echo $i > /tmp/d/n; ln -s "$f" ${ODD}$i; printf "@odd %s " $i; printf "%s" "$f" | od -An -v -tx1 | tr -d " \\n"; echo; echo ${ODD}$i >> /tmp/d/list; done' sh {} +`,
    'echo "@files $(wc -l < /tmp/d/list)"',
    'echo "@scan"',
    // One scanning thread: the helper may run at most 16 tasks (PidsLimit), and yara starts 8 by default.
    `yara -p 1 -s -L -w -a ${PER_TARGET_TIMEOUT_S} --scan-list /tmp/d/rules.yar /tmp/d/list`,
    'echo "@rc $?"',
    'echo "@end"',
  ].join('\n');
  return ['sh', '-c', script, 'sh', String(rulesBytes), String(skipLargerBytes)];
}

/**
 * The helper's program for live memory: yara over each process of the namespace (or those in
 * `pids`), skipping the helper's own (same root as the helper's). yara reads /proc/PID/mem and
 * attaches with ptrace while it does (the process is stopped for the scan). Per process:
 * `@pid P`, yara's lines, `@rc P CODE first-error-line`.
 */
export function memoryScanCommand(rulesBytes: number, pids: readonly number[]): string[] {
  const script = [
    ...rulesPrologue(),
    'shift',
    'echo "@version $(yara -v)"',
    // Listed ourselves, a PID gone by its turn was this listing's own pipeline or a process that ended: not reported.
    'asked=$#; if [ $# -eq 0 ]; then set -- $(ls /proc | grep -E "^[0-9]+$" | sort -n); fi',
    'echo "@scan"',
    'for p; do',
    '  [ -d /proc/$p ] || { [ "$asked" -gt 0 ] && echo "@rc $p gone"; continue; }',
    '  [ /proc/$p/root -ef /proc/self/root ] && continue',
    '  echo "@pid $p"',
    `  yara -s -L -w -a ${PER_TARGET_TIMEOUT_S} --max-process-memory-chunk=${16 * 1024 * 1024} /tmp/d/rules.yar $p 2>/tmp/d/err`,
    '  rc=$?; echo "@rc $p $rc $(head -c 300 /tmp/d/err | tr "\\n" " ")"',
    'done',
    'echo "@end"',
  ].join('\n');
  return ['sh', '-c', script, 'sh', String(rulesBytes), ...pids.map(String)];
}

export interface HelperScanResult {
  matches: YaraMatch[];
  /** Files in the scan list (file scans). */
  files: number;
  /** Files left out for their size (file scans). */
  big: number;
  /** PIDs yara ran on (memory scans). */
  pids: number[];
  /** Processes whose scan failed, with yara's message. */
  failures: { pid: number; reason: string }[];
  /** yara's exit code of a file scan. */
  exitCode: number | null;
  ended: boolean;
  /** Lines that were not in any shape yara prints (counted, never trusted). */
  malformed: number;
  /** Matches beyond `maxMatches` (counted, not kept). */
  dropped: number;
  /** String lines ($a at an offset) seen, kept or dropped: the matches that are not a rule's condition alone. */
  stringHits: number;
  noRules: boolean;
  noRoot: boolean;
  /** What `yara -v` printed in the helper. */
  version: string;
}

const RULE_LINE = /^([A-Za-z_][A-Za-z0-9_]{0,127}) (.+)$/;
const STRING_LINE = /^0x([0-9a-f]{1,16}):(\d{1,10}):(\$[A-Za-z0-9_]{0,128}): ?(.*)$/;

/** yara's printed data as it printed it, anything outside printable ASCII as \xNN, at most `max` characters. */
function printed(data: string, max = 64): string {
  let out = '';
  for (const ch of data.slice(0, max)) {
    const c = ch.charCodeAt(0);
    out += c >= 0x20 && c < 0x7f ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return data.length > max ? `${out}…` : out;
}

function pathOf(bytes: Buffer): Pick<YaraMatch, 'path' | 'pathBase64'> {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { path: text } : { path: text, pathBase64: bytes.toString('base64') };
}

/**
 * Parses the helper's output (fileScanCommand or memoryScanCommand) into matches: a rule line
 * (`RULE TARGET`) names the file (under /proc/1/root, or an announced odd path) or the PID being
 * scanned; string lines (`0xOFFSET:LENGTH:$id: data`) after it are its matches; a rule line with
 * none is a match of the rule alone (string ''). Anything else is counted as malformed. At most
 * `maxMatches` are kept.
 */
export function parseHelperOutput(stdout: Buffer, mode: 'files' | 'memory', maxMatches: number): HelperScanResult {
  const result: HelperScanResult = {
    matches: [],
    files: 0,
    big: 0,
    pids: [],
    failures: [],
    exitCode: null,
    ended: false,
    malformed: 0,
    dropped: 0,
    stringHits: 0,
    noRules: false,
    noRoot: false,
    version: '',
  };
  const odd = new Map<string, Buffer>();
  let scanning = false;
  let pid: number | null = null;
  let current: { rule: string; where: Pick<YaraMatch, 'path' | 'pathBase64' | 'pid'>; strings: number } | null = null;
  const add = (m: YaraMatch) => {
    if (result.matches.length < maxMatches) result.matches.push(m);
    else result.dropped++;
  };
  const close = () => {
    if (current && current.strings === 0) add({ rule: current.rule, string: '', offset: 0, length: 0, ...current.where });
    current = null;
  };
  for (const raw of stdout.toString('latin1').split('\n')) {
    const line = raw;
    if (line === '') continue;
    if (line.startsWith('@')) {
      close();
      const [tag, a, b, ...rest] = line.split(' ');
      if (tag === '@norules') result.noRules = true;
      else if (tag === '@noroot') result.noRoot = true;
      else if (tag === '@odd' && a && /^\d+$/.test(a) && b && /^([0-9a-f]{2})*$/.test(b)) odd.set(`${ODD}${a}`, Buffer.from(b, 'hex'));
      else if (tag === '@files' && a && /^\d+$/.test(a)) result.files = Number(a);
      else if (tag === '@big' && a && /^\d+$/.test(a)) result.big = Number(a);
      else if (tag === '@scan') scanning = true;
      else if (tag === '@version' && a && /^[0-9][0-9A-Za-z.+~-]{0,40}$/.test(a)) result.version = a;
      else if (tag === '@end') result.ended = true;
      else if (tag === '@pid' && a && /^\d+$/.test(a)) {
        pid = Number(a);
        result.pids.push(pid);
      } else if (tag === '@rc' && mode === 'files' && a && /^\d+$/.test(a)) result.exitCode = Number(a);
      else if (tag === '@rc' && mode === 'memory' && a && /^\d+$/.test(a)) {
        if (b === 'gone') result.failures.push({ pid: Number(a), reason: 'the process was gone before it was scanned' });
        else if (b !== '0')
          result.failures.push({ pid: Number(a), reason: `yara exited with ${b ?? '?'}: ${rest.join(' ').trim().slice(0, 300)}` });
        pid = null;
      } else result.malformed++;
      continue;
    }
    if (!scanning) {
      result.malformed++;
      continue;
    }
    const s = STRING_LINE.exec(line);
    if (s && current) {
      const [, hex = '0', len = '0', id = '', data = ''] = s;
      const value = Number.parseInt(hex, 16);
      current.strings++;
      result.stringHits++;
      add({
        rule: current.rule,
        string: id,
        offset: value,
        length: Number(len),
        ...current.where,
        ...(mode === 'memory' ? { address: hex } : {}),
        preview: printed(data),
      });
      continue;
    }
    const r = RULE_LINE.exec(line);
    if (r) {
      close();
      const [, rule = '', target = ''] = r;
      if (mode === 'memory') {
        if (pid !== null && target === String(pid)) current = { rule, where: { pid }, strings: 0 };
        else result.malformed++;
      } else if (target.startsWith(`${ROOT}/`)) {
        current = { rule, where: pathOf(Buffer.from(target.slice(ROOT.length), 'latin1')), strings: 0 };
      } else if (odd.has(target)) {
        current = { rule, where: pathOf(Buffer.from((odd.get(target) ?? Buffer.alloc(0)).subarray(ROOT.length))), strings: 0 };
      } else result.malformed++;
      continue;
    }
    close();
    result.malformed++;
  }
  close();
  return result;
}
