// Child process for crash.test.ts: quarantines a container and is killed (SIGKILL, by itself) at
// the named checkpoint, the way a power cut or an OOM kill would stop Drydock half-way.
import { createCore } from '../../../main/app/core';
import { createDispatcher } from '../../../main/app/dispatch';
import { createHandlers } from '../../../main/app/handlers';
import { QuarantineRecordStore } from '../../../main/core/quarantine/record-store';
import { QuarantineService } from '../../../main/core/quarantine/quarantine-service';

async function main(): Promise<void> {
  const [storeDir, container, point] = process.argv.slice(2);
  if (!storeDir || !container || !point) throw new Error('usage: crash-child STORE CONTAINER POINT');
  const core = createCore({ storeDir, examiner: 'crash-test' });
  const dispatch = createDispatcher(createHandlers(core));
  const added = await dispatch('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
  if (!added.ok) throw new Error(added.error.message);
  core.evidence.createCase({ name: 'Crash quarantine' });
  const service = new QuarantineService({
    records: new QuarantineRecordStore(core.db),
    hosts: core.hosts,
    evidence: core.evidence,
    helpers: core.helpers,
    events: core.events,
    clock: core.clock,
    examiner: core.evidence.actingExaminer().name,
    hooks: {
      checkpoint(at) {
        if (at.point === point) process.kill(process.pid, 'SIGKILL');
      },
    },
  });
  await service.apply({ host: 'local', container, modes: ['isolate', 'pause'] });
  process.stdout.write('finished without reaching the checkpoint\n');
  process.exit(3);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
