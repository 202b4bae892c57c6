import type { DriftClass, DriftSeverity, NoiseRule } from '../../../shared/domain/drift';

// Known noise (what running software writes: pid files, caches, logs) is demoted, never dropped:
// the entry stays in the report with the rule that lowered it. Deletions are never demoted (a
// deleted log is a finding), nor, unless a rule says so, executables, setuid files and hostile
// names.

export const DEFAULT_NOISE_RULES: readonly NoiseRule[] = [
  {
    id: 'pid-files',
    pattern: '**/*.pid',
    demoteTo: 'info',
    description: 'pid files written by running services',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'run-dirs',
    pattern: '/run/**',
    demoteTo: 'low',
    description: 'runtime state (sockets, locks)',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'var-run',
    pattern: '/var/run/**',
    demoteTo: 'low',
    description: 'runtime state (sockets, locks)',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'logs',
    pattern: '/var/log/**',
    demoteTo: 'low',
    description: 'logs written by running services',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'var-cache',
    pattern: '/var/cache/**',
    demoteTo: 'info',
    description: 'package and application caches',
    enabled: true,
    includeExecutables: false,
  },
  { id: 'home-cache', pattern: '**/.cache/**', demoteTo: 'info', description: 'per-user caches', enabled: true, includeExecutables: false },
  {
    id: 'pycache',
    pattern: '**/__pycache__/**',
    demoteTo: 'info',
    description: 'Python bytecode caches',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'apt-lists',
    pattern: '/var/lib/apt/lists/**',
    demoteTo: 'info',
    description: 'apt package indexes (apt-get update)',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'dpkg-bookkeeping',
    pattern: '/var/lib/dpkg/*-old',
    demoteTo: 'info',
    description: 'dpkg backup copies',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'dpkg-locks',
    pattern: '/var/lib/dpkg/lock*',
    demoteTo: 'info',
    description: 'dpkg locks',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'dpkg-triggers',
    pattern: '/var/lib/dpkg/triggers/**',
    demoteTo: 'info',
    description: 'dpkg trigger state',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'ld-cache',
    pattern: '/etc/ld.so.cache',
    demoteTo: 'low',
    description: 'rebuilt by ldconfig after installs',
    enabled: true,
    includeExecutables: false,
  },
  {
    id: 'x11-sockets',
    pattern: '/tmp/.X11-unix/**',
    demoteTo: 'info',
    description: 'X11 sockets',
    enabled: true,
    includeExecutables: false,
  },
];

const PROTECTED: readonly DriftClass[] = ['executable', 'setuid', 'hostile-name', 'library'];

const compiled = new Map<string, RegExp>();

/** Glob to RegExp: ** spans directories, * and ? stay within one name; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*' && pattern[i + 1] === '*') {
      // "**/" also matches no directory at all.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`${out}$`, 's');
  compiled.set(pattern, re);
  return re;
}

export function matchesRule(rule: NoiseRule, path: string): boolean {
  return rule.enabled && globToRegExp(rule.pattern).test(path);
}

const RANK: Record<DriftSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** The severity after the first matching rule, and which rule lowered it. */
export function applyNoiseRules(
  rules: readonly NoiseRule[],
  entry: { path: string; change: 'added' | 'modified' | 'deleted'; severity: DriftSeverity; classes: readonly DriftClass[] },
): { severity: DriftSeverity; demoted?: { ruleId: string; from: DriftSeverity } } {
  if (entry.change === 'deleted') return { severity: entry.severity };
  for (const rule of rules) {
    if (!matchesRule(rule, entry.path)) continue;
    if (!rule.includeExecutables && entry.classes.some((c) => PROTECTED.includes(c))) return { severity: entry.severity };
    if (RANK[entry.severity] <= RANK[rule.demoteTo]) return { severity: entry.severity };
    return { severity: rule.demoteTo, demoted: { ruleId: rule.id, from: entry.severity } };
  }
  return { severity: entry.severity };
}
