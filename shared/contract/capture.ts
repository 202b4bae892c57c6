// Channels and events of the capture capability. Filled in by the issue that builds it.
export const captureChannels = {} as const;
export const captureEvents = {} as const;
