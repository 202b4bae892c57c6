/** The engine's own error text (dockerode keeps the JSON body on the error). */
export function engineMessage(err: unknown): string {
  const e = (err ?? {}) as { json?: unknown; message?: string };
  if (e.json && typeof e.json === 'object' && typeof (e.json as { message?: unknown }).message === 'string')
    return (e.json as { message: string }).message;
  return typeof e.message === 'string' ? e.message : String(err);
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Disconnecting a container that is not (or no longer) on the network. */
export function isNotConnected(err: unknown): boolean {
  return /is not connected to (the )?network|not connected to network/i.test(engineMessage(err));
}

/** Connecting a container that is already on the network. */
export function isAlreadyConnected(err: unknown): boolean {
  return /already exists in network|already attached|endpoint with name .* already exists/i.test(engineMessage(err));
}

export function isAddressInUse(err: unknown): boolean {
  return /address already in use|no available (ip|address)/i.test(engineMessage(err));
}
