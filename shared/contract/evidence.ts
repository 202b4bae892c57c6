// Channels and events of the evidence capability. Filled in by the issue that builds it.
export const evidenceChannels = {} as const;
export const evidenceEvents = {} as const;
