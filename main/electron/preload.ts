import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// Sandboxed preload: no Node, no project imports. It exposes three functions and nothing else; the
// core validates every channel and payload, so this layer stays deliberately dumb.

interface EventMessage {
  event: string;
  payload: unknown;
}

contextBridge.exposeInMainWorld('drydockIpc', {
  invoke: (channel: string, request: unknown): Promise<unknown> => ipcRenderer.invoke('drydock:invoke', String(channel), request),
  save: (request: unknown): Promise<unknown> => ipcRenderer.invoke('drydock:save', request),
  on: (event: string, listener: (payload: unknown) => void): (() => void) => {
    const wanted = String(event);
    const handler = (_e: IpcRendererEvent, message: EventMessage) => {
      if (message && message.event === wanted) listener(message.payload);
    };
    ipcRenderer.on('drydock:event', handler);
    return () => {
      ipcRenderer.removeListener('drydock:event', handler);
    };
  },
});
