import type Dockerode from 'dockerode';
import { extract } from 'tar-stream';

const MAX_PASSWD_BYTES = 1024 * 1024;

/** UID → user name from passwd text. Later duplicates do not override the first, as in getpwuid. */
export function parsePasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const name = fields[0];
    const uid = fields[2];
    if (!name || uid === undefined || !/^\d{1,10}$/.test(uid) || users.has(uid)) continue;
    users.set(uid, name.slice(0, 64));
  }
  return users;
}

/**
 * Reads the container's own /etc/passwd through the engine's archive endpoint (a read of the
 * container's filesystem by the daemon: nothing runs inside the container). The file is hostile:
 * only a regular file is read, at most 1 MiB, and a symlink is not followed. Any failure gives an
 * empty map: names are a convenience, the numeric UID is the evidence.
 */
export async function readContainerUsers(container: Dockerode.Container): Promise<Map<string, string>> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await container.getArchive({ path: '/etc/passwd' });
  } catch {
    // No readable /etc/passwd (scratch, distroless, a stopped layer): processes are shown by UID alone.
    return new Map();
  }
  return new Promise((resolve) => {
    const parser = extract();
    let text: string | null = null;
    const done = () => resolve(text === null ? new Map() : parsePasswd(text));
    // The archive of one file holds one entry: whatever an engine sends after it (a 10 GiB entry, a
    // stream that never ends) is not read.
    const stop = () => {
      done();
      (archive as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      parser.destroy();
    };
    parser.on('entry', (header, stream) => {
      if (header.type !== 'file' || (header.size ?? 0) > MAX_PASSWD_BYTES) return stop();
      const parts: Buffer[] = [];
      stream.on('data', (chunk: unknown) => {
        if (Buffer.isBuffer(chunk)) parts.push(chunk);
      });
      stream.on('end', () => {
        text = Buffer.concat(parts).toString('utf8');
        stop();
      });
    });
    parser.on('finish', done);
    parser.on('error', () => resolve(new Map()));
    archive.on('error', () => parser.destroy());
    archive.pipe(parser);
  });
}
