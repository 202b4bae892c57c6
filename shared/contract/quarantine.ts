// Channels and events of the quarantine capability. Filled in by the issue that builds it.
export const quarantineChannels = {} as const;
export const quarantineEvents = {} as const;
