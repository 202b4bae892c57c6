// The case report: what Drydock hands a second examiner, a manager or a court.

export interface CaseReport {
  caseId: string;
  caseName: string;
  /** The self-contained HTML page, stored in the case. */
  html: { artifactId: string; sha256: string; bytes: number };
  /** The PDF rendered from the same page, when asked and a browser engine was found. */
  pdf?: { artifactId: string; sha256: string; bytes: number; renderer: string };
  /** Where the asked-for format was written, when a target was given. */
  written?: { path: string; format: 'html' | 'pdf'; bytes: number; sha256: string };
  /** Why the PDF was not made (no Chromium here), when it was asked for and not made. */
  pdfUnavailable?: string;
  findings: number;
  timelineRows: number;
  artifacts: number;
  /** The chain head the report quotes, and whether the case verified when it was made. */
  auditHead?: { seq: number; hash: string };
  verified: boolean;
}
