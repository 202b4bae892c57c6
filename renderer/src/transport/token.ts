const STORAGE_KEY = 'drydock.bridge-token';
// What a WebSocket subprotocol may carry (RFC 7230 token characters, minus a few we never issue).
const TOKEN_SHAPE = /^[A-Za-z0-9._~-]{8,512}$/;

/**
 * The bridge URL carries its access token in the fragment (never sent to a server, never in a
 * referrer). Take it once, keep it for this tab only, and drop it from the address bar so it does
 * not end up in a screenshot or a shared link.
 */
export function takeBridgeToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'>): string | null {
  const params = new URLSearchParams(win.location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash !== null) {
    win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}`);
    if (TOKEN_SHAPE.test(fromHash)) {
      try {
        win.sessionStorage.setItem(STORAGE_KEY, fromHash);
      } catch {
        // Storage can be disabled; the token still works for this page's lifetime.
      }
      return fromHash;
    }
  }
  try {
    const stored = win.sessionStorage.getItem(STORAGE_KEY);
    return stored !== null && TOKEN_SHAPE.test(stored) ? stored : null;
  } catch {
    return null;
  }
}
