import { z } from 'zod';
import type { EngineFacts, HostProfile, HostStatus } from '../domain/hosts';
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
  'hosts.remove': channel<{ removed: boolean }>()(z.object({ name: hostName }).strict()),
  /** Connects with the saved profile (or an unsaved one) and reports what the engine is. */
  'hosts.test': channel<EngineFacts>()(z.union([z.object({ name: hostName }).strict(), hostInput])),
  'hosts.connect': channel<HostStatus>()(z.object({ name: hostName }).strict()),
  'hosts.disconnect': channel<HostStatus>()(z.object({ name: hostName }).strict()),
  'hosts.status': channel<HostStatus[]>()(empty),
} as const;

export const hostEvents = {
  'host.status': event<HostStatus>(),
} as const;
