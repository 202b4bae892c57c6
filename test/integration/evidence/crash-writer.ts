// Child process for crash.test.ts: starts a large acquisition, says so, then waits to be killed.
import { EventHub } from '../../../main/core/event-hub';
import { systemClock } from '../../../main/core/clock';
import { EvidenceService } from '../../../main/core/evidence/evidence-service';
import { ExaminerIdentity } from '../../../main/core/examiner';
import { evidenceSchema } from '../../../main/core/evidence/schema';
import { openDatabase } from '../../../main/core/store/database';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const bytes = Number(process.argv[3]);
  if (!dir || !Number.isFinite(bytes)) throw new Error('usage: crash-writer DIR BYTES');
  const db = openDatabase(dir, [evidenceSchema]);
  const evidence = new EvidenceService({
    db,
    storeDir: dir,
    clock: systemClock,
    examiner: new ExaminerIdentity('crash-test'),
    events: new EventHub(),
  });
  const kase = evidence.createCase({ name: 'Crash case' });
  await evidence.addNote('before the crash');
  const writer = await evidence.openWriter({
    caseId: kase.id,
    kind: 'pcap',
    source: { host: 'lab', containerName: 'web' },
    method: 'crash test',
    mediaType: 'application/vnd.tcpdump.pcap',
  });
  const chunk = Buffer.alloc(256 * 1024, 0x33);
  for (let sent = 0; sent < bytes; sent += chunk.length) await writer.write(chunk);
  process.stdout.write(`written ${writer.bytes}\n`);
  setInterval(() => undefined, 1000);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
