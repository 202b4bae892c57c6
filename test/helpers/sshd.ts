// A throwaway sshd on loopback that accepts one generated key for root: the ssh:// transport is
// tested against a real OpenSSH server and the real `docker system dial-stdio` on the far side.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from './wait';

export interface TestSshd {
  port: number;
  url: string;
  keyFile: string;
  /** A key the server does not know. */
  wrongKeyFile: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync('/tmp/drydock-sshd-');
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'pipe' });
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  keygen(path.join(dir, 'wrong_key'));
  execFileSync('cp', [path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys')]);
  const port = await freePort();
  mkdirSync('/run/sshd', { recursive: true });
  writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `SetEnv PATH=${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`sshd exited (code ${child.exitCode})`);
        return new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
      },
      { what: `sshd to listen on 127.0.0.1:${port}`, timeoutMs: 15_000 },
    );
  } catch (err) {
    throw new Error(`sshd did not start (${(err as Error).message}):\n${log}`);
  }
  return {
    port,
    url: `ssh://root@127.0.0.1:${port}`,
    keyFile: path.join(dir, 'client_key'),
    wrongKeyFile: path.join(dir, 'wrong_key'),
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
