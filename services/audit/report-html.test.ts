import { describe, expect, it } from 'vitest';
import type { AuditResult } from './engine.ts';
import { countByKind, type Finding } from './findings.ts';
import { renderAuditReport } from './report-html.ts';

function resultWith(findings: Finding[], batches: AuditResult['batches'] = []): AuditResult {
  return {
    ok: findings.length === 0,
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 1500,
    chain: { chainId: '31337', contractAddress: '0x00000000000000000000000000000000000000aa', latestBatchId: batches.length },
    summary: {
      recordVersions: 10,
      versionsPerSecond: 7,
      batchesInDatabase: batches.length,
      batchesAnchored: batches.length,
      batchesVerified: batches.filter((b) => b.intact).length,
      leavesVerified: 10,
      pendingWithinAge: 0,
      batchesAwaitingAnchor: 0,
      maxPendingAgeMs: 3_600_000,
      workers: 2,
      fixity: { mode: 'off', committedObjects: 0, checked: 0 },
      peopleIndex: false,
    },
    counts: countByKind(findings),
    findings,
    batches,
  };
}

describe('the HTML audit report', () => {
  it('escapes whatever the ledger holds, so an object key cannot inject markup', () => {
    const html = renderAuditReport(
      resultWith([{ kind: 'object-missing', message: 'object <b>x</b> is missing', versionId: '3', objectKey: `scans/"><script>alert('x')</script>` }]),
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('scans/&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
  });

  it('counts the findings of every kind, failed ones included', () => {
    const html = renderAuditReport(resultWith([{ kind: 'root-mismatch', message: 'batch 2', batchId: 2 }]));
    expect(html).toMatch(/<tr class="bad"><td><code>root-mismatch<\/code><\/td><td>[^<]+<\/td><td class="n">1<\/td><\/tr>/);
    expect(html).toMatch(/<tr class=""><td><code>content-changed<\/code><\/td><td>[^<]+<\/td><td class="n">0<\/td><\/tr>/);
  });

  it('draws batches over time as an inline SVG, marking leaves of failed batches', () => {
    const batches = [1, 2, 3].map((id) => ({ id, leafCount: 100, anchoredAt: new Date(Date.UTC(2025, 0, id)).toISOString(), intact: id !== 2 }));
    const html = renderAuditReport(resultWith([{ kind: 'root-mismatch', message: 'batch 2', batchId: 2 }], batches));
    expect(html.match(/<rect [^>]*class="bar"/g)).toHaveLength(3);
    expect(html.match(/<rect [^>]*class="failed"/g)).toHaveLength(1);
  });

  it('needs nothing outside the file', () => {
    const html = renderAuditReport(resultWith([], [{ id: 1, leafCount: 5, anchoredAt: '2025-01-01T00:00:00.000Z', intact: true }]));
    expect(html).not.toMatch(/\b(src|href)=|<script|<link|@import|url\(/i);
    expect(html).toContain('None: every record version, batch and checked object is intact.');
  });
});
