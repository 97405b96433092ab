/**
 * @module
 * `crvs audit --report FILE.html`: the audit's findings as one self-contained HTML page (no
 * scripts, no external assets: it must open years later on an offline machine) with a summary,
 * counts per kind of failure, the table of findings and the batches anchored over time as an
 * inline SVG chart. Every value from the ledger is escaped: a record's content is attacker
 * controlled as far as the auditor is concerned.
 */
import type { AuditResult, BatchOverview } from './engine.ts';
import { FINDING_KINDS, FINDING_TITLES, type Finding } from './findings.ts';
import { formatAge } from './ledger-scan.ts';

/** The table shows this many findings; the JSON output always has them all. */
export const MAX_FINDINGS_IN_REPORT = 10_000;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function renderAuditReport(result: AuditResult): string {
  const verdict = result.ok ? `Intact${uncheckedNote(result.summary)}` : 'Integrity failures found';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Registry audit ${result.startedAt}: ${verdict}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Registry audit <span class="${result.ok ? 'ok' : 'bad'}">${escapeHtml(verdict)}</span></h1>
${summarySection(result)}
${countsSection(result)}
${chartSection(result.batches)}
${findingsSection(result.findings)}
</body>
</html>
`;
}

/** What an intact verdict does not cover, said in the verdict itself. */
function uncheckedNote(s: AuditResult['summary']): string {
  const f = s.fixity;
  const parts = [
    f.mode === 'off' ? 'stored scans not checked' : f.checked < f.committedObjects ? `stored scans: a sample of ${f.checked} of ${f.committedObjects} checked` : '',
    s.peopleIndex ? '' : 'people index not checked',
  ].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function summarySection(r: AuditResult): string {
  const s = r.summary;
  const rows: [string, unknown][] = [
    ['Started', r.startedAt],
    ['Duration', `${(r.durationMs / 1000).toFixed(1)} s (${s.versionsPerSecond.toLocaleString('en')} versions/s, ${s.workers} hashing threads)`],
    ['Chain', `chain id ${r.chain.chainId}, contract ${r.chain.contractAddress}, latest batch ${r.chain.latestBatchId}`],
    ['Record versions', s.recordVersions.toLocaleString('en')],
    ['Batches', `${s.batchesAnchored} anchored, ${s.batchesVerified} verified, ${s.batchesInDatabase} in the database, ${s.batchesAwaitingAnchor} awaiting anchoring`],
    ['Leaves verified against the chain', s.leavesVerified.toLocaleString('en')],
    ['Pending within the allowed age', `${s.pendingWithinAge} (allowed ${formatAge(s.maxPendingAgeMs)})`],
    ['Fixity', s.fixity.mode === 'off' ? 'not checked' : `${s.fixity.checked} of ${s.fixity.committedObjects} objects checked (${s.fixity.mode})`],
    ['People index', s.peopleIndex ? 'checked against the records' : 'not checked'],
  ];
  return `<h2>Summary</h2>\n<table class="summary">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function countsSection(r: AuditResult): string {
  const rows = FINDING_KINDS.map(
    (k) => `<tr class="${r.counts[k] ? 'bad' : ''}"><td><code>${escapeHtml(k)}</code></td><td>${escapeHtml(FINDING_TITLES[k])}</td><td class="n">${r.counts[k]}</td></tr>`,
  );
  return `<h2>Findings per kind</h2>\n<table><thead><tr><th>Kind</th><th>Meaning</th><th>Count</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function findingsSection(findings: readonly Finding[]): string {
  if (!findings.length) return '<h2>Findings</h2>\n<p class="ok">None: every record version, batch and checked object is intact.</p>';
  const shown = findings.slice(0, MAX_FINDINGS_IN_REPORT);
  const cells = (f: Finding) =>
    [f.kind, f.batchId, f.position, f.versionId, f.registrationNumber ? `${f.recordId} (registration ${f.registrationNumber})` : f.recordId, f.objectKey, f.message, f.expected, f.actual].map((v) => `<td>${escapeHtml(v)}</td>`).join('');
  const more = findings.length > shown.length ? `<p>${findings.length - shown.length} more findings are in <code>crvs audit --json</code>.</p>` : '';
  return `<h2>Findings (${findings.length})</h2>
<table class="findings"><thead><tr><th>Kind</th><th>Batch</th><th>Position</th><th>Version</th><th>Record</th><th>Object</th><th>What</th><th>Expected</th><th>Found</th></tr></thead>
<tbody>${shown.map((f) => `<tr>${cells(f)}</tr>`).join('\n')}</tbody></table>${more}`;
}

interface Bucket {
  from: number;
  to: number;
  leaves: number;
  failedLeaves: number;
  batches: number;
}

const CHART = { width: 760, height: 220, left: 60, bottom: 30, top: 10, maxBuckets: 60 };

/** Leaves anchored per interval of time, with those of batches that failed in red. */
export function chartSection(batches: readonly BatchOverview[]): string {
  if (!batches.length) return '<h2>Batches over time</h2>\n<p>No batch has been anchored yet.</p>';
  const buckets = bucketByTime(batches);
  const max = Math.max(...buckets.map((b) => b.leaves), 1);
  const plotW = CHART.width - CHART.left - 10;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const barW = plotW / buckets.length;
  const bars = buckets.map((b, i) => {
    const x = CHART.left + i * barW;
    const h = (b.leaves / max) * plotH;
    const bad = (b.failedLeaves / max) * plotH;
    const label = `${new Date(b.from).toISOString()} – ${new Date(b.to).toISOString()}: ${b.batches} batches, ${b.leaves} leaves, ${b.failedLeaves} in failed batches`;
    const base = CHART.top + plotH;
    return (
      `<g><title>${escapeHtml(label)}</title>` +
      `<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${Math.max(barW - 1, 1).toFixed(1)}" height="${h.toFixed(1)}" class="bar"/>` +
      (bad > 0 ? `<rect x="${x.toFixed(1)}" y="${(base - bad).toFixed(1)}" width="${Math.max(barW - 1, 1).toFixed(1)}" height="${bad.toFixed(1)}" class="failed"/>` : '') +
      '</g>'
    );
  });
  const first = new Date(buckets[0]!.from).toISOString();
  const last = new Date(buckets.at(-1)!.to).toISOString();
  const axisY = CHART.top + plotH;
  return `<h2>Batches over time</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${CHART.height}" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="Leaves anchored over time">
<line x1="${CHART.left}" y1="${axisY}" x2="${CHART.width - 10}" y2="${axisY}" class="axis"/>
<line x1="${CHART.left}" y1="${CHART.top}" x2="${CHART.left}" y2="${axisY}" class="axis"/>
<text x="${CHART.left - 6}" y="${CHART.top + 10}" text-anchor="end">${max}</text>
<text x="${CHART.left - 6}" y="${axisY}" text-anchor="end">0</text>
<text x="${CHART.left}" y="${CHART.height - 8}">${escapeHtml(first)}</text>
<text x="${CHART.width - 10}" y="${CHART.height - 8}" text-anchor="end">${escapeHtml(last)}</text>
${bars.join('\n')}
</svg>
<p class="legend"><span class="swatch bar"></span> leaves anchored <span class="swatch failed"></span> leaves in batches with findings (${batches.length} batches)</p>`;
}

/** Up to {@link CHART.maxBuckets} equal intervals between the first and the last anchoring. */
function bucketByTime(batches: readonly BatchOverview[]): Bucket[] {
  const times = batches.map((b) => Date.parse(b.anchoredAt));
  const start = Math.min(...times);
  const end = Math.max(...times);
  const count = end === start ? 1 : Math.min(CHART.maxBuckets, batches.length);
  const width = (end - start) / count || 1;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({ from: start + i * width, to: start + (i + 1) * width, leaves: 0, failedLeaves: 0, batches: 0 }));
  batches.forEach((b, i) => {
    const bucket = buckets[Math.min(count - 1, Math.floor((times[i]! - start) / width))]!;
    bucket.leaves += b.leafCount;
    bucket.batches++;
    if (!b.intact) bucket.failedLeaves += b.leafCount;
  });
  return buckets;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #1d1d1f; padding: 0 1em; }
h1 span { font-size: 0.7em; padding: 0.1em 0.5em; border-radius: 4px; vertical-align: middle; }
h1 span.ok { background: #d8f3dc; } h1 span.bad { background: #ffd6d6; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
table.summary th { background: #f4f4f4; font-weight: 600; }
td.n { text-align: right; } tr.bad td { background: #fff0f0; }
table.findings td { font-size: 12px; word-break: break-all; }
table.findings td:first-child { white-space: nowrap; word-break: normal; }
p.ok { color: #1b6b35; }
svg text { font-size: 11px; fill: #555; } .axis { stroke: #888; }
.bar { fill: #6c8ebf; } .failed { fill: #d9534f; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; }
.swatch.bar { background: #6c8ebf; } .swatch.failed { background: #d9534f; }
`;
