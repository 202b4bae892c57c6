import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInspectInfo } from 'dockerode';
import { assessRisks } from '../../../main/core/inventory/risk-flags';

type Partial = {
  HostConfig?: Record<string, unknown>;
  Config?: Record<string, unknown>;
  Mounts?: { Type: string; Source: string; Destination: string; RW: boolean }[];
  AppArmorProfile?: string;
};

function inspect(p: Partial): ContainerInspectInfo {
  return {
    Id: 'c'.repeat(64),
    Image: `sha256:${'a'.repeat(64)}`,
    Name: '/x',
    HostConfig: { SecurityOpt: ['no-new-privileges'], ReadonlyRootfs: true, ...(p.HostConfig ?? {}) },
    Config: { User: '1000', Image: 'registry/app@sha256:' + 'b'.repeat(64), Labels: {}, ...(p.Config ?? {}) },
    Mounts: p.Mounts ?? [],
    AppArmorProfile: p.AppArmorProfile ?? 'docker-default',
  } as unknown as ContainerInspectInfo;
}

const ids = (p: Partial, image = { missing: false, dangling: false }) => assessRisks(inspect(p), image).map((f) => `${f.severity}:${f.id}`);

describe('risk flags', () => {
  it('gives a hardened, digest-pinned container no flag at all', () => {
    assert.deepEqual(ids({}), []);
  });

  it('flags privilege, namespaces and capabilities with severities, most severe first', () => {
    assert.deepEqual(
      ids({
        HostConfig: {
          Privileged: true,
          PidMode: 'host',
          IpcMode: 'host',
          UTSMode: 'host',
          NetworkMode: 'host',
          CapAdd: ['CAP_SYS_PTRACE', 'chown'],
        },
      }),
      [
        'critical:privileged',
        'high:cap-added',
        'high:host-network',
        'high:host-pid',
        'medium:cap-added',
        'medium:host-ipc',
        'low:host-uts',
      ],
    );
  });

  it('tells the Docker socket, sensitive paths read-write or read-only, and harmless binds apart', () => {
    const flags = assessRisks(
      inspect({
        Mounts: [
          { Type: 'bind', Source: '/run/docker.sock', Destination: '/var/run/docker.sock', RW: false },
          { Type: 'bind', Source: '/home/alice/.ssh', Destination: '/k', RW: true },
          { Type: 'bind', Source: '/proc', Destination: '/hp', RW: false },
          { Type: 'bind', Source: '/srv/data', Destination: '/data', RW: true },
          { Type: 'volume', Source: '/var/lib/docker/volumes/v/_data', Destination: '/v', RW: true },
        ],
      }),
      { missing: false, dangling: false },
    );
    assert.deepEqual(
      flags.map((f) => [f.id, f.severity, f.evidence]),
      [
        ['docker-socket', 'critical', ['/run/docker.sock -> /var/run/docker.sock (ro)']],
        ['sensitive-mount', 'high', ['/home/alice/.ssh -> /k (rw)']],
        ['sensitive-mount', 'medium', ['/proc -> /hp (ro)']],
      ],
    );
    assert.equal(
      assessRisks(inspect({ Mounts: [{ Type: 'bind', Source: '/', Destination: '/host', RW: true }] }), {
        missing: false,
        dangling: false,
      })[0]?.severity,
      'critical',
    );
  });

  it('reads users, seccomp, AppArmor, no-new-privileges and the root filesystem', () => {
    assert.deepEqual(ids({ Config: { User: '' } }), ['medium:root-user']);
    assert.deepEqual(ids({ Config: { User: 'root:root' } }), ['medium:root-user']);
    assert.deepEqual(ids({ Config: { User: '0' } }), ['medium:root-user']);
    assert.deepEqual(ids({ HostConfig: { SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'no-new-privileges'] } }), [
      'high:seccomp-unconfined',
      'medium:apparmor-unconfined',
    ]);
    assert.deepEqual(ids({ HostConfig: { SecurityOpt: ['no-new-privileges:false'] } }), ['low:new-privileges']);
    assert.deepEqual(ids({ HostConfig: { SecurityOpt: [], ReadonlyRootfs: false } }), ['low:new-privileges', 'low:writable-rootfs']);
    assert.deepEqual(ids({ HostConfig: { Devices: [{ PathOnHost: '/dev/mem' }] } }), ['high:device-access']);
  });

  it('notes images that are gone, dangling, or referenced by a mutable tag', () => {
    assert.deepEqual(ids({}, { missing: true, dangling: false }), ['high:image-missing']);
    assert.deepEqual(ids({}, { missing: false, dangling: true }), ['medium:image-dangling']);
    assert.deepEqual(ids({ Config: { Image: 'nginx' } }), ['medium:mutable-tag']);
    assert.deepEqual(ids({ Config: { Image: 'nginx:latest' } }), ['medium:mutable-tag']);
    assert.deepEqual(ids({ Config: { Image: 'registry:5000/nginx:1.25' } }), ['low:mutable-tag']);
    assert.deepEqual(ids({ Config: { Image: 'registry:5000/nginx' } }), ['medium:mutable-tag']);
  });
});
