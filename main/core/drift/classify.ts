import type {
  DriftClass,
  DriftDifference,
  DriftFileMeta,
  DriftReason,
  DriftSeverity,
  DriftVerdict,
  EngineChangeKind,
} from '../../../shared/domain/drift';
import { accountFileOf, diffAccounts, privilegedMembers } from './accounts';
import { looksLikeLibrary } from './file-sniff';
import { isPackageDatabase, RPM_DATABASE } from './packages';
import { isUnder } from './path-text';

export interface ClassifyInput {
  path: string;
  /** Present when the name is not valid UTF-8. */
  pathBase64?: string;
  change: EngineChangeKind;
  verdict: DriftVerdict;
  differences: readonly DriftDifference[];
  container?: DriftFileMeta;
  image?: DriftFileMeta;
  /** Small text files' bytes on each side, when both were kept (account files). */
  containerText?: Buffer;
  imageText?: Buffer;
}

const SYSTEM_DIRS = [
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/libexec',
  '/usr/local/libexec',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/usr/lib',
  '/usr/lib32',
  '/usr/lib64',
  '/usr/local/lib',
  '/usr/games',
];
const LIBRARY_DIRS = ['/lib', '/lib32', '/lib64', '/libx32', '/usr/lib', '/usr/lib32', '/usr/lib64', '/usr/local/lib'];
const TEMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run/shm', '/dev/mqueue'];
const WEB_ROOTS = [
  '/var/www',
  '/usr/share/nginx/html',
  '/usr/local/apache2/htdocs',
  '/usr/local/nginx/html',
  '/srv',
  '/usr/local/tomcat/webapps',
  '/var/lib/tomcat9/webapps',
  '/opt/tomcat/webapps',
  '/app/public',
  '/usr/share/httpd',
  '/var/lib/nginx/html',
];
const WEB_SCRIPT = /\.(php[0-9]?|phtml|phar|jsp|jspx|jsw|jsv|asp|aspx|ashx|asmx|cgi|pl|py|rb|sh|war|cfm|shtml)$/i;

interface PathRule {
  test: (path: string) => boolean;
  class: DriftClass;
  severity: DriftSeverity;
  what: string;
}

const under =
  (...dirs: string[]) =>
  (p: string) =>
    dirs.some((d) => isUnder(p, d) && p !== d);
const exact =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);
const base = (re: RegExp) => (p: string) => re.test(p.slice(p.lastIndexOf('/') + 1));

/** Credential and persistence locations, most specific first; the first that matches speaks. */
const PATH_RULES: PathRule[] = [
  {
    test: exact('/etc/ld.so.preload'),
    class: 'persistence',
    severity: 'critical',
    what: 'ld.so.preload: a library injected into every process started',
  },
  { test: base(/^authorized_keys2?$/), class: 'credentials', severity: 'critical', what: 'SSH authorized_keys: a key that can log in' },
  { test: exact('/etc/shadow', '/etc/gshadow'), class: 'credentials', severity: 'high', what: 'password hashes' },
  { test: exact('/etc/passwd'), class: 'credentials', severity: 'high', what: 'the account list' },
  { test: exact('/etc/group'), class: 'credentials', severity: 'high', what: 'group memberships' },
  { test: (p) => p === '/etc/sudoers' || under('/etc/sudoers.d')(p), class: 'credentials', severity: 'critical', what: 'sudo rules' },
  { test: (p) => /\/\.ssh\//.test(p), class: 'credentials', severity: 'high', what: 'SSH keys or client configuration' },
  {
    test: (p) => p === '/etc/ssh/sshd_config' || under('/etc/ssh/sshd_config.d')(p),
    class: 'credentials',
    severity: 'high',
    what: 'the SSH server configuration',
  },
  {
    test: under('/etc/pam.d', '/etc/security', '/lib/security', '/usr/lib/security'),
    class: 'credentials',
    severity: 'high',
    what: 'PAM authentication modules or rules',
  },
  {
    test: (p) =>
      p === '/etc/crontab' ||
      p === '/etc/anacrontab' ||
      under(
        '/etc/cron.d',
        '/etc/cron.hourly',
        '/etc/cron.daily',
        '/etc/cron.weekly',
        '/etc/cron.monthly',
        '/var/spool/cron',
        '/etc/periodic',
      )(p),
    class: 'persistence',
    severity: 'high',
    what: 'a scheduled job (cron)',
  },
  {
    test: (p) => p === '/etc/ld.so.conf' || under('/etc/ld.so.conf.d')(p),
    class: 'persistence',
    severity: 'high',
    what: 'the dynamic linker search path',
  },
  {
    test: (p) =>
      ['/etc/profile', '/etc/bash.bashrc', '/etc/environment', '/etc/zshenv', '/etc/zshrc', '/etc/zprofile'].includes(p) ||
      under('/etc/profile.d', '/etc/zsh')(p) ||
      base(/^\.(bashrc|profile|bash_profile|bash_login|bash_logout|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc|kshrc|ashrc|inputrc)$/)(p),
    class: 'persistence',
    severity: 'high',
    what: 'a shell startup file (runs at every login)',
  },
  {
    test: (p) =>
      p === '/etc/rc.local' ||
      p === '/etc/inittab' ||
      under(
        '/etc/systemd',
        '/lib/systemd/system',
        '/usr/lib/systemd/system',
        '/etc/init.d',
        '/etc/init',
        '/etc/supervisor',
        '/etc/supervisord.d',
        '/etc/xdg/autostart',
        '/etc/runit',
        '/etc/sv',
        '/etc/s6',
        '/etc/services.d',
        '/etc/cont-init.d',
      )(p) ||
      /^\/etc\/rc[0-6S]\.d\//.test(p),
    class: 'persistence',
    severity: 'high',
    what: 'a service or init definition (starts on boot or restart)',
  },
  { test: under('/etc/update-motd.d'), class: 'persistence', severity: 'medium', what: 'a login message script' },
  {
    test: base(/^\.(bash|ash|sh|zsh|python|mysql|psql|node_repl|sqlite|rediscli)_history$|^\.viminfo$|^\.lesshst$/),
    class: 'history',
    severity: 'medium',
    what: 'a command history: someone worked interactively in the container',
  },
];

/** A credential file (accounts, SSH keys, sudo and PAM rules): always kept as key evidence when it changes. */
export function isCredentialPath(path: string): boolean {
  return PATH_RULES.some((r) => r.class === 'credentials' && r.test(path));
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function owner(meta: DriftFileMeta): string {
  return meta.uid === undefined ? '?' : `${meta.uid}:${meta.gid ?? '?'}`;
}

/** Names built to confuse a listing or a terminal: control characters, bidi overrides, invalid UTF-8. */
export function hostileNameReason(path: string, pathBase64: string | undefined): string | undefined {
  const found: string[] = [];
  if (pathBase64 !== undefined) found.push('bytes that are not valid UTF-8');
  for (const ch of path) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\n') found.push('a newline');
    else if (c === 0x1b) found.push('a terminal escape (ESC)');
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) found.push(`control character \\x${c.toString(16).padStart(2, '0')}`);
    else if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f)
      found.push('a bidirectional override');
    else if (c === 0x200b || c === 0xfeff) found.push('an invisible character');
  }
  for (const part of path.split('/').slice(1)) {
    if (/^\s|\s$/.test(part)) found.push('leading or trailing spaces');
    if (/^\.{3,}$/.test(part)) found.push(`a name made of dots (${part})`);
    if (/[<>"'`]/.test(part)) found.push('markup characters');
  }
  const unique = [...new Set(found)];
  return unique.length
    ? `the name contains ${unique.join(', ')}: built to hide in listings or to inject into tools that print it`
    : undefined;
}

const SENSITIVE_TARGETS = [
  /^\/$/,
  /^\/proc(\/|$)/,
  /^\/sys(\/|$)/,
  /^\/dev(\/|$)/,
  /^\/host/,
  /^\/(var\/)?run\/(docker|containerd)/,
  /docker\.sock$/,
  /^\/etc\/(shadow|gshadow|sudoers|passwd)$/,
  /^\/root(\/|$)/,
  /^\/var\/lib\/(docker|kubelet)(\/|$)/,
  /^\/boot(\/|$)/,
];

/** Reasons for one entry, strongest first. Pure: the same facts give the same reasons. */
export function classifyEntry(input: ClassifyInput): DriftReason[] {
  const reasons: DriftReason[] = [];
  const add = (cls: DriftClass, severity: DriftSeverity, reason: string) => reasons.push({ class: cls, severity, reason });
  const { path, verdict, container, image } = input;
  const meta = container ?? image;
  const isDir = meta?.type === 'directory';
  const contentChanged = verdict === 'added' || verdict === 'content-changed' || verdict === 'type-changed';

  switch (verdict) {
    case 'added':
      add(
        'change',
        isDir ? 'info' : 'low',
        isDir
          ? 'directory created after the container started'
          : `added after the container started${container?.sha256 ? ` (sha256 ${container.sha256})` : ''}`,
      );
      break;
    case 'content-changed':
      add(
        'change',
        'low',
        input.differences.includes('link-target')
          ? `symlink retargeted: ${image?.linkTarget ?? '?'} → ${container?.linkTarget ?? '?'}`
          : `content differs from the image (sha256 ${image?.sha256 ?? '?'} → ${container?.sha256 ?? '?'})`,
      );
      break;
    case 'type-changed':
      add('change', 'medium', `was a ${image?.type ?? '?'} in the image, is now a ${container?.type ?? '?'}`);
      break;
    case 'metadata-only': {
      const parts: string[] = [];
      if (input.differences.includes('mode') && image && container) parts.push(`mode ${octal(image.mode)} → ${octal(container.mode)}`);
      if (input.differences.includes('owner') && image && container) parts.push(`owner ${owner(image)} → ${owner(container)}`);
      add('change', 'low', `metadata changed, content identical to the image: ${parts.join(', ')}`);
      break;
    }
    case 'identical':
      add(
        'change',
        'info',
        isDir
          ? 'listed because entries below it changed; its own type, mode and owner match the image'
          : 'touched but identical to the image (content, mode and owner); only its time differs',
      );
      return reasons;
    case 'deleted':
      add(
        'deleted',
        'low',
        `deleted; the image's version${image?.sha256 ? ` had sha256 ${image.sha256}` : ` was a ${image?.type ?? 'path'}`}`,
      );
      break;
    case 'vanished':
      add('change', 'low', 'listed by the engine but gone by the time it was read (changing while scanned)');
      break;
    case 'unread':
      add(
        'change',
        'info',
        "not read: the scan stopped before reaching it, or it was past the scan's archive-request limit (see the limitations)",
      );
      break;
    case 'unknown':
      add('change', 'low', 'listed by the engine; the image side could not be compared');
      break;
  }

  const name = hostileNameReason(path, input.pathBase64);
  if (name && input.change !== 'deleted') add('hostile-name', 'high', name);

  if (verdict === 'deleted') {
    classifyDeletion(input, add);
    return sortReasons(reasons);
  }

  const inTemp = TEMP_DIRS.some((d) => isUnder(path, d) && path !== d);
  const inSystem = SYSTEM_DIRS.some((d) => isUnder(path, d) && path !== d);

  // Executables: what runs is what matters most.
  if (container && (container.type === 'file' || container.type === 'hardlink') && container.executable) {
    const kind =
      container.executable === 'elf'
        ? 'ELF binary'
        : container.executable === 'script'
          ? 'script with a shebang'
          : 'file with an execute bit';
    const strong = container.executable !== 'exec-bit';
    const wasExecutable = !!image?.executable;
    if (contentChanged) {
      if (inTemp)
        add(
          'executable',
          strong ? 'critical' : 'high',
          `${kind} ${verdict === 'added' ? 'dropped' : 'changed'} in a world-writable temporary directory`,
        );
      else if (inSystem)
        add(
          'executable',
          strong ? 'critical' : 'high',
          verdict === 'added' ? `new ${kind} in a system path` : `${kind} in a system path replaced (not the image's)`,
        );
      else add('executable', strong ? 'high' : 'medium', verdict === 'added' ? `new ${kind}` : `${kind} changed`);
    } else if (verdict === 'metadata-only' && !wasExecutable && (container.mode & 0o111) !== 0) {
      add(
        'executable',
        inTemp || inSystem ? 'high' : 'medium',
        `execute permission added (${octal(image?.mode ?? 0)} → ${octal(container.mode)})`,
      );
    }
    if (contentChanged && looksLikeLibrary(path) && LIBRARY_DIRS.some((d) => isUnder(path, d)))
      add('library', 'high', `shared library ${verdict === 'added' ? 'added to' : 'replaced in'} a library directory`);
  } else if (container && contentChanged && looksLikeLibrary(path) && LIBRARY_DIRS.some((d) => isUnder(path, d))) {
    add('library', 'high', `shared library ${verdict === 'added' ? 'added to' : 'replaced in'} a library directory`);
  }

  // setuid / setgid newly present.
  if (container && container.type === 'file') {
    const newly = (bit: number) => (container.mode & bit) !== 0 && ((image?.mode ?? 0) & bit) === 0;
    const bits = [newly(0o4000) ? 'setuid' : '', newly(0o2000) ? 'setgid' : ''].filter(Boolean);
    if (bits.length)
      add(
        'setuid',
        'critical',
        `${bits.join(' and ')} bit set (${octal(container.mode)}, owner ${owner(container)}): runs with its owner's rights for any user${container.uid === 0 ? ' — root' : ''}`,
      );
  }

  if (container && (container.type === 'char-device' || container.type === 'block-device') && contentChanged)
    add('persistence', 'high', `${container.type} node created inside the container`);
  if (container && container.type === 'fifo' && verdict === 'added')
    add('temp', inTemp ? 'medium' : 'low', 'named pipe created (reverse shells often pipe through one)');

  // Package databases.
  if (isPackageDatabase(path) || RPM_DATABASE.test(path)) {
    add(
      'package-db',
      'medium',
      RPM_DATABASE.test(path)
        ? 'rpm database changed: packages were installed, removed or upgraded (the binary database is not itemised)'
        : 'package database changed: packages were installed, removed or upgraded (listed under packages)',
    );
  } else if (isUnder(path, '/var/lib/dpkg') || isUnder(path, '/lib/apk/db') || isUnder(path, '/var/lib/rpm')) {
    add('package-db', 'low', 'package manager bookkeeping');
  }

  // Credential and persistence locations.
  if (verdict !== 'metadata-only' || input.differences.includes('mode') || input.differences.includes('owner')) {
    const rule = PATH_RULES.find((r) => r.test(path));
    if (rule && !(isDir && rule.class !== 'persistence')) {
      const detail = accountDetail(input);
      const severity = detail?.severity ?? rule.severity;
      add(
        rule.class,
        verdict === 'metadata-only' ? lower(severity) : severity,
        `${verdict === 'added' ? 'created' : verdict === 'metadata-only' ? 'permissions changed on' : 'changed'}: ${rule.what}${detail ? ` — ${detail.text}` : ''}`,
      );
    }
  }

  // Web content.
  const webRoot = WEB_ROOTS.find((d) => isUnder(path, d) && path !== d) ?? (/\/public_html\//.test(path) ? 'public_html' : undefined);
  if (webRoot && contentChanged && !isDir) {
    if (WEB_SCRIPT.test(path))
      add(
        'web-root',
        'critical',
        `server-side script ${verdict === 'added' ? 'added to' : 'changed in'} the web root ${webRoot}: a possible web shell`,
      );
    else add('web-root', 'medium', `web content ${verdict === 'added' ? 'added to' : 'changed in'} ${webRoot}`);
  }

  // Hidden names (dotfiles already explained above keep their own reason).
  const parts = path.split('/').slice(1);
  const hiddenAt = parts.findIndex((p) => p.startsWith('.') && p !== '.' && p !== '..');
  if (
    hiddenAt >= 0 &&
    verdict === 'added' &&
    !reasons.some((r) => r.class === 'persistence' || r.class === 'history' || r.class === 'credentials')
  ) {
    const hiddenDir = hiddenAt < parts.length - 1;
    add(
      'hidden',
      inTemp ? 'high' : 'medium',
      `${hiddenDir ? 'inside a hidden directory' : isDir ? 'hidden directory' : 'hidden file'}${inTemp ? ' in a temporary directory' : ''}`,
    );
  }

  if (inTemp && verdict === 'added' && !reasons.some((r) => r.class === 'executable'))
    add('temp', 'low', 'written to a world-writable temporary directory');

  // Symlinks pointing out of the expected tree.
  if (container?.type === 'symlink' && contentChanged && container.linkTarget?.startsWith('/')) {
    const target = container.linkTarget;
    const sensitive = SENSITIVE_TARGETS.some((re) => re.test(target));
    add(
      'symlink',
      sensitive ? 'high' : 'medium',
      `absolute symlink to ${target}: resolves inside the container, but a host-side tool following it without the container's root would read the host's ${target}`,
    );
  }

  // Everything else under /etc is configuration.
  if (
    isUnder(path, '/etc') &&
    path !== '/etc' &&
    !isDir &&
    (contentChanged || verdict === 'metadata-only') &&
    !reasons.some((r) => r.class !== 'change' && r.class !== 'hostile-name')
  ) {
    add('config', verdict === 'metadata-only' ? 'low' : 'medium', `system configuration ${verdict === 'added' ? 'added' : 'changed'}`);
  }
  return sortReasons(reasons);
}

function classifyDeletion(input: ClassifyInput, add: (cls: DriftClass, severity: DriftSeverity, reason: string) => void): void {
  const { path, image } = input;
  if (image?.executable && image.executable !== 'exec-bit' && SYSTEM_DIRS.some((d) => isUnder(path, d)))
    add('deleted', 'high', 'a system executable removed from the image (a tool taken away, or about to be replaced)');
  else if (image?.type === 'symlink' && SYSTEM_DIRS.some((d) => isUnder(path, d)))
    add('deleted', 'medium', `a command removed from a system path (a link to ${image.linkTarget ?? '?'})`);
  else if (isUnder(path, '/var/log') && image?.type === 'file') add('deleted', 'medium', 'a log file deleted (possible anti-forensics)');
  const rule = PATH_RULES.find((r) => r.test(path));
  if (rule && image?.type !== 'directory') add(rule.class, 'medium', `deleted: ${rule.what}`);
}

function lower(severity: DriftSeverity): DriftSeverity {
  const order: DriftSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];
  return order[Math.min(order.length - 1, order.indexOf(severity) + 1)] as DriftSeverity;
}

const RANK: Record<DriftSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

function sortReasons(reasons: DriftReason[]): DriftReason[] {
  return reasons.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}

/** For the account files: who was added, removed or made root. */
function accountDetail(input: ClassifyInput): { severity: DriftSeverity; text: string } | undefined {
  const file = accountFileOf(input.path);
  if (!file || !input.containerText) return undefined;
  const after = input.containerText.toString('utf8');
  if (!input.imageText) {
    if (file === 'group') {
      const members = [...privilegedMembers(after)].filter(([, m]) => m.length).map(([g, m]) => `${g}: ${m.join(',')}`);
      return members.length ? { severity: 'high', text: `privileged groups: ${members.join('; ')}` } : undefined;
    }
    return undefined;
  }
  const changes = diffAccounts(file, input.imageText.toString('utf8'), after);
  const parts: string[] = [];
  if (changes.added.length) parts.push(`added ${changes.added.join(', ')}`);
  if (changes.removed.length) parts.push(`removed ${changes.removed.join(', ')}`);
  if (changes.changed.length) parts.push(`changed ${changes.changed.join(', ')}`);
  if (changes.root.length) parts.push(`now ${file === 'group' ? 'gid' : 'uid'} 0: ${changes.root.join(', ')}`);
  if (file === 'group') {
    const before = privilegedMembers(input.imageText.toString('utf8'));
    const gained = [...privilegedMembers(after)].flatMap(([g, m]) =>
      m.filter((x) => !(before.get(g) ?? []).includes(x)).map((x) => `${x} → ${g}`),
    );
    if (gained.length) {
      parts.push(`joined privileged groups: ${gained.join(', ')}`);
      return { severity: 'critical', text: parts.join('; ') };
    }
  }
  if (!parts.length) return undefined;
  const severity: DriftSeverity = changes.root.length ? 'critical' : 'high';
  return { severity, text: parts.join('; ') };
}
