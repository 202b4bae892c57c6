/**
 * How much of an artifact `drydock evidence show` previews, in bytes: a short look by default (a
 * screenful of hex or text), `--bytes N` for more. Kept apart from the command so its help can say
 * so without loading the command or the contract (zod) at start.
 */
export const EVIDENCE_PREVIEW_DEFAULT_BYTES = 512;

/** The contract's PREVIEW_MAX_BYTES (the evidence.preview schema refuses more), restated for the same reason; a unit test holds them equal. */
export const EVIDENCE_PREVIEW_MAX_BYTES = 1024 * 1024;
