// /etc/passwd, /etc/group and /etc/shadow compared line by line, so a reason can say which account
// was added or given uid 0 instead of "the file changed". Secrets (password hashes) never leave
// here: only names and ids do.

export interface AccountChanges {
  added: string[];
  removed: string[];
  /** Accounts that now have uid 0 (or gid 0 for groups) and did not before. */
  root: string[];
  /** Accounts whose line changed otherwise (shell, home, password, members). */
  changed: string[];
}

type AccountFile = 'passwd' | 'group' | 'shadow' | 'gshadow';

export function accountFileOf(path: string): AccountFile | undefined {
  const match = /^\/etc\/(passwd|group|shadow|gshadow)$/.exec(path);
  return match?.[1] as AccountFile | undefined;
}

function entries(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const fields = line.split(':');
    const name = fields[0] ?? '';
    if (name) out.set(name, fields);
  }
  return out;
}

export function diffAccounts(file: AccountFile, before: string, after: string): AccountChanges {
  const old = entries(before);
  const now = entries(after);
  const changes: AccountChanges = { added: [], removed: [], root: [], changed: [] };
  const idField = file === 'passwd' || file === 'group' ? 2 : -1;
  for (const [name, fields] of now) {
    const was = old.get(name);
    if (!was) changes.added.push(name);
    else if (was.join(':') !== fields.join(':')) changes.changed.push(name);
    if (idField >= 0 && fields[idField] === '0' && was?.[idField] !== '0') changes.root.push(name);
  }
  for (const name of old.keys()) if (!now.has(name)) changes.removed.push(name);
  return changes;
}

/** Members of privileged groups in a group file (who can become root). */
export function privilegedMembers(groupText: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, fields] of entries(groupText)) {
    if (!['root', 'sudo', 'wheel', 'admin', 'docker', 'adm', 'shadow', 'disk'].includes(name)) continue;
    out.set(name, (fields[3] ?? '').split(',').filter(Boolean));
  }
  return out;
}
