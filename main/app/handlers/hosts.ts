import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type HostHandlers = Pick<
  Handlers,
  | 'hosts.list'
  | 'hosts.add'
  | 'hosts.remove'
  | 'hosts.test'
  | 'hosts.connect'
  | 'hosts.disconnect'
  | 'hosts.status'
  | 'hosts.resolve'
  | 'hosts.contexts'
  | 'hosts.import-contexts'
>;

export function hostHandlers(core: Core): HostHandlers {
  return {
    'hosts.list': () => core.hosts.list(),
    'hosts.add': (req) => core.hosts.add(req),
    'hosts.remove': (req) => core.hosts.remove(req.name),
    'hosts.test': (req) => core.hosts.test(req),
    'hosts.connect': (req) => core.hosts.connect(req.name),
    'hosts.disconnect': (req) => core.hosts.disconnect(req.name),
    'hosts.status': () => core.hosts.statuses(),
    'hosts.resolve': (req) => core.hosts.resolve(req.ref),
    'hosts.contexts': () => core.hosts.contexts(),
    'hosts.import-contexts': (req) => core.hosts.importContexts(req.names),
  };
}
