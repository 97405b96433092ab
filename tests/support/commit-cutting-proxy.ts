/**
 * A TCP proxy in front of PostgreSQL that, once armed, lets a COMMIT reach the server and then cuts
 * the client off before the answer arrives: the case where a transaction committed and its client
 * cannot know it (a reset, a failover at the worst moment). It recognises the answer by its
 * CommandComplete tag, `COMMIT`.
 */
import net from 'node:net';

export interface CommitCuttingProxy {
  /** The database URL, through the proxy. */
  url: string;
  /** Cut the next connection whose COMMIT is answered; one cut per arming. */
  arm(): void;
  /** How many connections were cut. */
  cuts(): number;
  close(): Promise<void>;
}

const COMMIT_COMPLETE = Buffer.from('COMMIT\0');

export async function commitCuttingProxy(databaseUrl: string): Promise<CommitCuttingProxy> {
  const target = new URL(databaseUrl);
  let armed = false;
  let cut = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (armed && chunk.includes(COMMIT_COMPLETE)) {
        armed = false;
        cut += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('close', () => b.destroy());
      a.on('error', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    arm: () => void (armed = true),
    cuts: () => cut,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
