/**
 * A TCP proxy in front of the test PostgreSQL, for the failures a real deployment meets between
 * the application and its database:
 * - {@link DatabaseProxy.unreachable}: the server stops answering (connections dropped, new ones
 *   refused) until {@link DatabaseProxy.reachable}, as during a restart or a network outage;
 * - {@link DatabaseProxy.cutAfterCommit}: the next COMMIT reaches the server and its client is cut
 *   off before the answer arrives, the case where a transaction committed and its client cannot
 *   know it (a reset, a failover at the worst moment). The answer is recognised by its
 *   CommandComplete tag, `COMMIT`.
 */
import net from 'node:net';

export interface DatabaseProxy {
  /** The database URL, through the proxy. */
  url: string;
  /** Drops every connection and refuses new ones. */
  unreachable(): void;
  /** Accepts connections again, on the same port. */
  reachable(): Promise<void>;
  /** Cut the next connection whose COMMIT is answered; one cut per call. */
  cutAfterCommit(): void;
  /** How many connections were cut after their COMMIT. */
  commitCuts(): number;
  close(): Promise<void>;
}

const COMMIT_COMPLETE = Buffer.from('COMMIT\0');

export async function databaseProxy(databaseUrl: string): Promise<DatabaseProxy> {
  const target = new URL(databaseUrl);
  let armed = false;
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (armed && chunk.includes(COMMIT_COMPLETE)) {
        armed = false;
        cuts += 1;
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
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    unreachable: () => {
      server.close();
      dropAll();
    },
    reachable: () => listen(port),
    cutAfterCommit: () => void (armed = true),
    commitCuts: () => cuts,
    close: () => {
      dropAll();
      return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
