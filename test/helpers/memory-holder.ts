// Processes for the memory tests: a container whose PID 1 holds resident anonymous memory, and the
// wait for a `drydock memory` run's reader to be running.
import { docker, runContainer } from './docker';
import { waitFor } from './wait';

/**
 * Runs a container (drydock-fixture/debian, perl) whose PID 1 holds `mib` MiB of resident anonymous
 * memory filled with `fill`, and resolves with its ID once every page is written.
 */
export async function holdMemory(name: string, mib: number, fill = 'Z'): Promise<string> {
  const script = 'my $x = $ARGV[1] x ($ARGV[0] * 1048576); $| = 1; print "ready\\n"; sleep 3600;';
  const id = runContainer(['--name', name, 'drydock-fixture/debian:bookworm', 'perl', '-e', script, String(mib), fill]);
  await waitFor(() => docker(['logs', id]).includes('ready'), { what: 'the holder to fill its memory', timeoutMs: 120_000 });
  return id;
}

/** Resolves once the memory reader of the `drydock memory` process `pid` runs; `stderr()` is added to a timeout's message. */
export async function memoryReaderRunning(pid: number | undefined, stderr: () => string): Promise<void> {
  await waitFor(
    () => docker(['ps', '-q', '--filter', `label=drydock.owner.pid=${pid}`, '--filter', 'label=drydock.helper=memory']).trim() || undefined,
    { what: "the memory run's reader running", timeoutMs: 120_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; memory stderr: ${stderr()}`);
  });
}
