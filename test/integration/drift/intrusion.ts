// A fixture intrusion, done the way an intruder would: shell commands run inside the container
// through `docker exec`. The same list on the Debian and the busybox fixture images, with the
// paths each image allows.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docker } from '../../helpers/docker';

export const HOSTILE_NAMES = {
  newline: '/tmp/new\nline',
  html: '/tmp/<img src=x onerror=alert(1)>',
  escape: '/tmp/\u001b[31mred\u001b]0;pwned\u0007',
  /** Not valid UTF-8: the engine's JSON shows it as U+FFFD, the archive keeps the bytes. */
  invalidUtf8: Buffer.concat([Buffer.from('/tmp/'), Buffer.from([0xff, 0xfe]), Buffer.from('bad')]),
};

export interface IntrusionPaths {
  dropped: string;
  cron: string;
  config: string;
  reverted: string;
  deleted: string;
  setuid: string;
}

export const DEBIAN_PATHS: IntrusionPaths = {
  dropped: '/tmp/.x',
  cron: '/etc/cron.d/backdoor',
  config: '/etc/issue',
  reverted: '/etc/shells',
  deleted: '/usr/bin/who',
  setuid: '/usr/bin/env',
};

export const BUSYBOX_PATHS: IntrusionPaths = {
  dropped: '/tmp/.x',
  cron: '/var/spool/cron/crontabs/root',
  config: '/etc/nsswitch.conf',
  reverted: '/etc/group',
  deleted: '/bin/wget',
  setuid: '/bin/busybox',
};

/** Octal escapes for printf: both dash and busybox printf understand \NNN. */
function printfLiteral(bytes: Buffer): string {
  return [...bytes]
    .map((b) =>
      b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c && b !== 0x25 ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`,
    )
    .join('');
}

export function intrusionScript(paths: IntrusionPaths, executable: string): string {
  const names = [HOSTILE_NAMES.newline, HOSTILE_NAMES.html, HOSTILE_NAMES.escape].map((n) => Buffer.from(n, 'utf8'));
  names.push(HOSTILE_NAMES.invalidUtf8);
  return [
    'set -e',
    `cp ${executable} ${paths.dropped}`,
    `chmod 755 ${paths.dropped}`,
    "echo 'evil:x:0:0::/root:/bin/sh' >> /etc/passwd",
    'mkdir -p /root/.ssh',
    "echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrydockTestKey intruder' > /root/.ssh/authorized_keys",
    `mkdir -p ${path.posix.dirname(paths.cron)}`,
    `echo '* * * * * root ${paths.dropped}' > ${paths.cron}`,
    `echo 'tampered by the intruder' >> ${paths.config}`,
    `cp ${paths.reverted} /tmp/keep && echo extra >> ${paths.reverted} && cat /tmp/keep > ${paths.reverted} && rm /tmp/keep`,
    `rm ${paths.deleted}`,
    `chmod u+s ${paths.setuid}`,
    ...names.map((n) => `printf x > "$(printf '${printfLiteral(n)}')"`),
    'ln -s /etc/shadow /tmp/lnk',
  ].join('\n');
}

export function intrude(containerId: string, paths: IntrusionPaths, executable: string): void {
  docker(['exec', containerId, 'sh', '-c', intrusionScript(paths, executable)]);
}

/** A real .deb, built here with dpkg-deb, copied in and installed with dpkg -i. */
export function installTinyDeb(containerId: string): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'drydock-deb-'));
  try {
    const root = path.join(dir, 'pkg');
    mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
    mkdirSync(path.join(root, 'usr', 'bin'), { recursive: true });
    writeFileSync(
      path.join(root, 'DEBIAN', 'control'),
      'Package: drydock-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: Drydock tests <tests@example.invalid>\nDescription: a package planted by the drift tests\n',
    );
    writeFileSync(path.join(root, 'usr', 'bin', 'drydock-hello'), '#!/bin/sh\necho hello from a planted package\n');
    chmodSync(path.join(root, 'usr', 'bin', 'drydock-hello'), 0o755);
    const deb = path.join(dir, 'drydock-hello.deb');
    execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, deb], { stdio: 'pipe' });
    docker(['cp', deb, `${containerId}:/root/drydock-hello.deb`]);
    docker(['exec', containerId, 'dpkg', '-i', '/root/drydock-hello.deb']);
    docker(['exec', containerId, 'rm', '/root/drydock-hello.deb']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
