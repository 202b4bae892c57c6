// Channels and events of the network capability. Filled in by the issue that builds it.
export const networkChannels = {} as const;
export const networkEvents = {} as const;
