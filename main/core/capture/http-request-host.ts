import { wireText } from './wire-text';

const METHOD = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE|PROPFIND) \S/;

/** The Host header of an HTTP/1.x request that starts in this segment, when it is there. */
export function httpRequestHost(payload: Buffer): string | null {
  if (payload.length < 16) return null;
  const head = payload.subarray(0, Math.min(payload.length, 8192)).toString('latin1');
  if (!METHOD.test(head)) return null;
  const match = /\r\nhost:[ \t]*([^\r\n]*)/i.exec(head);
  if (!match || match[1] === undefined) return null;
  return wireText(Buffer.from(match[1].trimEnd(), 'latin1'));
}
