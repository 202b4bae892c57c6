import type { EventName, EventPayloadOf } from '../../shared/contract';

type Listener = (event: EventName, payload: unknown) => void;

/** Core → transports. Every transport (IPC, bridge, CLI watch) subscribes to all events. */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: EventPayloadOf<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A broken transport must not stop the others from hearing the event.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
