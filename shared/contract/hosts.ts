import { z } from 'zod';
import type { DockerContextInfo, EngineFacts, HostProfile, HostResolution, HostStatus } from '../domain/hosts';
import { channel, event } from './define';
import { empty, hostName, localPath } from './schemas';

export const hostUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine((u) => /^(unix|tcp|ssh|npipe):\/\//.test(u) || u.startsWith('/'), 'a unix://, tcp:// or ssh:// URL, or a socket path');

export const hostInput = z
  .object({
    name: hostName,
    url: hostUrl,
    tls: z
      .object({
        caFile: localPath.optional(),
        certFile: localPath.optional(),
        keyFile: localPath.optional(),
        verify: z.boolean().default(true),
      })
      .strict()
      .optional(),
    ssh: z.object({ keyFile: localPath.optional(), socketPath: localPath.optional() }).strict().optional(),
  })
  .strict();

export type HostInput = z.input<typeof hostInput>;

export const hostChannels = {
  'hosts.list': channel<HostProfile[]>()(empty),
  'hosts.add': channel<HostProfile>()(hostInput),
  'hosts.remove': channel<{ removed: boolean }>()(() => z.object({ name: hostName }).strict()),
  /** Connects with the saved profile (or an unsaved one) and reports what the engine is. */
  'hosts.test': channel<EngineFacts>()(() => z.union([z.object({ name: hostName }).strict(), hostInput])),
  'hosts.connect': channel<HostStatus>()(() => z.object({ name: hostName }).strict()),
  'hosts.disconnect': channel<HostStatus>()(() => z.object({ name: hostName }).strict()),
  'hosts.status': channel<HostStatus[]>()(empty),
  /**
   * Which engine a --host value means (a profile, an endpoint URL, a Docker context), or with no ref
   * the one the docker CLI would use; saves a profile for a new endpoint and audits the choice.
   */
  'hosts.resolve': channel<HostResolution>()(() => z.object({ ref: z.string().min(1).max(2048).optional() }).strict()),
  /** The docker CLI's contexts (~/.docker/contexts), for the Hosts view's first start. */
  'hosts.contexts': channel<DockerContextInfo[]>()(empty),
  /** Saves Docker contexts as host profiles (all when no names are given). */
  'hosts.import-contexts': channel<{ imported: HostProfile[]; skipped: { context: string; why: string }[] }>()(() =>
    z.object({ names: z.array(z.string().min(1).max(200)).max(200).optional() }).strict(),
  ),
} as const;

export const hostEvents = {
  'host.status': event<HostStatus>(),
  /** A profile was saved or removed (from any window, the CLI's core or an import): views re-read the list. */
  'hosts.changed': event<{ name: string; change: 'added' | 'removed' }>(),
} as const;
