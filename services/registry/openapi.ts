/**
 * @module
 * The OpenAPI 3.1 document's header. Paths and schemas come from the routes' zod schemas.
 */
export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Civil registry API',
    version: '1.0.0',
    description: [
      "Registry officers at Uzbekistan's civil registry (FHDYo) offices and Public Service Centers register births and marriages here.",
      'Every registration and correction is a record version in a ledger whose Merkle roots are anchored on a permissioned EVM chain;',
      'its evidence bundle lets anyone check it against the chain alone.',
      '',
      'To try it out: create a registrar token for the examples\' offices and paste it under **Authorize**:',
      '',
      '    crvs token create --role registrar --office 1802 --name "Urgut registrar"   # births example (Urgut, Samarqand viloyati)',
      '    crvs token create --role registrar --office 2605 --name "Shayxontohur registrar"   # marriages example (Toshkent shahri)',
      '',
      'Errors are RFC 9457 `application/problem+json` documents with a stable `type` (`urn:crvs:problem:<code>`), the failing `field`, and `errors: [{field, reason}]`.',
    ].join('\n'),
  },
  tags: [
    { name: 'Registrations', description: 'Issue birth and marriage registrations (registrars, own office).' },
    { name: 'Records', description: 'Read, search and correct records; evidence bundles once anchored.' },
    { name: 'Tokens', description: 'Bearer tokens (admins).' },
  ],
};
