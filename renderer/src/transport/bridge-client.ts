import type { ChannelName, EventName, EventPayloadOf, RequestOf, ResponseOf } from '../../../shared/contract';
import type { SavedFile, SaveRequest } from '../../../shared/contract/save';
import type { Result } from '../../../shared/result';
import type { AppClient, TransportStatus } from './app-client';
import { ListenerMap, StatusEmitter } from './listeners';
import { asResult, transportError } from './result-shape';

export interface BridgeClientOptions {
  /** http://127.0.0.1:<port>, the page's own origin in practice. */
  origin: string;
  /** Null when the page was opened without its #token=… fragment. */
  token: string | null;
  fetchImpl?: typeof fetch;
  WebSocketImpl?: typeof WebSocket;
  /** Reconnection delays: base doubles per failed attempt up to max, plus a little jitter. */
  backoff?: { baseMs: number; maxMs: number };
}

const NO_TOKEN_MESSAGE = 'This page has no bridge access token: open the URL printed by `drydock serve` (it ends in #token=…).';

/**
 * The loopback bridge transport: requests over POST /api/invoke, events over one WebSocket that
 * is re-opened with exponential backoff whenever it drops. Requests do not wait for the socket.
 */
/** Waits before each retry of a request the browser could not deliver or whose answer it lost (ms). */
const RETRY_DELAYS_MS = [150, 600, 2_000];

export function createBridgeClient(options: BridgeClientOptions): AppClient {
  const fetchImpl = options.fetchImpl ?? fetch.bind(globalThis);
  const WebSocketImpl = options.WebSocketImpl ?? WebSocket;
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 10_000 };
  const { token } = options;
  const listeners = new ListenerMap();
  const status = new StatusEmitter<TransportStatus>(
    token ? { state: 'connecting', epoch: 0, attempt: 0 } : { state: 'no-token', epoch: 0, attempt: 0, message: NO_TOKEN_MESSAGE },
  );
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  // This page's session: the bridge ends the watches it started when its event stream closes.
  const session = randomSession();
  const wsUrl = new URL('/api/events', options.origin);
  wsUrl.searchParams.set('session', session);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';

  function scheduleReconnect(reason: string): void {
    if (closed) return;
    const previous = status.get();
    const attempt = previous.attempt + 1;
    const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1)) + Math.floor(Math.random() * 250);
    status.set({ state: 'reconnecting', epoch: previous.epoch, attempt, retryAt: Date.now() + delay, message: reason });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  }

  function open(): void {
    if (closed || !token) return;
    let ws: WebSocket;
    try {
      ws = new WebSocketImpl(wsUrl.href, [`drydock.${token}`]);
    } catch (err) {
      scheduleReconnect(err instanceof Error ? err.message : String(err));
      return;
    }
    socket = ws;
    ws.onopen = () => {
      const previous = status.get();
      status.set({ state: 'connected', epoch: previous.epoch + 1, attempt: 0 });
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) return;
      const { event, payload } = parsed as { event?: unknown; payload?: unknown };
      if (typeof event === 'string') listeners.emit(event, payload);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      // 1006 is all a browser reports for a refused handshake, a dead core or a dropped link alike.
      const why =
        event.code === 1006
          ? 'event stream closed abnormally'
          : `event stream closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`;
      scheduleReconnect(why);
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry; nothing to add here.
    };
  }

  function invoke<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
    return post<ResponseOf<C>>('/api/invoke', { channel, request }, channel);
  }

  /** Files out: the bridge exports into its own directory, then the browser downloads it once from a short-lived URL. */
  async function save(request: SaveRequest): Promise<Result<SavedFile>> {
    const prepared = await post<SavedFile & { url: string }>('/api/save', request, 'save');
    if (!prepared.ok) return prepared;
    const { url, ...file } = prepared.value;
    const link = document.createElement('a');
    link.href = new URL(url, options.origin).href;
    link.download = file.filename;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
    return { ok: true, value: file };
  }

  async function post<T>(pathname: string, payload: unknown, channel: string): Promise<Result<T>> {
    if (!token) return transportError('permission-denied', NO_TOKEN_MESSAGE);
    let response: Response | undefined;
    // One name for the request and its retries: the bridge runs it once and answers every retry
    // with that result (main/bridge/request-replay.ts), so a retry never applies anything twice.
    const requestId = randomSession();
    const body = JSON.stringify(payload);
    let failure = '';
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && !response; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt - 1]));
      try {
        response = await fetchImpl(new URL(pathname, options.origin).href, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${token}`,
            'X-Drydock-Session': session,
            'X-Drydock-Request': requestId,
          },
          body,
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch (err) {
        // "Failed to fetch" is all a browser says, whether the core is gone or a network interface
        // of the machine changed mid-request: ask again under the same request name.
        failure = err instanceof Error ? err.message : String(err);
      }
    }
    if (!response) {
      return transportError('disconnected', `The Drydock core at ${new URL(options.origin).host} did not answer ${channel}`, failure);
    }
    if (response.status === 401 || response.status === 403) {
      return transportError(
        'permission-denied',
        "The bridge refused this page's access token: open the URL printed by `drydock serve` again.",
      );
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      return transportError('internal', `The bridge answered ${channel} with HTTP ${response.status} and no result`);
    }
    return asResult<T>(answer, channel);
  }

  open();

  return {
    transport: 'bridge',
    invoke,
    save,
    on<E extends EventName>(event: E, listener: (payload: EventPayloadOf<E>) => void): () => void {
      return listeners.add(event, listener as (payload: unknown) => void);
    },
    status: () => status.get(),
    onStatus: (listener) => status.on(listener),
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close(1000, 'renderer closed');
      socket = null;
    },
  };
}

/** 32 hex digits from the browser's CSPRNG: names this page to the bridge (not a secret: the token is). */
function randomSession(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
