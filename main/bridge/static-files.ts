import { createReadStream, promises as fs } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Serves the built renderer. Only files under `root` with a known type; the URL path is decoded
 * once, normalised and checked to stay inside root, so `..` and encoded tricks go nowhere.
 */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    // A malformed %-escape names no file: answered as one, not a bug.
    return notFound(res);
  }
  if (decoded.includes('\0')) return notFound(res);
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return notFound(res);
  const type = TYPES[path.extname(file).toLowerCase()];
  if (!type) return notFound(res);
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    // No such file (or not readable): a 404, as for any path outside the build.
    return notFound(res);
  }
  if (!stat.isFile()) return notFound(res);
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(stat.size) });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('not found');
}
