import { collectFleetNode } from '../fleet-collect';
import { cancelFleetTriage, fleetTriageInCase } from '../fleet-triage';
import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type FleetHandlers = Pick<Handlers, 'fleet.triage' | 'fleet.cancel' | 'fleet.collect'>;

export function fleetHandlers(core: Core): FleetHandlers {
  return {
    'fleet.triage': (req) =>
      fleetTriageInCase(core, {
        manager: req.host,
        passphrase: req.passphrase,
        nodeSocket: req.nodeSocket,
        timeoutSeconds: req.timeoutSeconds,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.runId !== undefined ? { runId: req.runId } : {}),
        ...(req.registry !== undefined ? { registry: req.registry } : {}),
      }),
    'fleet.cancel': (req) => cancelFleetTriage(req.runId),
    'fleet.collect': (req) => collectFleetNode(core, req),
  };
}
