import type { FlowSummary } from '../../../shared/domain/capture';
import { DrydockFailure } from '../errors';
import type { EvidencePort } from '../evidence/port';
import { summarizePcap } from './flow-summary';

const MAX_SUMMARY_JSON = 64 * 1024 * 1024;

/**
 * Reads a stored flow summary back, or derives one from the stored pcap by streaming it (the
 * pcap is read back from the store, not from memory, so the summary describes exactly the bytes
 * whose hash is on record) and stores it as a 'flow-summary' artifact beside the pcap.
 */
export async function summarizeStoredPcap(
  evidence: EvidencePort,
  pcapArtifactId: string,
  existingSummaryId: string | undefined,
): Promise<{ summary: FlowSummary; artifactId: string; caseId: string; created: boolean }> {
  const pcap = await evidence.getArtifact(pcapArtifactId);
  if (!pcap) throw new DrydockFailure('not-found', `No artifact ${pcapArtifactId} in the evidence store`);
  if (pcap.kind !== 'pcap') throw new DrydockFailure('invalid-input', `Artifact ${pcapArtifactId} is a ${pcap.kind}, not a pcap`);
  if (existingSummaryId) {
    const text = await readSmall(await evidence.openArtifact(existingSummaryId));
    return { summary: JSON.parse(text) as FlowSummary, artifactId: existingSummaryId, caseId: pcap.caseId, created: false };
  }
  let summary: FlowSummary;
  try {
    summary = await summarizePcap(await evidence.openArtifact(pcapArtifactId), pcap.sha256);
  } catch (err) {
    throw new DrydockFailure('integrity', `Artifact ${pcapArtifactId} could not be read as a pcap: ${(err as Error).message}`, {
      detail: (err as Error).message,
    });
  }
  const stored = await evidence.ingestJson(
    {
      caseId: pcap.caseId,
      kind: 'flow-summary',
      source: pcap.source,
      method: `derived by Drydock from pcap artifact ${pcapArtifactId} (sha256 ${pcap.sha256})`,
      mediaType: 'application/json',
      attributes: {
        pcapArtifactId,
        pcapSha256: pcap.sha256,
        flows: summary.flows.length,
        packets: summary.packets,
        truncated: summary.truncated,
      },
    },
    summary,
  );
  return { summary, artifactId: stored.id, caseId: pcap.caseId, created: true };
}

async function readSmall(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_SUMMARY_JSON) throw new DrydockFailure('integrity', 'stored flow summary is implausibly large');
    parts.push(buf);
  }
  return Buffer.concat(parts).toString('utf8');
}
