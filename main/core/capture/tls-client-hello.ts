import { wireText } from './wire-text';

/**
 * The server name a TLS ClientHello asks for, when the whole extension is in this segment
 * (no reassembly: a ClientHello split across segments yields nothing rather than a wrong name).
 */
export function tlsServerName(payload: Buffer): string | null {
  // Record: handshake (22), TLS 1.x major version 3, then a ClientHello (1).
  if (payload.length < 43 || payload.readUInt8(0) !== 0x16 || payload.readUInt8(1) !== 0x03 || payload.readUInt8(5) !== 0x01) return null;
  const end = Math.min(payload.length, 5 + payload.readUInt16BE(3));
  let offset = 5 + 4 + 2 + 32; // record header, handshake header, client version, random
  if (offset + 1 > end) return null;
  offset += 1 + payload.readUInt8(offset); // session id
  if (offset + 2 > end) return null;
  offset += 2 + payload.readUInt16BE(offset); // cipher suites
  if (offset + 1 > end) return null;
  offset += 1 + payload.readUInt8(offset); // compression methods
  if (offset + 2 > end) return null;
  const extensionsEnd = Math.min(end, offset + 2 + payload.readUInt16BE(offset));
  offset += 2;
  while (offset + 4 <= extensionsEnd) {
    const type = payload.readUInt16BE(offset);
    const length = payload.readUInt16BE(offset + 2);
    offset += 4;
    if (offset + length > extensionsEnd) return null;
    if (type === 0) {
      // server_name_list: length, then entries of (type, length, name); host_name is type 0.
      let entry = offset + 2;
      const listEnd = Math.min(offset + length, offset + 2 + (length >= 2 ? payload.readUInt16BE(offset) : 0));
      while (entry + 3 <= listEnd) {
        const nameType = payload.readUInt8(entry);
        const nameLength = payload.readUInt16BE(entry + 1);
        if (entry + 3 + nameLength > listEnd) return null;
        if (nameType === 0) return wireText(payload.subarray(entry + 3, entry + 3 + nameLength));
        entry += 3 + nameLength;
      }
      return null;
    }
    offset += length;
  }
  return null;
}
