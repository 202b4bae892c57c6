// Channels and events of the processes capability. Filled in by the issue that builds it.
export const processesChannels = {} as const;
export const processesEvents = {} as const;
