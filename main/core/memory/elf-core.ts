/**
 * The head of an ELF core file (ELF-64, little- or big-endian) for a memory image: the ELF header,
 * one PT_NOTE and one PT_LOAD per region, and the notes. Sources: the System V ABI's ELF format
 * (gABI, "Program Header" and "Note Section"), the Linux core dump writer (fs/binfmt_elf.c:
 * fill_files_note for NT_FILE, fill_psinfo for NT_PRPSINFO) and include/uapi/linux/elf.h. The
 * region bytes follow the head in program-header order, each PT_LOAD's p_offset page-aligned, so
 * the file can be written as a stream once the region list is known. docs/memory-image.md says
 * what is in it and what is not (no registers: reading them needs a ptrace stop).
 */

export const PAGE = 4096;
const EHDR = 64;
const PHDR = 56;
const PT_LOAD = 1;
const PT_NOTE = 4;
const NT_PRPSINFO = 3;
const NT_FILE = 0x46494c45;
/** ELF machine numbers (gABI registry) for the engine architectures Drydock runs helpers on. */
const MACHINES: Record<string, number> = { amd64: 62, arm64: 183, '386': 3, arm: 40, ppc64le: 21, s390x: 22, riscv64: 243 };

export interface CoreRegion {
  start: bigint;
  end: bigint;
  /** Page offset into the mapped file (maps offset / page size), for NT_FILE. */
  fileOffset: bigint;
  perms: string;
  /** Mapped file's path (as maps prints it) or '' / a pseudo-path. */
  path: string;
  /** Whether its bytes are in the image (p_filesz = size) or not (p_filesz = 0). */
  included: boolean;
}

export interface CoreProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  uid: number;
  gid: number;
  /** stat's state letter. */
  state: string;
  /** comm, at most 15 bytes kept. */
  comm: Buffer;
  /** The command line with NULs as spaces, at most 79 bytes kept. */
  args: Buffer;
}

export interface CoreLayout {
  head: Buffer;
  /** p_offset of each region (in the order given); meaningful for included regions. */
  offsets: number[];
  /** Total file size once every included region is written. */
  size: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function note(name: string, type: number, desc: Buffer, le: boolean): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  const out = Buffer.alloc(12 + pad4(nameBytes.length) + pad4(desc.length));
  const u32 = (v: number, at: number) => (le ? out.writeUInt32LE(v, at) : out.writeUInt32BE(v, at));
  u32(nameBytes.length, 0);
  u32(desc.length, 4);
  u32(type, 8);
  nameBytes.copy(out, 12);
  desc.copy(out, 12 + pad4(nameBytes.length));
  return out;
}

/** NT_FILE: count, page size, then (start, end, page offset) per file mapping, then their NUL-ended names. */
function fileNote(regions: readonly CoreRegion[], le: boolean): Buffer {
  const files = regions.filter((r) => r.path.startsWith('/'));
  const names = files.map((r) => Buffer.from(`${r.path}\0`, 'latin1'));
  const desc = Buffer.alloc(16 + files.length * 24 + names.reduce((n, b) => n + b.length, 0));
  const u64 = (v: bigint, at: number) => (le ? desc.writeBigUInt64LE(v, at) : desc.writeBigUInt64BE(v, at));
  u64(BigInt(files.length), 0);
  u64(BigInt(PAGE), 8);
  files.forEach((r, i) => {
    u64(r.start, 16 + i * 24);
    u64(r.end, 24 + i * 24);
    u64(r.fileOffset, 32 + i * 24);
  });
  let at = 16 + files.length * 24;
  for (const name of names) {
    name.copy(desc, at);
    at += name.length;
  }
  return note('CORE', NT_FILE, desc, le);
}

/** NT_PRPSINFO: struct elf_prpsinfo of the 64-bit ABIs (136 bytes; 32-bit uid/gid as on x86-64 and arm64). */
function psinfoNote(p: CoreProcessInfo, le: boolean): Buffer {
  const d = Buffer.alloc(136);
  const states = 'RSDTZW';
  const index = states.indexOf(p.state);
  d.writeInt8(index < 0 ? 0 : index, 0); // pr_state
  d.write(/^[A-Za-z]$/.test(p.state) ? p.state : '.', 1, 'latin1'); // pr_sname
  d.writeInt8(p.state === 'Z' ? 1 : 0, 2); // pr_zomb
  // pr_nice (3) 0; pr_flag (8, u64) 0
  const u32 = (v: number, at: number) => (le ? d.writeUInt32LE(v >>> 0, at) : d.writeUInt32BE(v >>> 0, at));
  u32(p.uid, 16);
  u32(p.gid, 20);
  u32(p.pid, 24);
  u32(p.ppid, 28);
  u32(p.pgrp, 32);
  u32(p.sid, 36);
  p.comm.subarray(0, 15).copy(d, 40);
  p.args.subarray(0, 79).copy(d, 56);
  return note('CORE', NT_PRPSINFO, d, le);
}

/**
 * Lays out the core file: header, program headers, notes, then each included region's bytes at a
 * page-aligned offset, in the order given.
 * @throws Error for an architecture with no ELF machine number here, or more than 65,534 regions
 *   (PN_XNUM would need a section header; callers cap regions below it).
 */
export function coreLayout(regions: readonly CoreRegion[], proc: CoreProcessInfo, arch: string, littleEndian: boolean): CoreLayout {
  const machine = MACHINES[arch];
  if (machine === undefined) throw new Error(`no ELF machine number for architecture ${arch}`);
  if (regions.length + 1 >= 0xffff) throw new Error(`${regions.length} regions is more than an ELF core without section headers holds`);
  const le = littleEndian;
  const notes = Buffer.concat([psinfoNote(proc, le), fileNote(regions, le)]);
  const phnum = regions.length + 1;
  const notesAt = EHDR + phnum * PHDR;
  let cursor = Math.ceil((notesAt + notes.length) / PAGE) * PAGE;
  const offsets: number[] = [];
  for (const r of regions) {
    offsets.push(cursor);
    if (r.included) cursor += Number(r.end - r.start);
  }
  const head = Buffer.alloc(Math.ceil((notesAt + notes.length) / PAGE) * PAGE);
  // e_ident: magic, ELFCLASS64, data encoding, EV_CURRENT, ELFOSABI_NONE.
  head.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1, 0], 0);
  const u16 = (v: number, at: number) => (le ? head.writeUInt16LE(v, at) : head.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (le ? head.writeUInt32LE(v, at) : head.writeUInt32BE(v, at));
  const u64 = (v: bigint | number, at: number) => (le ? head.writeBigUInt64LE(BigInt(v), at) : head.writeBigUInt64BE(BigInt(v), at));
  u16(4, 16); // e_type ET_CORE
  u16(machine, 18);
  u32(1, 20); // e_version
  u64(0, 24); // e_entry
  u64(EHDR, 32); // e_phoff
  u64(0, 40); // e_shoff
  u32(0, 48); // e_flags
  u16(EHDR, 52); // e_ehsize
  u16(PHDR, 54); // e_phentsize
  u16(phnum, 56);
  u16(64, 58); // e_shentsize
  u16(0, 60); // e_shnum
  u16(0, 62); // e_shstrndx
  const phdr = (i: number, type: number, flags: number, offset: number, vaddr: bigint, filesz: bigint, memsz: bigint, align: number) => {
    const at = EHDR + i * PHDR;
    u32(type, at);
    u32(flags, at + 4);
    u64(offset, at + 8);
    u64(vaddr, at + 16);
    u64(0, at + 24); // p_paddr
    u64(filesz, at + 32);
    u64(memsz, at + 40);
    u64(align, at + 48);
  };
  phdr(0, PT_NOTE, 0, notesAt, 0n, BigInt(notes.length), 0n, 0);
  regions.forEach((r, i) => {
    const flags = (r.perms[0] === 'r' ? 4 : 0) | (r.perms[1] === 'w' ? 2 : 0) | (r.perms[2] === 'x' ? 1 : 0);
    const size = r.end - r.start;
    phdr(i + 1, PT_LOAD, flags, offsets[i] ?? 0, r.start, r.included ? size : 0n, size, PAGE);
  });
  notes.copy(head, notesAt);
  return { head, offsets, size: cursor };
}
