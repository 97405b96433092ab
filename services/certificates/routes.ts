/**
 * @module
 * `GET /v1/records/:id/certificate.pdf`: the printable certificate of a record's current version,
 * for a registrar of the record's office or an auditor (bearer token, RFC 6750). Archivists and
 * admins are refused: printing a civil status certificate is the registry office's act.
 *
 * @example
 *   app.route('/', certificateRoutes({ sql, publicBaseUrl: config.publicBaseUrl }));
 *   // curl -H 'Authorization: Bearer crvs_…' http://127.0.0.1:8080/v1/records/<id>/certificate.pdf
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { Sql } from '../database/client.ts';
import { RegistryError } from '../errors.ts';
import { assertOfficeScope, type Principal } from '../access/roles.ts';
import { bearerAuth } from '../registry/http/guard.ts';
import type { RegistryEnv } from '../registry/context.ts';
import { buildCertificate, currentVersion, registrationOf } from './issue.ts';
import { renderCertificate } from './pdf.ts';

export interface CertificateRouteOptions {
  sql: Sql;
  /** PUBLIC_BASE_URL, where the QR codes point. */
  publicBaseUrl: string;
  /**
   * Sets `principal` on the context. Default: the registry API's bearer-token check, skipped when
   * an outer middleware already authenticated the request.
   */
  authenticate?: MiddlewareHandler<RegistryEnv>;
  /** The issue moment (tests); default now. */
  now?: () => Date;
}

const MAY_PRINT = new Set<Principal['role']>(['registrar', 'auditor']);

export const certificateRoutes = (options: CertificateRouteOptions): Hono => {
  const app = new Hono<RegistryEnv>();
  const bearer = bearerAuth({ sql: options.sql });
  const authenticate: MiddlewareHandler<RegistryEnv> =
    options.authenticate ??
    async function authenticateOnce(c, next) {
      if (c.get('principal')) return next();
      return bearer(c, next);
    };

  app.get('/v1/records/:id/certificate.pdf', authenticate, async (c) => {
    const principal = c.get('principal');
    if (!MAY_PRINT.has(principal.role)) {
      throw new RegistryError('forbidden', `the ${principal.role} role may not print certificates (registrars and auditors may)`, {
        details: { role: principal.role },
      });
    }
    const id = c.req.param('id');
    const registration = await registrationOf(options.sql, id);
    if (!registration) throw new RegistryError('not-found', `no birth or marriage registration with id ${id}`);
    assertOfficeScope(principal, registration.officeCode);

    const version = await currentVersion(options.sql, registration);
    const certificate = buildCertificate(registration, version, { publicBaseUrl: options.publicBaseUrl, issuedAt: options.now?.() });
    const pdf = await renderCertificate(certificate);
    const filename = `certificate-${registration.registrationNumber}-v${version.version}.pdf`;
    return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${filename}"`,
      // Personal data: never kept by a shared cache or the browser's back-forward cache.
      'cache-control': 'no-store',
      'x-record-version': String(version.version),
      'x-record-commitment': version.commitment,
    });
  });
  return new Hono().route('/', app);
};
