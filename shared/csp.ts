// The Content-Security-Policy of Drydock's own pages, defined once. The Electron app:// protocol
// and the loopback bridge send APP_CSP as a header; the renderer's build writes APP_CSP_META into
// index.html (renderer/vite.config.mts), so a page opened any other way is held to the same rules.

type Directives = Readonly<Record<string, readonly string[]>>;

/**
 * Scripts, styles and fonts from the app's own origin only; no inline code, no eval, no plugins,
 * no <base>, no form posts. connect-src 'self' covers the bridge's WebSocket too (CSP Level 3
 * matches ws: on the page's own host and port), so one policy serves Electron and the bridge.
 */
const APP_DIRECTIVES: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** Directives a <meta> policy may not carry (browsers ignore them there and log an error). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

function serialise(directives: Directives, forMeta: boolean): string {
  return Object.entries(directives)
    .filter(([name]) => !forMeta || !HEADER_ONLY.has(name))
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** The policy of the app's own pages, as an HTTP header value (app:// protocol, bridge). */
export const APP_CSP = serialise(APP_DIRECTIVES, false);

/** The same policy for the renderer's <meta http-equiv> (without the header-only directives). */
export const APP_CSP_META = serialise(APP_DIRECTIVES, true);

/**
 * Documents Drydock writes for others to open (the offline case report): nothing may load or run.
 * No script at all, no network, styles and images only inline in the file itself. Meant for a
 * <meta http-equiv> in a standalone file, so it carries no header-only directive.
 */
export const REPORT_CSP = serialise(
  {
    'default-src': ["'none'"],
    'style-src': ["'unsafe-inline'"],
    'img-src': ['data:'],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  },
  true,
);
