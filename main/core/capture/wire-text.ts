/**
 * Text taken off the wire (DNS names, SNI, HTTP Host) as a safe string: printable ASCII kept,
 * backslash doubled, every other byte written as \xNN. Stored and shown like this, a name can
 * neither hide characters from the examiner nor carry terminal or HTML control sequences, and the
 * original bytes can still be read back from it.
 */
export function wireText(bytes: Buffer, maxBytes = 255): string {
  let out = '';
  const end = Math.min(bytes.length, maxBytes);
  for (let i = 0; i < end; i++) {
    const byte = bytes.readUInt8(i);
    if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x21 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > maxBytes ? `${out}…` : out;
}
