/**
 * @module
 * The interactive API documentation (`GET /docs`), served entirely from this server.
 *
 * `@hono/swagger-ui` loads Swagger UI from a CDN in the browser, which fails on the registry's
 * closed networks; here the page's script and style come from the `swagger-ui-dist` package.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';

const require = createRequire(import.meta.url);
const DIST = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;
const cache = new Map<string, string>();

export interface ApiDocsOptions {
  /** Where the OpenAPI document is served. */
  specUrl: string;
  title: string;
}

export const apiDocs = (options: ApiDocsOptions): Hono => {
  const app = new Hono();
  app.get('/docs', (c) =>
    c.html(html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${options.title}</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: ${raw(JSON.stringify(options.specUrl))}, dom_id: '#swagger-ui', persistAuthorization: true });
    </script>
  </body>
</html>`),
  );
  app.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file') as keyof typeof ASSETS;
    if (!(file in ASSETS)) return c.notFound();
    let body = cache.get(file);
    if (body === undefined) {
      body = readFileSync(path.join(DIST, file), 'utf8');
      cache.set(file, body);
    }
    return c.body(body, 200, { 'content-type': ASSETS[file], 'cache-control': 'public, max-age=86400' });
  });
  return app;
};
