/**
 * @module
 * The request body limit (413 over `maxSize`), decided from `Content-Length` when the request has
 * one, as Hono's `bodyLimit` decides it, but without touching `c.req.raw.body` first: on
 * @hono/node-server that getter turns the lightweight request into a full undici `Request` with a
 * web `ReadableStream` over the socket, and the JSON body is then read through web streams instead
 * of straight from the socket (about a fifth of the API's CPU per registration, measured with
 * `node --cpu-prof` under tests/bench/registry.ts).
 *
 * A body with a `Content-Length` and no `Transfer-Encoding` is exactly that long: Node's HTTP parser
 * reads no more and no less (RFC 9112 §6.3), so the header alone can decide. A body without one
 * (chunked) is counted while it is read, by Hono's own middleware. GET and HEAD carry no body.
 *
 * @example
 *   api.use('/v1/*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('too large', 413) }));
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as countingBodyLimit } from 'hono/body-limit';

export interface BodyLimitOptions {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}

export const bodyLimit = (options: BodyLimitOptions): MiddlewareHandler => {
  const counting = countingBodyLimit(options);
  return async function bodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counting(c, next);
    return Number.parseInt(length, 10) > options.maxSize ? options.onError(c) : next();
  };
};
