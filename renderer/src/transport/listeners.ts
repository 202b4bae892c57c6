/** Event name → listeners, shared by both transports. A throwing listener must not starve the rest. */
export class ListenerMap {
  private readonly byEvent = new Map<string, Set<(payload: unknown) => void>>();

  add(event: string, listener: (payload: unknown) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) {
      set = new Set();
      this.byEvent.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit(event: string, payload: unknown): void {
    const set = this.byEvent.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (err) {
        console.error(`Listener for ${event} failed`, err);
      }
    }
  }
}

export class StatusEmitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private value: T) {}

  get(): T {
    return this.value;
  }

  set(value: T): void {
    this.value = value;
    for (const listener of [...this.listeners]) listener(value);
  }

  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
