import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { safeFilename, saveRequest, type SavedFile } from '../../shared/contract/save';
import type { Result } from '../../shared/result';
import { describeIssues, type Dispatch } from '../app/dispatch';

/** A prepared download lives this long (ms) and is served once. */
const DOWNLOAD_TTL_MS = 60_000;
/** The download URL's one-time token: 32 random bytes, hex. */
const DOWNLOAD_TOKEN = /^[0-9a-f]{64}$/;

interface Prepared {
  file: string;
  filename: string;
  bytes: number;
  timer: NodeJS.Timeout;
}

export interface Downloads {
  /**
   * Exports what `body` names (see `saveRequest`: an artifact or a case bundle) through the
   * store's own audited export into the bridge's private temporary directory, and returns the
   * one-time URL path (`/api/download/<64 hex>`) the browser fetches it from within 60 s.
   * Errors are values: 'invalid-input' for a bad body, else whatever the export raised.
   */
  prepare(body: unknown): Promise<Result<SavedFile & { url: string }>>;
  /**
   * Answers GET /api/download/<token>: the file as an attachment under its sanitised name, then
   * forgets and deletes it. Returns false (nothing written) for an unknown, used or expired token.
   */
  serve(token: string, res: ServerResponse, headers: Record<string, string>): Promise<boolean>;
  /** Deletes every prepared file and the directory. */
  close(): Promise<void>;
}

/**
 * Files out of the browser UI: the token-protected API prepares an export, a short-lived
 * single-use URL hands it to the browser's download manager (a plain link cannot carry the
 * bearer token, so the URL's own random token is the credential, valid once for 60 s).
 */
export async function createDownloads(dispatch: Dispatch): Promise<Downloads> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'drydock-downloads-'));
  await fs.chmod(dir, 0o700);
  const prepared = new Map<string, Prepared>();

  const forget = (token: string) => {
    const entry = prepared.get(token);
    if (!entry) return;
    prepared.delete(token);
    clearTimeout(entry.timer);
    void fs.rm(entry.file, { force: true });
  };

  return {
    async prepare(body) {
      const parsed = saveRequest.safeParse(body ?? {});
      if (!parsed.success)
        return { ok: false, error: { kind: 'invalid-input', message: `Invalid save request: ${describeIssues(parsed.error)}` } };
      const request = parsed.data;
      const token = randomBytes(32).toString('hex');
      const file = path.join(dir, token);
      const result =
        request.kind === 'artifact'
          ? await dispatch('evidence.export-artifact', { artifactId: request.artifactId, path: file })
          : await dispatch('evidence.export-bundle', {
              path: file,
              ...(request.caseRef !== undefined ? { caseRef: request.caseRef } : {}),
            });
      if (!result.ok) {
        await fs.rm(file, { force: true });
        return result;
      }
      const exported = result.value as { bytes: number; sha256: string };
      const filename = safeFilename(request.filename, request.kind);
      const timer = setTimeout(() => forget(token), DOWNLOAD_TTL_MS);
      timer.unref();
      prepared.set(token, { file, filename, bytes: exported.bytes, timer });
      return { ok: true, value: { url: `/api/download/${token}`, filename, bytes: exported.bytes, sha256: exported.sha256 } };
    },

    async serve(token, res, headers) {
      const entry = DOWNLOAD_TOKEN.test(token) ? prepared.get(token) : undefined;
      if (!entry) return false;
      prepared.delete(token);
      clearTimeout(entry.timer);
      res.writeHead(200, {
        ...headers,
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${entry.filename}"`,
        'Content-Length': String(entry.bytes),
      });
      await new Promise<void>((resolve) => {
        const stream = createReadStream(entry.file);
        stream.on('error', () => {
          res.destroy();
          resolve();
        });
        res.on('close', () => resolve());
        stream.pipe(res);
      });
      await fs.rm(entry.file, { force: true });
      return true;
    },

    async close() {
      for (const token of [...prepared.keys()]) forget(token);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
