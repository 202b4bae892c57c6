import type { Readable } from 'node:stream';
import type { ArtifactInfo, ArtifactKind, ArtifactSource } from '../../../shared/domain/evidence';

// The slice of the evidence service that captures and process snapshots use. Kept as an
// interface so these capabilities name exactly what they rely on; core.ts passes the real service.

export interface NewArtifact {
  caseId: string;
  kind: ArtifactKind;
  source: ArtifactSource;
  method: string;
  mediaType: string;
  attributes?: Record<string, unknown>;
}

export interface ArtifactWriterPort {
  /** Bytes accepted so far. */
  readonly bytes: number;
  /**
   * Resolves when the chunk is on its way to disk: awaiting it is the backpressure. The chunk is
   * copied (and hashed from the copy) before write() returns, so the caller may reuse its buffer.
   */
  write(chunk: Buffer): Promise<void> | void;
  finish(extraAttributes?: Record<string, unknown>): Promise<ArtifactInfo>;
  /** Keeps every byte written so far, stored as 'incomplete' with the reason. */
  abandon(reason: string, extraAttributes?: Record<string, unknown>): Promise<ArtifactInfo>;
}

export interface EvidencePort {
  /** The case to write into; for an acquisition from `acquisition.host` with no open case, an ad-hoc case is opened. */
  resolveWritableCase(ref?: string, acquisition?: { host: string }): { id: string; name: string } | Promise<{ id: string; name: string }>;
  openWriter(meta: NewArtifact): ArtifactWriterPort | Promise<ArtifactWriterPort>;
  ingestJson(meta: NewArtifact, value: unknown): ArtifactInfo | Promise<ArtifactInfo>;
  openArtifact(id: string): Readable | Promise<Readable>;
  getArtifact(id: string): ArtifactInfo | undefined | Promise<ArtifactInfo | undefined>;
  exportArtifact(id: string, target: string): Promise<{ path: string; bytes: number; sha256: string }>;
  audit(action: string, details: Record<string, unknown>, caseId?: string): void;
}
