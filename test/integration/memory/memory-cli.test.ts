// Volatile evidence through the built `drydock`: live process detail (a binary deleted after start is
// flagged and hashed through /proc/PID/exe, sockets are attributed to the PIDs holding them, hostile
// names print safely), a memory image in ELF core format whose marker offset maps back to a readable
// region of the process, --pause (audited, thawed after), and strings over the stored image.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImageRegion, MemoryAcquireResult, ProcessDetailReport, StringsPage } from '../../../shared/domain/memory';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';
import { holdMemory, memoryReaderRunning } from '../../helpers/memory-holder';
import { waitFor } from '../../helpers/wait';

const IMPLANT = 'drydock-fixture/implant:1';
const MARKER = 'DRYDOCK-HEAP-MARKER-5e1f0c7a';
const ESC = '\u001b';

function json<T>(store: string, args: string[]): T {
  const run = drydock(store, [...args, '--json']);
  assert.equal(run.code, 0, `drydock ${args.join(' ')}: ${run.err}`);
  return JSON.parse(run.out) as T;
}

/** The PT_LOAD segments of an ELF-64 little-endian core file, read with no tool but the gABI layout. */
function loads(image: Buffer): { flags: number; offset: number; vaddr: bigint; filesz: number; memsz: number }[] {
  assert.equal(image.subarray(0, 4).toString('latin1'), '\x7fELF');
  assert.equal(image[4], 2, 'ELFCLASS64');
  assert.equal(image.readUInt16LE(16), 4, 'ET_CORE');
  const phoff = Number(image.readBigUInt64LE(32));
  const phnum = image.readUInt16LE(56);
  const out = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * 56;
    if (image.readUInt32LE(at) !== 1) continue;
    out.push({
      flags: image.readUInt32LE(at + 4),
      offset: Number(image.readBigUInt64LE(at + 8)),
      vaddr: image.readBigUInt64LE(at + 16),
      filesz: Number(image.readBigUInt64LE(at + 32)),
      memsz: Number(image.readBigUInt64LE(at + 40)),
    });
  }
  return out;
}

/** Drydock's helper containers and scratch volumes on the host that work on `target` (their drydock.helper.target label). */
function leftovers(target: string): { containers: string; volumes: string } {
  return {
    containers: docker(['ps', '-aq', '--filter', `label=drydock.helper.target=${target}`]).trim(),
    volumes: docker(['volume', 'ls', '-q', '--filter', `label=drydock.helper.target=${target}`]).trim(),
  };
}

function running(id: string): { running: boolean; paused: boolean } {
  const [r, p] = docker(['inspect', '-f', '{{.State.Running}} {{.State.Paused}}', id]).split(' ');
  return { running: r === 'true', paused: p === 'true' };
}

describe('drydock ps --detail, memory and strings', () => {
  let store: string;
  let implant = '';
  let hostile = '';
  let talker = '';
  let dropper = '';
  const containers: string[] = [];

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'ddmem-'));
    // The journal's log follower attaches to every container created on a journaled host, helpers
    // included, and while its attach does not read the engine stops relaying the helper's output
    // to everyone: these tests are about the readers, so the case does not follow logs.
    assert.equal(drydock(store, ['case', 'new', '--name', 'memory-tests']).code, 0);
    assert.equal(drydock(store, ['logs', '--follow-on-start', 'off']).code, 0);
    implant = runContainer(['--name', `ddmem-implant-${process.pid}`, IMPLANT]);
    // comm and argv full of escape sequences, and one argument of 64 KiB.
    const script = `printf '${ESC}]0;pwned\\007${ESC}[2J' > /proc/$$/comm; while :; do sleep 3600; done`;
    hostile = runContainer([
      '--name',
      `ddmem-hostile-${process.pid}`,
      BUSYBOX,
      'sh',
      '-c',
      script,
      `${ESC}[31mred${ESC}]0;title\u0007`,
      'A'.repeat(64 * 1024),
    ]);
    // A server and a client holding one TCP connection open inside one namespace. The client starts
    // once the listener is in /proc/net (port 9000 = 0x2328, state 0A): a first attempt that lost the
    // race left the pipeline waiting on its endless left side, so it never connected.
    talker = runContainer([
      '--name',
      `ddmem-talker-${process.pid}`,
      BUSYBOX,
      'sh',
      '-c',
      '(while :; do sleep 3600; done) | nc -l -p 9000 >/dev/null & until grep -qs ":2328 0*:0000 0A" /proc/net/tcp /proc/net/tcp6; do :; done; (while :; do sleep 3600; done) | nc 127.0.0.1 9000 >/dev/null',
    ]);
    // A process running a binary the container itself added (drift: added in the container's layer).
    dropper = runContainer([
      '--name',
      `ddmem-dropper-${process.pid}`,
      BUSYBOX,
      'sh',
      '-c',
      'mkdir -p /opt/x && cp /bin/busybox /opt/x/sleep && exec /opt/x/sleep 3600',
    ]);
    containers.push(implant, hostile, talker, dropper);
    await waitFor(() => docker(['logs', implant]).includes('ready'), { what: 'the implant fixture to delete its binary' });
  });

  after(() => {
    removeContainers(containers);
    rmSync(store, { recursive: true, force: true });
  });

  it('flags a process running from a deleted binary and hashes it through /proc/PID/exe', () => {
    const report = json<ProcessDetailReport>(store, ['ps', implant, '--detail']);
    const init = report.processes.find((p) => p.pid === 1);
    assert.ok(init, 'PID 1 is detailed');
    assert.equal(init.exe.path, '/tmp/.cache/sh');
    assert.equal(init.exe.deleted, true);
    const expected = docker(['run', '--rm', '--label', 'drydock.test=1', IMPLANT, 'sha256sum', '/bin/busybox']).split(' ')[0];
    assert.equal(init.exe.sha256, expected, 'the deleted binary is the image busybox, hashed whole');
    assert.ok(init.flags.some((f) => f.kind === 'deleted-executable' && f.severity === 'high'));
    assert.ok(init.environ.some((e) => e.startsWith('PATH=')));
    assert.ok(init.capabilities?.effective.names.includes('CAP_CHOWN'));
    assert.equal(init.seccomp, 'filter', "Docker's default seccomp profile is a filter");
    assert.ok(init.maps.some((m) => m.path === '[heap]'));
    assert.ok(report.stored, 'stored as an artifact');
    assert.ok(running(implant).running, 'the container still runs');
  });

  it("attributes the namespace's established connection to the PIDs holding it", async () => {
    const report = await waitFor(
      () => {
        const r = json<ProcessDetailReport>(store, ['ps', talker, '--detail', '--no-store']);
        const established = r.connections.filter((c) => c.protocol === 'tcp' && c.state === 'established');
        return established.length === 2 && established.every((c) => c.pids.length === 1) ? r : null;
      },
      { what: 'the client and server sockets of the talker, each with its owner', timeoutMs: 60_000, intervalMs: 500 },
    );
    const argv = (pid: number) => report.processes.find((p) => p.pid === pid)?.argv.join(' ') ?? '';
    const server = report.connections.find((c) => c.state === 'established' && c.local.port === 9000);
    const client = report.connections.find((c) => c.state === 'established' && c.remote.port === 9000);
    assert.ok(server && client);
    assert.equal(argv(server.pids[0] ?? 0), 'nc -l -p 9000');
    assert.equal(argv(client.pids[0] ?? 0), 'nc 127.0.0.1 9000');
    const owner = report.processes.find((p) => p.pid === client.pids[0]);
    assert.ok(
      owner?.fds.some((fd) => fd.socket?.inode === client.inode),
      'the owner holds a descriptor on that socket',
    );
  });

  it("raises a process whose executable the case's drift report says was added to the container", async () => {
    await waitFor(() => docker(['top', dropper]).includes('/opt/x/sleep'), { what: 'the dropper to run its copied binary' });
    const drift = drydock(store, ['drift', dropper]);
    assert.ok(drift.code === 0 || drift.code === 6, drift.err);
    const report = json<ProcessDetailReport>(store, ['ps', dropper, '--detail']);
    const init = report.processes.find((p) => p.pid === 1);
    assert.equal(init?.exe.path, '/opt/x/sleep');
    assert.equal(init?.exe.deleted, false);
    assert.ok(init?.flags.some((f) => f.kind === 'drifted-executable' && f.reason.includes('/opt/x/sleep')));
    const clean = json<ProcessDetailReport>(store, ['ps', talker, '--detail', '--no-store']);
    assert.ok(clean.processes.every((p) => !p.flags.some((f) => f.kind === 'drifted-executable')));
  });

  it('renders hostile names and 64 KiB command lines safely', () => {
    const text = drydock(store, ['ps', hostile, '--detail', '--no-store']);
    assert.equal(text.code, 0, text.err);
    assert.ok(!text.out.includes(ESC) && !text.out.includes('\u0007'), 'no raw escape reaches the terminal');
    assert.match(text.out, /\\x1b\]0;pwned/);
    const report = json<ProcessDetailReport>(store, ['ps', hostile, '--detail', '--no-store']);
    const sh = report.processes.find((p) => p.pid === 1);
    assert.equal(sh?.comm, `${ESC}]0;pwned\u0007${ESC}[2J`.slice(0, 15), 'comm kept exactly in the evidence (15 bytes)');
    assert.ok(sh?.argv.includes('A'.repeat(64 * 1024)), 'the 64 KiB argument is kept whole');
  });

  let imageId = '';
  let imageFile = '';

  it('images the memory of PID 1 as an ELF core whose marker maps back to a readable region', () => {
    const result = json<MemoryAcquireResult>(store, ['memory', implant, '--pid', '1']);
    assert.equal(result.failures.length, 0);
    const image = result.images[0];
    assert.ok(image && !image.incomplete, 'one complete image');
    assert.ok(
      image.unreadable.some((u) => u.path === '[vvar]'),
      'regions not read are listed',
    );
    imageId = image.artifactId;
    imageFile = path.join(store, 'core.img');
    const exported = drydock(store, ['artifact', 'export', imageId, '--out', imageFile]);
    assert.equal(exported.code, 0, exported.err);
    const bytes = readFileSync(imageFile);
    assert.equal(bytes.length, image.bytes);
    const at = bytes.indexOf(MARKER, 0, 'latin1');
    assert.ok(at > 0, 'the heap marker is in the image');
    const segment = loads(bytes).find((s) => s.filesz > 0 && at >= s.offset && at < s.offset + s.filesz);
    assert.ok(segment, 'the marker lies inside a PT_LOAD segment');
    assert.ok(segment.flags & 4, 'a readable region');
    const address = segment.vaddr + BigInt(at - segment.offset);
    const detail = json<ProcessDetailReport>(store, ['ps', implant, '--detail', '--pid', '1', '--no-store']);
    const region = detail.processes[0]?.maps.find((m) => BigInt(`0x${m.start}`) <= address && address < BigInt(`0x${m.end}`));
    assert.ok(region, `address ${address.toString(16)} is mapped in the live process`);
    assert.equal(region.perms[0], 'r');
    assert.ok(running(implant).running, 'the container still runs');
    // The bulk of the image came through a scratch volume and the archive endpoint, and said so.
    const artifacts = json<{ id: string; attributes: Record<string, unknown> }[]>(store, ['case', 'artifacts']);
    const attributes = artifacts.find((a) => a.id === imageId)?.attributes ?? {};
    assert.equal(attributes.transport, 'archive-volume');
    assert.ok(((attributes.transferTimings as { chunks?: number } | undefined)?.chunks ?? 0) >= 1, 'at least one chunk fetched');
    assert.equal(typeof attributes.readWindowSeconds, 'number', "the read window (the image's smear) is recorded");
    assert.equal(image.readWindowSeconds, attributes.readWindowSeconds, '--json gives the read window');
    assert.equal(image.transport, 'archive-volume', '--json gives the transport');
    assert.deepEqual(leftovers(implant), { containers: '', volumes: '' }, 'no helper and no scratch volume left on the host');
    const audit = drydock(store, ['case', 'audit', '--json']);
    assert.match(audit.out, /helper\.volume-created/);
    assert.match(audit.out, /helper\.volume-removed/);
    assert.doesNotMatch(audit.out, /helper\.volume-remove-failed/, 'the volume, removed once its helper was, is no failure');
  });

  it('reads a region with pages the kernel refuses inside its 1 MiB reads byte-exact, those pages zeros and counted', async (t) => {
    // 1,024 pages of anonymous memory, page i filled with the byte i % 251 + 1, and guard pages
    // (MADV_GUARD_INSTALL, Linux 6.13: /proc/PID/mem refuses them, the mapping stays one region) at
    // page 300 and pages 700-701: inside 1 MiB reads, with readable pages after each.
    const script = [
      'my $n = 1024; my $p = syscall(9, 0, $n * 4096, 3, 0x22, -1, 0); die "mmap: $!" if $p == -1;',
      "open(my $m, '+<', '/proc/self/mem') or die; sysseek($m, $p, 0);",
      'syswrite($m, chr($_ % 251 + 1) x 4096) for 0 .. $n - 1;',
      'my $g = syscall(28, $p + 300 * 4096, 4096, 102) + syscall(28, $p + 700 * 4096, 2 * 4096, 102);',
      '$| = 1; printf "at=%x guard=%d\\n", $p, $g; sleep 3600;',
    ].join(' ');
    const guarded = runContainer(['--name', `ddmem-guarded-${process.pid}`, 'drydock-fixture/debian:bookworm', 'perl', '-e', script]);
    containers.push(guarded);
    const said = await waitFor(() => /at=([0-9a-f]+) guard=(-?\d+)/.exec(docker(['logs', guarded])) ?? undefined, {
      what: 'the guarded process to map its pages',
    });
    if (said[2] !== '0') return t.skip('this kernel has no MADV_GUARD_INSTALL (Linux 6.13+): no page to refuse inside a region');
    const at = BigInt(`0x${said[1]}`);
    const result = json<MemoryAcquireResult>(store, ['memory', guarded, '--pid', '1']);
    const image = result.images[0];
    assert.ok(image && !image.incomplete, `one complete image: ${image?.incomplete ?? JSON.stringify(result.failures)}`);
    const artifacts = json<{ id: string; attributes: { regions: ImageRegion[] } }[]>(store, ['case', 'artifacts']);
    const region = artifacts
      .find((a) => a.id === image.artifactId)
      ?.attributes.regions.find((r) => BigInt(`0x${r.start}`) <= at && at < BigInt(`0x${r.end}`));
    assert.ok(region, 'the mapping is one region of the image');
    assert.equal(region.unreadablePages, 3, 'the three refused pages are counted');
    assert.match(region.unreadable ?? '', /3 pages could not be read and are zeros/);
    const file = path.join(store, 'guarded.img');
    assert.equal(drydock(store, ['artifact', 'export', image.artifactId, '--out', file]).code, 0);
    const from = region.imageOffset + Number(at - BigInt(`0x${region.start}`));
    const got = readFileSync(file).subarray(from, from + 1024 * 4096);
    const expected = Buffer.alloc(1024 * 4096);
    for (let i = 0; i < 1024; i++) if (i !== 300 && i !== 700 && i !== 701) expected.fill((i % 251) + 1, i * 4096, (i + 1) * 4096);
    assert.ok(got.equals(expected), 'every page in its place: the readable ones as written, the refused ones zeros');
    assert.deepEqual(leftovers(guarded), { containers: '', volumes: '' });
  });

  it('exits 3 naming host, container and PID when the process does not exist', () => {
    const run = drydock(store, ['memory', implant, '--pid', '999']);
    assert.equal(run.code, 3, run.err);
    assert.match(run.err, new RegExp(`No process 999 in the PID namespace of container ddmem-implant-${process.pid} on host local`));
    assert.deepEqual(leftovers(implant), { containers: '', volumes: '' });
    for (const args of [['--pid=-1'], ['--pid=0'], ['--pid', '-1']]) {
      const bad = drydock(store, ['memory', implant, ...args]);
      assert.equal(bad.code, 2, bad.err);
      assert.match(bad.err, /^drydock memory: --pid takes a process ID, a whole number of 1 or more$/m);
    }
  });

  it('finds the marker with strings at the offset where it lies in the image', () => {
    const page = json<StringsPage>(store, ['strings', imageId, '--search', 'heap-marker']);
    const bytes = readFileSync(imageFile);
    const hit = page.strings.find((s) => s.text.includes(MARKER));
    assert.ok(hit, 'found by a case-insensitive search');
    assert.equal(hit.encoding, 'ascii');
    assert.equal(bytes.indexOf(hit.text, hit.offset, 'latin1'), hit.offset);
    const past = drydock(store, ['strings', imageId, '--from', '999999999999']);
    assert.equal(past.code, 0, past.err);
    assert.equal(
      past.out.trim(),
      `-- nothing from offset 999999999999: the artifact has ${bytes.length} bytes (offsets 0 to ${bytes.length - 1})`,
    );
  });

  it('pauses the container for the read when asked, audits it and always thaws it', () => {
    const result = json<MemoryAcquireResult>(store, ['memory', implant, '--pause']);
    assert.equal(result.images[0]?.paused, true);
    assert.deepEqual(running(implant), { running: true, paused: false });
    const audit = drydock(store, ['case', 'audit', '--json']);
    assert.equal(audit.code, 0, audit.err);
    assert.match(audit.out, /memory\.container-paused/);
    assert.match(audit.out, /memory\.container-unpaused/);
    assert.match(audit.out, /memory\.acquired/);
    assert.deepEqual(leftovers(implant), { containers: '', volumes: '' });
  });

  it('fetches no chunk while the helper still reads a process that fits its window, and thaws a paused one before the fetch', async () => {
    // 96 MiB of resident anonymous memory: at least three 32 MiB chunk files, well within any host's window.
    const big = await holdMemory(`ddmem-big-${process.pid}`, 96, 'Y');
    containers.push(big);
    const result = json<MemoryAcquireResult>(store, ['memory', big, '--pid', '1', '--pause']);
    const image = result.images[0];
    assert.ok(image && !image.incomplete, 'one complete image');
    assert.deepEqual(running(big), { running: true, paused: false });
    const artifacts = json<{ id: string; attributes: Record<string, unknown> }[]>(store, ['case', 'artifacts']);
    const timings = artifacts.find((a) => a.id === image.artifactId)?.attributes.transferTimings as
      { chunks: number; fetchedDuringRead: number; unreserved: number } | undefined;
    assert.ok(timings && timings.chunks >= 3, `several chunks (${JSON.stringify(timings)})`);
    assert.equal(timings.fetchedDuringRead, 0, 'the archive relay did not compete with the read');
    assert.equal(timings.unreserved, 0, "every chunk file's tmpfs pages were reserved before the read");
    // The container ran again once the last read was done: its unpause comes before the image's record.
    const audit = drydock(store, ['case', 'audit', '--json'])
      .out.split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as { action: string; details: Record<string, unknown> });
    const unpaused = audit.findIndex((e) => e.action === 'memory.container-unpaused' && e.details.containerId === big);
    const added = audit.findIndex((e) => e.action === 'artifact.added' && e.details.artifactId === image.artifactId);
    assert.ok(unpaused >= 0 && added > unpaused, `unpaused (${unpaused}) before the image was recorded (${added})`);
  });

  it('sweeps the helper and the scratch volume a killed Drydock left behind', async () => {
    // 256 MiB of resident anonymous memory: a run long enough to be killed in the middle.
    const holder = await holdMemory(`ddmem-holder-${process.pid}`, 256, 'Z');
    containers.push(holder);
    const child = drydockSpawn(store, ['memory', holder, '--pid', '1']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Killed once its reader runs (recorded, started): a kill between the engine's create and the
    // ledger's record leaves an unrecorded container, rightly kept as an impersonator.
    await memoryReaderRunning(child.pid, () => stderr);
    const volume = await waitFor(
      () =>
        docker([
          'volume',
          'ls',
          '-q',
          '--filter',
          `label=drydock.owner.pid=${child.pid}`,
          '--filter',
          'label=drydock.helper=memory-scratch',
        ]).trim() || undefined,
      { what: "the memory run's scratch volume", timeoutMs: 120_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; memory stderr: ${stderr}`);
    });
    child.kill('SIGKILL');
    await exited;
    assert.equal(leftovers(holder).volumes, volume, 'the killed process left its scratch volume behind');
    const swept = drydock(store, ['capture-helper', 'sweep', '--host', 'local', '--json']);
    assert.equal(swept.code, 0, swept.err);
    // The sweep on connect may have taken it already: the audit log says which sweep removed it.
    const audit = drydock(store, ['case', 'audit', '--json']);
    assert.ok(audit.out.includes(volume), `the audit log names the volume: ${audit.err}`);
    assert.match(audit.out, /swept: scratch volume of owner process \d+/);
    assert.deepEqual(leftovers(holder), { containers: '', volumes: '' }, 'helper and volume swept');
    assert.ok(running(holder).running, 'the container itself is untouched');
  });
});
