import type { ConfigDrift, DriftSeverity } from '../../../shared/domain/drift';

// The container's configuration against the image's: what the person who ran it changed. Values
// of secret-looking variables never leave here; only their length does.

export interface ConfigFacts {
  Entrypoint?: string[] | string | null;
  Cmd?: string[] | string | null;
  User?: string;
  WorkingDir?: string;
  Env?: string[] | null;
  ExposedPorts?: Record<string, unknown> | null;
  Healthcheck?: { Test?: string[] | null; Interval?: number; Timeout?: number; Retries?: number } | null;
}

const SECRET_KEY =
  /(pass(word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|private|credential|auth|session|cookie|salt|signing|(^|_)key$|^key|dsn|conn(ection)?[_-]?str)/i;
const SECRET_VALUE = [
  /AKIA[0-9A-Z]{16}/,
  /gh[pousr]_[A-Za-z0-9]{20,}/,
  /xox[abpr]-[A-Za-z0-9-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[A-Za-z0-9+/=_-]{40,}$/,
  /:\/\/[^/\s:@]+:[^/\s@]+@/,
];

export function looksSecret(key: string, value: string): boolean {
  return SECRET_KEY.test(key) || SECRET_VALUE.some((re) => re.test(value));
}

export function maskValue(value: string): string {
  return `•••••• (${[...value].length} characters, masked)`;
}

function list(value: string[] | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return JSON.stringify(Array.isArray(value) ? value : [value]);
}

function envMap(env: string[] | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of env ?? []) {
    const eq = item.indexOf('=');
    if (eq > 0) out.set(item.slice(0, eq), item.slice(eq + 1));
    else out.set(item, '');
  }
  return out;
}

function isRoot(user: string | undefined): boolean {
  const name = (user ?? '').split(':')[0]?.trim() ?? '';
  return name === '' || name === '0' || name === 'root';
}

export function configDrift(image: ConfigFacts, container: ConfigFacts): ConfigDrift[] {
  const out: ConfigDrift[] = [];
  const add = (item: ConfigDrift) => out.push(item);
  const entrypoint = [list(image.Entrypoint), list(container.Entrypoint)] as const;
  if (entrypoint[0] !== entrypoint[1])
    add({
      field: 'entrypoint',
      image: entrypoint[0],
      container: entrypoint[1],
      severity: 'medium',
      reason: 'entrypoint overridden when the container was created: a different program runs as PID 1',
    });
  const cmd = [list(image.Cmd), list(container.Cmd)] as const;
  if (cmd[0] !== cmd[1])
    add({ field: 'cmd', image: cmd[0], container: cmd[1], severity: 'low', reason: "command differs from the image's default" });
  const imageUser = image.User ?? '';
  const containerUser = container.User ?? '';
  if (imageUser !== containerUser) {
    const toRoot = isRoot(containerUser) && !isRoot(imageUser);
    add({
      field: 'user',
      image: imageUser || null,
      container: containerUser || null,
      severity: toRoot ? 'high' : 'medium',
      reason: toRoot ? `runs as root although the image declares user ${imageUser}` : 'runs as a different user than the image declares',
    });
  }
  if ((image.WorkingDir ?? '') !== (container.WorkingDir ?? ''))
    add({
      field: 'workdir',
      image: image.WorkingDir || null,
      container: container.WorkingDir || null,
      severity: 'low',
      reason: 'working directory differs from the image',
    });

  const before = envMap(image.Env);
  for (const [key, value] of envMap(container.Env)) {
    const was = before.get(key);
    if (was === value) continue;
    const secret = looksSecret(key, value) || (was !== undefined && looksSecret(key, was));
    let severity: DriftSeverity = secret ? 'medium' : 'low';
    let reason = was === undefined ? 'environment variable added at run time' : 'environment variable changed from the image';
    if (/^(LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT)$/.test(key)) {
      severity = 'high';
      reason = `${key} set: the dynamic linker loads code from it into every program`;
    } else if (key === 'PATH' && was !== undefined) {
      severity = 'medium';
      reason = 'PATH changed: programs may be found in other directories than the image intended';
    } else if (secret) reason += ' (looks like a secret: value masked)';
    add({
      field: 'env',
      key,
      image: was === undefined ? null : secret ? maskValue(was) : was,
      container: secret ? maskValue(value) : value,
      ...(secret ? { masked: true } : {}),
      severity,
      reason,
    });
  }

  const imagePorts = new Set(Object.keys(image.ExposedPorts ?? {}));
  for (const port of Object.keys(container.ExposedPorts ?? {})) {
    if (!imagePorts.has(port))
      add({
        field: 'exposed-ports',
        key: port,
        image: null,
        container: port,
        severity: 'low',
        reason: 'port exposed at run time, not by the image',
      });
  }

  const hc = [
    image.Healthcheck ? JSON.stringify(image.Healthcheck) : null,
    container.Healthcheck ? JSON.stringify(container.Healthcheck) : null,
  ] as const;
  if (hc[0] !== hc[1]) {
    const disabled = container.Healthcheck?.Test?.[0] === 'NONE';
    add({
      field: 'healthcheck',
      image: hc[0],
      container: hc[1],
      severity: disabled ? 'medium' : 'low',
      reason: disabled ? "the image's healthcheck is disabled" : 'healthcheck differs from the image',
    });
  }
  return out;
}
