import { z } from 'zod';

// Shared validators for values that reach the core from a renderer or a command line.

/** Host profile names: short, printable, no path or shell metacharacters. */
export const hostName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore, starting with a letter or digit');

/** A container ID (full or at least 12 hex chars) or a container name as Docker allows it. */
export const containerRef = z
  .string()
  .min(1)
  .max(128)
  .regex(/^\/?[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a container ID or name');

export const sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'a SHA-256 in lowercase hex');

export const caseId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** An absolute local file path chosen by the user (export targets, certificates, keys). */
export const localPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'no NUL bytes');

export const empty = z.object({}).strict();

/** A case named or identified by the user (printable, no control characters); absent = the current case. */
export const caseRef = z
  .string()
  .min(1)
  .max(200)
  .refine((value) => ![...value].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f'), 'no control characters');

export const artifactId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'an artifact ID');
