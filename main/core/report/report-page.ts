// The case report as one self-contained HTML page: inline styles, an inline SVG, no script, no
// external reference, REPORT_CSP in a <meta>, every value from a host escaped (html-text.ts).
import type { ArtifactInfo, CaseInfo } from '../../../shared/domain/evidence';
import type { TimelineRow } from '../../../shared/domain/timeline';
import { REPORT_CSP } from '../../../shared/csp';
import { zonedIso } from '../../../shared/timeline-formats';
import { esc } from './html-text';

export type FindingSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface Finding {
  severity: FindingSeverity;
  /** risk, drift, process, flow, quarantine, benchmark, journal; drydock for Drydock's own containers (a fleet collector) */
  category: string;
  host?: string;
  container?: string;
  title: string;
  detail?: string;
  artifactId?: string;
}

export interface ReportModel {
  kase: CaseInfo;
  examiner: string;
  generatedAt: string;
  drydockVersion: string;
  timeZone: string;
  findings: Finding[];
  timeline: TimelineRow[];
  timelineTotal: number;
  graphSvg: string;
  artifacts: ArtifactInfo[];
  auditHead?: { seq: number; hash: string };
  auditEntries: number;
  verification: { ok: boolean; checkedArtifacts: number; checkedEntries: number; problems: string[]; verifiedAt: string };
  signature?: { status: string; fingerprint?: string; signer?: string; signedAt?: string };
  notCovered: string[];
}

const STYLE = `
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2833;margin:24px 32px;}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;border-bottom:2px solid #1c2833;padding-bottom:3px;margin-top:28px;page-break-after:avoid}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:11.5px}th,td{border:1px solid #d5d8dc;padding:3px 5px;text-align:left;vertical-align:top}
th{background:#eaecee}td.time{white-space:nowrap;font-size:10px}tr{page-break-inside:avoid}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:10.5px;word-break:break-all}
.sev{font-weight:600;text-transform:uppercase;font-size:10px;padding:1px 4px;border-radius:3px;color:#fff}
.critical{background:#b00020}.high{background:#d35400}.medium{background:#b7950b}.low{background:#2e86c1}.info{background:#7f8c8d}
.meta td:first-child{width:190px;font-weight:600}.ok{color:#1e8449;font-weight:600}.bad{color:#b00020;font-weight:600}
.note{color:#566573;font-size:11px}ul{margin:4px 0 4px 18px;padding:0}
`;

function sev(s: string): string {
  return `<span class="sev ${esc(s)}">${esc(s)}</span>`;
}

/** Renders the model as the report's HTML (UTF-8 text). */
export function reportHtml(m: ReportModel): string {
  const k = m.kase;
  const counts = new Map<string, number>();
  for (const f of m.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const summary = ['critical', 'high', 'medium', 'low', 'info'].map((s) => `${sev(s)} ${counts.get(s) ?? 0}`).join(' &nbsp; ');
  const findings = m.findings.length
    ? `<table><tr><th>Severity</th><th>Kind</th><th>Where</th><th>Finding</th><th>Evidence</th></tr>${m.findings
        .map(
          (f) =>
            `<tr><td>${sev(f.severity)}</td><td>${esc(f.category)}</td><td>${esc([f.host, f.container].filter(Boolean).join(' / '))}</td><td>${esc(f.title)}${f.detail ? `<div class="note">${esc(f.detail)}</div>` : ''}</td><td class="mono">${esc(f.artifactId ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : '<p>No findings: the case holds no risk flag, drift, flagged process, notable flow or quarantine.</p>';
  const timeline = m.timeline.length
    ? `<p class="note">${m.timeline.length} of ${m.timelineTotal} timeline rows (${m.timeline.length < m.timelineTotal ? 'those of severity low and above, engine exec events and every quarantine step; the full timeline is exported with drydock timeline' : 'all rows'}), times in ${esc(m.timeZone)}.</p><table><tr><th>Time (${esc(m.timeZone)})</th><th>Source</th><th>Severity</th><th>Where</th><th>What</th></tr>${m.timeline
        .map(
          (r) =>
            `<tr><td class="mono time">${esc(zonedIso(r, m.timeZone).replace('T', ' '))}</td><td>${esc(r.source)}<div class="note">${esc(r.timestampDesc)}</div></td><td>${sev(r.severity)}</td><td>${esc([r.host, r.container].filter(Boolean).join(' / '))}</td><td>${esc(r.message)}</td></tr>`,
        )
        .join('')}</table>`
    : '<p>The timeline is empty.</p>';
  const evidence = `<table><tr><th>Artifact</th><th>Kind</th><th>Status</th><th>Source</th><th>Acquired (UTC)</th><th>Method</th><th>Tool</th><th>Size</th><th>SHA-256</th></tr>${m.artifacts
    .map(
      (a) =>
        `<tr><td class="mono">${esc(a.id)}</td><td>${esc(a.kind)}</td><td>${a.status === 'complete' ? 'complete' : `<span class="bad">incomplete</span><div class="note">${esc(a.statusReason ?? '')}</div>`}</td><td>${esc([a.source.host, a.source.containerName, a.source.path].filter(Boolean).join(' / '))}</td><td class="mono">${esc(a.acquiredAt)}</td><td>${esc(a.method)}</td><td>Drydock ${esc(a.drydockVersion)}</td><td>${a.size}</td><td class="mono">${esc(a.sha256)}</td></tr>`,
    )
    .join('')}</table>`;
  const v = m.verification;
  const verification = `<table class="meta"><tr><td>Audit chain head</td><td class="mono">${m.auditHead ? `entry ${m.auditHead.seq}, hash ${esc(m.auditHead.hash)}` : 'empty chain'}</td></tr>
<tr><td>Verification</td><td>${v.ok ? `<span class="ok">verified</span>` : `<span class="bad">FAILED</span>`}: ${v.checkedArtifacts} artifacts re-hashed, ${v.checkedEntries} audit entries checked at ${esc(v.verifiedAt)}${v.problems.length ? `<ul>${v.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''}</td></tr>
${m.signature ? `<tr><td>Bundle signature</td><td>${esc(m.signature.status)}${m.signature.fingerprint ? `, key <span class="mono">${esc(m.signature.fingerprint)}</span>` : ''}${m.signature.signer ? `, signed by ${esc(m.signature.signer)}` : ''}${m.signature.signedAt ? ` at ${esc(m.signature.signedAt)}` : ''}</td></tr>` : ''}
<tr><td>This report</td><td>Stored in the case as an artifact after it was written: its SHA-256 is recorded in the audit chain (the entry after the head quoted above).</td></tr></table>`;
  const notCovered = m.notCovered.length
    ? `<ul>${m.notCovered.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`
    : '<p>Nothing recorded as not covered.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">
<meta name="referrer" content="no-referrer">
<title>Drydock case report: ${esc(k.name)}</title><style>${STYLE}</style></head>
<body>
<h1>Case report: ${esc(k.name)}</h1>
<p class="note">Generated ${esc(m.generatedAt)} by Drydock ${esc(m.drydockVersion)}. Times are UTC unless a column names another zone.</p>
<h2>Case</h2>
<table class="meta"><tr><td>Case ID</td><td class="mono">${esc(k.id)}</td></tr>
<tr><td>Examiner</td><td>${esc(k.examiner)}${m.examiner !== k.examiner ? ` (report made by ${esc(m.examiner)})` : ''}</td></tr>
<tr><td>Organisation</td><td>${esc(k.organisation || '—')}</td></tr>
<tr><td>Description</td><td>${esc(k.description || '—')}</td></tr>
<tr><td>Opened / closed</td><td>${esc(k.createdAt)} / ${esc(k.closedAt ?? 'open')}</td></tr>
<tr><td>Case time zone</td><td>${esc(k.timeZone)}</td></tr>
<tr><td>Status</td><td>${esc(k.status)}${k.readOnly ? ' (imported, read-only)' : ''}</td></tr></table>
<h2>Summary of findings</h2>
<p>${summary}</p>
${findings}
<h2>Timeline</h2>
${timeline}
<h2>Connection graph</h2>
${m.graphSvg || '<p>No connection snapshot in the case.</p>'}
<h2>Evidence</h2>
<p class="note">${m.artifacts.length} artifacts; each is named by its SHA-256 in the store and re-hashed by the verification below.</p>
${evidence}
<h2>Integrity</h2>
${verification}
<h2>What this case does not cover</h2>
${notCovered}
</body></html>
`;
}
