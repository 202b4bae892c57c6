import { z } from 'zod';
import type { CaptureInfo, CaptureProgressEvent, CaptureSettings, FlowSummary } from '../domain/capture';
import { channel, event } from './define';
import { artifactId, caseRef, containerRef, empty, hostName, localPath } from './schemas';

export { artifactId };

export const captureId = z.string().regex(/^cap-[a-z0-9-]{6,64}$/, 'a capture ID');

/** Printable ASCII only: a BPF expression never needs more, and tcpdump gets it as one argv element. */
export const bpfFilter = z
  .string()
  .max(2048)
  .regex(/^[\x20-\x7e]*$/, 'printable ASCII only');

/** Linux interface names: up to 15 characters, no slash or whitespace; 'any' for all of them. */
export const interfaceName = z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'an interface name such as eth0 or any');

/** An image reference for a user-supplied helper image. */
export const imageRef = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, 'an image reference such as registry.local/tools/tcpdump:4.99');

export const captureOptionsInput = z
  .object({
    interface: interfaceName.default('any'),
    filter: bpfFilter.optional(),
    durationSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .optional(),
    packetCount: z.number().int().min(1).max(1e12).optional(),
    maxBytes: z
      .number()
      .int()
      .min(4096)
      .max(2 ** 50)
      .optional(),
    snaplen: z.number().int().min(0).max(262144).optional(),
  })
  .strict();

export const captureChannels = {
  /** Validates the filter, starts the helper and returns once tcpdump listens; the capture then runs until stopped or a limit is hit. */
  'capture.start': channel<CaptureInfo>()(() =>
    z
      .object({
        host: hostName,
        container: containerRef,
        options: captureOptionsInput.default({ interface: 'any' }),
        caseRef: caseRef.optional(),
        summarize: z.boolean().default(true),
      })
      .strict(),
  ),
  /** Stops a running capture gracefully (tcpdump flushes and reports its counters); resolves with the stored result. */
  'capture.stop': channel<CaptureInfo>()(() => z.object({ captureId }).strict()),
  /** Resolves when the capture has ended (for any reason) and its pcap is stored. */
  'capture.wait': channel<CaptureInfo>()(() => z.object({ captureId }).strict()),
  'capture.get': channel<CaptureInfo>()(() => z.object({ captureId }).strict()),
  /** Running captures and the most recent finished ones. */
  'capture.list': channel<CaptureInfo[]>()(() => z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict()),
  /** Compiles a filter with tcpdump inside the target's namespace, without capturing. */
  'capture.check-filter': channel<{ valid: true; instructions: number }>()(() =>
    z.object({ host: hostName, container: containerRef, interface: interfaceName.default('any'), filter: bpfFilter }).strict(),
  ),
  /** The flow summary of a stored pcap: read back when already derived, else derived now (streaming) and stored. */
  'capture.summary': channel<{ summary: FlowSummary; artifactId: string }>()(() => z.object({ pcapArtifactId: artifactId }).strict()),
  /** Copies a stored pcap (or any artifact) byte for byte to a file the user chose; refuses to overwrite. */
  'capture.export': channel<{ path: string; bytes: number; sha256: string }>()(() => z.object({ artifactId, path: localPath }).strict()),
  'capture.settings': channel<CaptureSettings>()(empty),
  'capture.set-settings': channel<CaptureSettings>()(() => z.object({ helperImage: imageRef.nullable() }).strict()),
  /** Removes helper containers on a host whose owning Drydock process is gone. Also runs on every (re)connect. */
  /**
   * Removes abandoned helpers Drydock recorded; containers that only claim to be helpers are kept and listed.
   * First unpauses containers a memory acquisition paused whose Drydock process died before unpausing them
   * (`unpaused`; `unpauseFailed` when the engine refused; `pausesSettled`: such pauses found already ended).
   */
  'capture.sweep': channel<HelperSweepResult>()(() => z.object({ host: hostName }).strict()),
} as const;

/** What `capture.sweep` did on a host (see the channel). */
export interface HelperSweepResult {
  removed: string[];
  kept: number;
  impersonators: { containerId: string; name: string; reason: string }[];
  unpaused: { containerId: string; containerName: string; acquisitionId: string; pausedAt: string; reason: string }[];
  unpauseFailed: { containerId: string; containerName: string; acquisitionId: string; error: string }[];
  pausesSettled: { containerId: string; containerName: string; acquisitionId: string; reason: string }[];
}

export const captureEvents = {
  'capture.progress': event<CaptureProgressEvent>(),
  /** Every state change, and the final result with the stored pcap. */
  'capture.state': event<CaptureInfo>(),
  /** After every sweep of a host's helpers (on demand, or automatically on connect/reconnect). */
  'capture.helpers-swept': event<{ host: string; removed: string[]; kept: number; trigger: 'connect' | 'request' }>(),
} as const;
