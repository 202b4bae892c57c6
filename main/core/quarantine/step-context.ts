import type Dockerode from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import type { QuarantineRecord } from '../../../shared/domain/quarantine';
import type { Readable } from 'node:stream';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { NewArtifact } from '../evidence/port';
import type { HelperLedger } from '../helper/ledger';
import type { DrydockFailure } from '../errors';
import type { KeyedLock } from './keyed-lock';

/** Where a step stands, for the test hook that simulates a crash at that exact point. */
export interface Checkpoint {
  phase: 'apply' | 'release';
  step: string;
  point: string;
}

export interface QuarantineHooks {
  /** Called after each engine action; throwing here leaves the record as a crash would. */
  checkpoint?(at: Checkpoint): void | Promise<void>;
}

export interface StepOutcome {
  state: 'done' | 'skipped';
  /** What the step did, from the engine's answers; a skipped step says "skipped: " and why. */
  detail: string;
  /** Machine-readable facts for the step's audit entry (image ID, artifact, mounts left out...). */
  facts?: Record<string, unknown>;
  /** Audit entries of checks made after acting, written after the step's own entry (in the order they happened). */
  afterwards?: { action: string; details: Record<string, unknown> }[];
}

/** What every step gets: the engine, the record (saved after each mark) and the crash hook. */
export interface StepContext {
  docker: Dockerode;
  host: string;
  record: QuarantineRecord;
  /** Persists the record now. */
  save(): void;
  inspect(): Promise<ContainerInspectInfo>;
  /** Runs an engine call; failures name the host, the container and the action. */
  engine<T>(action: string, run: () => Promise<T>): Promise<T>;
  failure(kind: DrydockFailure['kind'], message: string, detail?: string): DrydockFailure;
  /** Audits an action on the host that is not a step of its own (e.g. the quarantine network created). */
  audit(action: string, details: Record<string, unknown>): void;
  checkpoint(step: string, point: string): Promise<void>;
  /** Drydock's record of its helper containers (the snapshot's export container is one). */
  helpers: HelperLedger;
  /** The helper image on this host (loaded from the bundle when missing), for the packet-filter helper. */
  helperImage(): Promise<string>;
  /** Serialises quarantine-network create/remove per host. */
  hostLock: KeyedLock;
  networkName: string;
  now(): string;
}

/** The slice of the evidence service a snapshot needs. */
export interface SnapshotEvidence {
  ingest(meta: NewArtifact, stream: Readable): Promise<ArtifactInfo>;
  getArtifact(id: string): ArtifactInfo | undefined | Promise<ArtifactInfo | undefined>;
}
