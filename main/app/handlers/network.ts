import { GraphPositions } from '../../core/network/graph-positions';
import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type NetworkHandlers = Pick<
  Handlers,
  | 'network.snapshot'
  | 'network.watch'
  | 'network.unwatch'
  | 'network.watches'
  | 'network.graph-positions.save'
  | 'network.graph-positions.load'
>;

export function networkHandlers(core: Core): NetworkHandlers {
  // Layout state of the Connections view: a small store of its own, built on first use.
  let positions: GraphPositions | undefined;
  const graphPositions = () => (positions ??= new GraphPositions({ db: core.db, cases: core.evidence, clock: core.clock }));
  return {
    'network.snapshot': (req) =>
      core.network.snapshot({
        record: req.record,
        ...(req.host !== undefined ? { host: req.host } : {}),
        ...(req.hosts !== undefined ? { hosts: req.hosts } : {}),
        ...(req.cluster !== undefined ? { cluster: req.cluster } : {}),
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'network.watch': (req) =>
      'renew' in req
        ? core.network.renew(req.renew)
        : core.network.watch({
            intervalSeconds: req.intervalSeconds,
            record: req.record,
            ...(req.host !== undefined ? { host: req.host } : {}),
            ...(req.hosts !== undefined ? { hosts: req.hosts } : {}),
            ...(req.cluster !== undefined ? { cluster: req.cluster } : {}),
            ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
            ...(req.leaseSeconds !== undefined ? { leaseSeconds: req.leaseSeconds } : {}),
          }),
    'network.unwatch': (req) => core.network.unwatch(req.watchId),
    'network.watches': () => core.network.list(),
    'network.graph-positions.save': (req) =>
      graphPositions().save({ positions: req.positions, ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}) }),
    'network.graph-positions.load': (req) => graphPositions().load(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
  };
}
