/**
 * @module
 * The bodies of the public pages: the verdict on a verification link, and the result of an
 * independent evidence check. Pure functions from a verdict to HTML (see `layout.ts`).
 */
import { html, raw } from 'hono/html';
import type { EvidenceVerification, StepName } from '../ledger/evidence-verifier.ts';
import type { PublicSummary } from '../certificates/record-fields.ts';
import { formatDate } from '../certificates/certificate.ts';
import { say, type Language } from './messages.ts';
import type { Html } from './layout.ts';
import type { PageVerdict, Genuine } from './verdict.ts';

// Shown as one instant in Uzbekistan's time zone (UTC+5, no daylight saving) in every language.
const TASHKENT_TIME = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tashkent', dateStyle: 'short', timeStyle: 'medium' });
const moment = (at: Date): string => `${TASHKENT_TIME.format(at)} (UTC+5)`;

export interface VerdictPageOptions {
  language: Language;
  verdict: PageVerdict;
  /** Link to the evidence bundle, when the version is anchored. */
  evidenceHref?: string;
  /** Where the evidence form posts. */
  evidenceAction: string;
}

export function verdictBody(options: VerdictPageOptions): Html {
  const { language: l, verdict } = options;
  if (verdict.outcome !== 'genuine') {
    const text = verdict.outcome === 'integrity-failure' ? say(l, 'integrityText') : say(l, 'notConfirmedText');
    return html`<p class="kicker">${say(l, 'pageTitle')}</p>
<section class="verdict not-confirmed" aria-labelledby="verdict"><h1 id="verdict"><span aria-hidden="true">✗ </span>${say(l, 'notConfirmed')}</h1><p>${text}</p></section>
${evidenceForm(l, options.evidenceAction)}`;
  }
  const superseded = verdict.supersededBy !== undefined;
  return html`<p class="kicker">${say(l, 'pageTitle')}</p>
<section class="verdict ${superseded ? 'superseded' : 'genuine'}" aria-labelledby="verdict">
<h1 id="verdict"><span aria-hidden="true">${superseded ? '! ' : '✓ '}</span>${say(l, superseded ? 'genuineSuperseded' : 'genuineCurrent')}</h1>
<p>${superseded ? say(l, 'supersededText', { date: formatDate(verdict.supersededBy!.correctedAt), version: verdict.supersededBy!.version }) : say(l, 'currentText')}</p>
<p>${anchoringSentence(l, verdict)}</p>
</section>
${certificateDetails(l, verdict)}
<h2>${say(l, 'statusHeading')}</h2>
<dl>
<dt>${say(l, 'version')}</dt><dd>${say(l, 'versionOf', { version: verdict.version, total: verdict.totalVersions })}</dd>
<dt>${say(l, 'state')}</dt><dd>${superseded ? say(l, 'superseded', { version: verdict.supersededBy!.version }) : say(l, 'current')}</dd>
<dt>${say(l, 'commitment')}</dt><dd class="mono">${verdict.commitment}</dd>
</dl>
${anchoringDetails(l, verdict)}
${evidenceSection(l, options)}`;
}

function anchoringSentence(l: Language, verdict: Genuine): string {
  const a = verdict.anchoring;
  if (a.status === 'anchored') return say(l, 'anchoredText');
  if (a.status === 'sealed') return say(l, 'sealedText', { batch: a.batchId });
  return say(l, 'pendingText');
}

function certificateDetails(l: Language, verdict: Genuine): Html {
  const r = verdict.registration;
  const s: PublicSummary | undefined = verdict.summary;
  if (!r && !s) return html``;
  return html`<h2>${say(l, 'certificateHeading')}</h2>
<p class="note">${say(l, 'compareText')}</p>
<dl>
${s ? html`<dt>${say(l, 'kind')}</dt><dd>${say(l, s.kind)}</dd>` : ''}
${r ? html`<dt>${say(l, 'registrationNumber')}</dt><dd>${r.registrationNumber}</dd><dt>${say(l, 'registeredOn')}</dt><dd>${formatDate(r.registeredOn)}</dd><dt>${say(l, 'office')}</dt><dd>${r.office}</dd>` : ''}
${s ? summaryRows(l, s) : ''}
</dl>`;
}

function summaryRows(l: Language, s: PublicSummary): Html {
  if (s.kind === 'birth') return html`<dt>${say(l, 'child')}</dt><dd>${s.people[0]}</dd><dt>${say(l, 'dateOfBirth')}</dt><dd>${s.date}</dd>`;
  return html`<dt>${say(l, 'spouses')}</dt><dd>${s.people.map((p, i) => html`${i ? raw('<br>') : ''}${p}`)}</dd><dt>${say(l, 'marriageDate')}</dt><dd>${s.date}</dd>`;
}

function anchoringDetails(l: Language, verdict: Genuine): Html {
  const a = verdict.anchoring;
  const badge =
    a.status === 'anchored'
      ? html`<span class="badge ok"><span aria-hidden="true">✓ </span>${say(l, 'anchored')}</span>`
      : html`<span class="badge wait"><span aria-hidden="true">⧗ </span>${say(l, 'pending')}</span>`;
  return html`<h2>${say(l, 'anchoringHeading')}</h2>
<dl>
<dt>${say(l, 'state')}</dt><dd>${badge}</dd>
${a.status !== 'pending' ? html`<dt>${say(l, 'batch')}</dt><dd>${a.batchId}</dd>` : ''}
${
  a.status === 'anchored'
    ? html`<dt>${say(l, 'block')}</dt><dd>${a.blockNumber}</dd>
<dt>${say(l, 'time')}</dt><dd>${moment(a.anchoredAt)}</dd>
<dt>${say(l, 'transaction')}</dt><dd class="mono">${a.transactionHash}</dd>
<dt>${say(l, 'chain')}</dt><dd>${a.chainId}</dd>
<dt>${say(l, 'contract')}</dt><dd class="mono">${a.contractAddress}</dd>`
    : ''
}
</dl>`;
}

function evidenceSection(l: Language, options: VerdictPageOptions): Html {
  return html`<h2>${say(l, 'independentHeading')}</h2>
<p class="note">${say(l, 'independentText')}</p>
${options.evidenceHref ? html`<p><a href="${options.evidenceHref}" download>${say(l, 'downloadEvidence')}</a></p>` : ''}
<p class="note">${say(l, 'cliHint')} <code>crvs verify certificate certificate.pdf --evidence evidence.json</code></p>
${evidenceForm(l, options.evidenceAction)}`;
}

function evidenceForm(l: Language, actionHref: string): Html {
  return html`<form method="post" action="${actionHref}" enctype="multipart/form-data">
<label for="bundle-file">${say(l, 'bundleFile')}</label>
<input id="bundle-file" name="bundle" type="file" accept="application/json,.json">
<label for="bundle-text">${say(l, 'bundleText')}</label>
<textarea id="bundle-text" name="bundleText" spellcheck="false" autocomplete="off"></textarea>
<button type="submit">${say(l, 'checkButton')}</button>
</form>`;
}

const STEP_LABELS: Record<StepName, Record<Language, string>> = {
  canonical: { uz: 'Kanonik shakl (RFC 8785)', ru: 'Каноническая форма (RFC 8785)', en: 'Canonical form (RFC 8785)' },
  commitment: { uz: 'Xesh-majburiyat', ru: 'Хеш-обязательство', en: 'Commitment' },
  leaf: { uz: 'Merkl bargi', ru: 'Лист дерева Меркла', en: 'Merkle leaf' },
  inclusion: { uz: 'Paketga kirish isboti', ru: 'Доказательство включения в пакет', en: 'Inclusion proof' },
  contract: { uz: 'Reestr kontrakti', ru: 'Контракт реестра', en: 'Registry contract' },
  chain: { uz: 'Blokcheyn tarmogʻi', ru: 'Сеть блокчейна', en: 'Blockchain network' },
  'anchored-root': { uz: 'Blokcheyndagi ildiz', ru: 'Корень в блокчейне', en: 'Root anchored on chain' },
  'contract-verify': { uz: 'Kontrakt tekshiruvi', ru: 'Проверка контрактом', en: 'Contract’s own check' },
  transaction: { uz: 'Qayd etish tranzaksiyasi', ru: 'Транзакция фиксации', en: 'Anchoring transaction' },
};

export type EvidenceOutcome =
  | { kind: 'checked'; verification: EvidenceVerification; recordId: string; version: number; summary?: PublicSummary }
  | { kind: 'malformed'; reason: string };

export function evidenceResultBody(l: Language, outcome: EvidenceOutcome, evidenceAction: string): Html {
  if (outcome.kind === 'malformed') {
    return html`<p class="kicker">${say(l, 'resultHeading')}</p>
<section class="verdict not-confirmed" aria-labelledby="verdict"><h1 id="verdict"><span aria-hidden="true">✗ </span>${say(l, 'evidenceMalformed')}</h1><p class="mono">${outcome.reason}</p></section>
${evidenceForm(l, evidenceAction)}`;
  }
  const v = outcome.verification;
  const panel = v.verdict === 'genuine' ? 'genuine' : v.verdict === 'forged' ? 'not-confirmed' : 'superseded';
  const headline = v.verdict === 'genuine' ? 'evidenceGenuine' : v.verdict === 'forged' ? 'evidenceForged' : 'evidenceUnverifiable';
  const symbol = v.verdict === 'genuine' ? '✓ ' : v.verdict === 'forged' ? '✗ ' : '! ';
  const stepWord = { passed: say(l, 'stepPassed'), failed: say(l, 'stepFailed'), 'not-run': say(l, 'stepNotRun') };
  return html`<p class="kicker">${say(l, 'resultHeading')}</p>
<section class="verdict ${panel}" aria-labelledby="verdict"><h1 id="verdict"><span aria-hidden="true">${symbol}</span>${say(l, headline)}</h1>
<p>${say(l, 'evidenceRecord', { id: outcome.recordId, version: outcome.version })}</p>
${v.reason ? html`<p class="mono">${v.reason}</p>` : ''}</section>
${outcome.summary ? html`<dl>${summaryRows(l, outcome.summary)}</dl>` : ''}
<h2>${say(l, 'independentHeading')}</h2>
<ol class="steps">${v.steps.map(
    (s) => html`<li>${STEP_LABELS[s.step][l]}: <span class="${s.status === 'failed' ? 'failed' : ''}">${stepWord[s.status]}</span></li>`,
  )}</ol>
<p class="note">${say(l, 'backToCheck')}</p>`;
}
