import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { EventName } from '../../../shared/contract';
import type { Clock } from '../../../main/core/clock';
import { EventHub } from '../../../main/core/event-hub';
import { EvidenceService } from '../../../main/core/evidence/evidence-service';
import { ExaminerIdentity } from '../../../main/core/examiner';
import { evidenceSchema } from '../../../main/core/evidence/schema';
import { openDatabase, type Db } from '../../../main/core/store/database';
import type { NewArtifact } from '../../../main/core/evidence/port';

/** A clock that moves one second per reading, so every timestamp is distinct and predictable. */
export function tickingClock(start = Date.UTC(2025, 0, 1)): Clock {
  let t = start;
  return {
    now: () => {
      const d = new Date(t);
      t += 1000;
      return d;
    },
  };
}

export interface TestStore {
  dir: string;
  db: Db;
  events: EventHub;
  seen: { event: EventName; payload: unknown }[];
  evidence: EvidenceService;
  /** Closes the service and the database (the directory stays). */
  close(): void;
  /** Closes and deletes the directory. */
  dispose(): void;
}

export function tempDir(prefix = 'drydock-evidence-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function openStore(dir = tempDir(), examiner: string | undefined = 'examiner-a', clock: Clock = tickingClock()): TestStore {
  const db = openDatabase(dir, [evidenceSchema]);
  const events = new EventHub();
  const seen: TestStore['seen'] = [];
  events.subscribe((event, payload) => seen.push({ event, payload }));
  const evidence = new EvidenceService({ db, storeDir: dir, clock, examiner: new ExaminerIdentity(examiner), events });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    evidence.close();
    db.close();
  };
  return {
    dir,
    db,
    events,
    seen,
    evidence,
    close,
    dispose() {
      close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function meta(caseId: string, over: Partial<NewArtifact> = {}): NewArtifact {
  return {
    caseId,
    kind: 'container-file',
    source: { host: 'lab', containerId: 'c0ffee000000', containerName: 'web', path: '/etc/passwd' },
    method: 'test stream',
    mediaType: 'application/octet-stream',
    ...over,
  };
}

/** A deterministic pseudo-random stream of `size` bytes in chunks of `chunk` bytes. */
export function generated(size: number, chunk = 64 * 1024, seed = 1): Readable {
  let sent = 0;
  let x = seed >>> 0 || 1;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, size - sent);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i + 4 <= n; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        buf.writeUInt32LE(x >>> 0, i);
      }
      for (let i = n - (n % 4); i < n; i++) buf[i] = i & 0xff;
      sent += n;
      this.push(buf);
    },
  });
}

/** Sends `bytes` then fails, as a dropped connection does. */
export function failingAfter(bytes: Buffer, message: string): Readable {
  let done = false;
  return new Readable({
    read() {
      if (!done) {
        done = true;
        this.push(bytes);
        return;
      }
      this.destroy(new Error(message));
    },
  });
}

export async function readAllBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
