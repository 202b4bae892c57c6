// Channels and events of the drift capability. Filled in by the issue that builds it.
export const driftChannels = {} as const;
export const driftEvents = {} as const;
