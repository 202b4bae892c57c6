import type { ExecutableKind } from '../../../shared/domain/drift';

/** Bytes kept from the start of each file read: enough for magic numbers and a shebang line. */
export const HEAD_BYTES = 256;

/** What runs: an ELF image, a script with a shebang, or anything else with an execute bit. */
export function executableKind(head: Buffer, mode: number): ExecutableKind | undefined {
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) return 'script';
  if ((mode & 0o111) !== 0) return 'exec-bit';
  return undefined;
}

/** A shared object (ELF type ET_DYN without an interpreter cannot be told apart cheaply; the name decides). */
export function looksLikeLibrary(path: string): boolean {
  return /\.so(\.[0-9.]+)?$/.test(path);
}

/** Collects the first HEAD_BYTES of a stream as it passes. */
export class HeadCollector {
  private readonly parts: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): void {
    if (this.length >= HEAD_BYTES) return;
    const part = chunk.subarray(0, HEAD_BYTES - this.length);
    this.parts.push(Buffer.from(part));
    this.length += part.length;
  }

  get head(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}
