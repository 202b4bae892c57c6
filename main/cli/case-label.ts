import type { CliContext } from './command';
import { safeText } from './terminal-safe';

/**
 * A case as a confirmation should name it: `"INC-7" (ID)`, so the examiner reads the name they know
 * and a script still gets the ID. Falls back to the ID alone when the case list cannot be read.
 */
export async function caseLabel(ctx: CliContext, caseId: string): Promise<string> {
  try {
    const { cases } = await ctx.call('evidence.cases', {});
    const kase = cases.find((c) => c.id === caseId);
    return kase ? `${JSON.stringify(safeText(kase.name, 200))} (${caseId})` : caseId;
  } catch {
    // The confirmation still names the case by its ID; the store's own error surfaces elsewhere.
    return caseId;
  }
}
