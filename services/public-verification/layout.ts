/**
 * @module
 * The page frame: one HTML document with inline CSS and no script at all, so it works with
 * JavaScript disabled and under a strict Content-Security-Policy. Built with `hono/html` tagged
 * templates, which escape every interpolated value (Node's type stripping cannot run JSX).
 *
 * Accessibility (WCAG 2.2 AA): `lang` on the document and on each language's own name, landmarks
 * (header, nav, main, footer), one h1 carrying the verdict, verdicts told in words and symbols as
 * well as colour, text contrast of at least 7:1 on the verdict panels, 44 px touch targets,
 * visible focus, and a layout that reflows to 320 px without horizontal scrolling.
 */
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { LANGUAGES, LANGUAGE_NAMES, LANGUAGE_TAGS, say, type Language } from './messages.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;font-size:100%;line-height:1.5;color:#1a1d21;background:#f4f6f8;-webkit-text-size-adjust:100%}
body{margin:0}
a{color:#0b4f8a}
a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}
.wrap{max-width:44rem;margin:0 auto;padding:0 1rem}
header{background:#0b3954;color:#fff}
header .wrap{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;padding-top:.5rem;padding-bottom:.5rem}
header p{margin:0;font-weight:600}
nav ul{list-style:none;display:flex;gap:.25rem;margin:0;padding:0}
nav a{display:inline-block;min-height:44px;min-width:44px;padding:.6rem .7rem;color:#fff;text-decoration:none;border-radius:4px}
nav a[aria-current]{background:#fff;color:#0b3954;font-weight:700}
nav a:focus-visible{outline-color:#ffd166}
main{padding:1rem 0 2rem}
.kicker{margin:.5rem 0 0;color:#4a525c;font-size:.95rem}
.verdict{border-radius:8px;padding:1rem 1.1rem;margin:.75rem 0 1.25rem;border:2px solid}
.verdict h1{margin:0 0 .35rem;font-size:1.5rem;line-height:1.25}
.verdict p{margin:.25rem 0 0}
.genuine{background:#e7f4ec;border-color:#1e7a43;color:#0d3b20}
.superseded{background:#fff3dc;border-color:#a86400;color:#4a2c00}
.not-confirmed{background:#fdeaea;border-color:#b3261e;color:#5c0f0b}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.35rem 1rem;margin:0;background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:.85rem 1rem}
dt{font-weight:600;color:#3b434c}
dd{margin:0;overflow-wrap:anywhere}
.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem;word-break:break-all}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-weight:700;font-size:.9rem}
.badge.ok{background:#1e7a43;color:#fff}
.badge.wait{background:#0b4f8a;color:#fff}
.note{color:#3b434c}
form{background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:1rem;display:grid;gap:.6rem}
label{font-weight:600}
input[type=file],textarea{width:100%;font:inherit;padding:.5rem;border:1px solid #6b7580;border-radius:4px;background:#fff;color:#1a1d21}
textarea{min-height:6rem;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem}
button{font:inherit;font-weight:700;min-height:44px;padding:.6rem 1.1rem;border:0;border-radius:6px;background:#0b4f8a;color:#fff;cursor:pointer;justify-self:start}
ol.steps{background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:.85rem 1rem .85rem 2.2rem;margin:0}
ol.steps li{margin:.2rem 0}
.failed{color:#9c1c15;font-weight:700}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem;background:#e9edf1;padding:.1rem .3rem;border-radius:3px;overflow-wrap:anywhere}
footer{border-top:1px solid #d5dbe1;color:#3b434c;font-size:.9rem}
footer .wrap{padding-top:1rem;padding-bottom:1.5rem}
@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.35rem}.verdict h1{font-size:1.3rem}}
`;

/** The stylesheet's CSP source (CSP Level 3 hash-source), so no other inline style can run. */
export const STYLE_SOURCE = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export interface LayoutOptions {
  language: Language;
  /** The page's own path and query without `lang`, to build the language switch. */
  selfHref: (language: Language) => string;
  body: Html;
}

export function layout({ language, selfHref, body }: LayoutOptions): Html {
  const switchLabel = LANGUAGES.map((l) => say(l, 'languageNav')).join(' / ');
  return html`<!doctype html>
<html lang="${LANGUAGE_TAGS[language]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${say(language, 'pageTitle')} — ${say(language, 'service')}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header><div class="wrap">
<p>${say(language, 'service')}</p>
<nav aria-label="${switchLabel}"><ul>
${LANGUAGES.map(
  (l) => html`<li><a href="${selfHref(l)}" hreflang="${LANGUAGE_TAGS[l]}" lang="${LANGUAGE_TAGS[l]}"${l === language ? raw(' aria-current="true"') : ''}>${LANGUAGE_NAMES[l]}</a></li>`,
)}
</ul></nav>
</div></header>
<main><div class="wrap">
${body}
</div></main>
<footer><div class="wrap"><p>${say(language, 'footer')}</p></div></footer>
</body>
</html>`;
}
