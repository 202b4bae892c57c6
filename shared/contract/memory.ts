import { z } from 'zod';
import type { CheckpointResult } from '../domain/checkpoint';
import type { MemoryAcquireResult, MemoryProgressEvent, ProcessDetailReport, StringsPage } from '../domain/memory';
import { channel, event } from './define';
import { artifactId, caseRef, containerRef, hostName } from './schemas';

const pid = z.number().int().min(1).max(4_194_304);
export const checkpointName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a checkpoint name (letters, digits, dot, dash, underscore)');
export const acquisitionId = z.string().regex(/^ma-[a-z0-9-]{6,64}$/, 'a memory acquisition ID');

export const memoryChannels = {
  /**
   * Live detail of the container's processes (all, or `pids`) from /proc of its PID namespace, read by
   * a helper with SYS_PTRACE; stored as a 'process-detail' artifact unless store is false.
   */
  'memory.detail': channel<ProcessDetailReport>()(() =>
    z
      .object({
        host: hostName,
        container: containerRef,
        pids: z.array(pid).min(1).max(512).optional(),
        caseRef: caseRef.optional(),
        store: z.boolean().default(true),
      })
      .strict(),
  ),
  /**
   * Images the memory of one process (`pid`, default 1) or of every process (`all`) into the case, one
   * 'memory-image' artifact (ELF core, docs/memory-image.md) each; `pause` freezes the container for
   * the read and always thaws it after. Progress as 'memory.progress' events.
   */
  'memory.acquire': channel<MemoryAcquireResult>()(() =>
    z
      .object({
        host: hostName,
        container: containerRef,
        pid: pid.optional(),
        all: z.boolean().default(false),
        pause: z.boolean().default(false),
        caseRef: caseRef.optional(),
        acquisitionId: acquisitionId.optional(),
      })
      .strict(),
  ),
  /**
   * `docker checkpoint create --leave-running` (CRIU) of a running container, where the engine offers
   * it (an experimental build with CRIU on the host): the engine writes the checkpoint to the host's
   * disk (audited as footprint, with its path); the Engine API cannot read it back, so what is stored
   * is the record (path, the engine's listing), a 'checkpoint' artifact. Refused ('unsupported') when
   * the engine is not experimental or CRIU is missing, saying which.
   */
  'memory.checkpoint': channel<CheckpointResult>()(() =>
    z.object({ host: hostName, container: containerRef, caseRef: caseRef.optional(), name: checkpointName.optional() }).strict(),
  ),
  /** Stops an acquisition under way: the image being read is kept as incomplete. */
  'memory.cancel': channel<{ cancelled: boolean }>()(() => z.object({ acquisitionId }).strict()),
  /**
   * One page of the printable strings (ASCII and UTF-16LE, at least minLength characters) of an
   * artifact from byte `from` on, optionally only those containing `search`; read as a stream.
   */
  'memory.strings': channel<StringsPage>()(() =>
    z
      .object({
        artifactId,
        from: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(10_000).default(200),
        minLength: z.number().int().min(3).max(256).default(6),
        search: z.string().min(1).max(256).optional(),
      })
      .strict(),
  ),
} as const;

export const memoryEvents = {
  'memory.progress': event<MemoryProgressEvent>(),
} as const;
