/**
 * @module
 * Who a client is, for counting its requests: the TCP peer address, never `X-Forwarded-For`, which
 * any client can write. IPv6 clients are counted per /64, the block one subscriber usually holds
 * (RFC 6177), so hopping through one's own addresses does not multiply a limit. Behind a reverse
 * proxy every request comes from the proxy; limit there instead.
 */
import { isIPv6 } from 'node:net';
import type { Context } from 'hono';

/** The peer address of the connection (Node's socket), IPv6 reduced to its /64. */
export function clientKey(c: Context): string {
  const address = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  return isIPv6(address) ? `${ipv6Prefix64(address)}::/64` : address;
}

function ipv6Prefix64(address: string): string {
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':');
}
