/**
 * The registry benchmark's load generator (tests/bench/registry.ts), run as a separate process so
 * that generating load does not compete with the server on its own event loop. N connections
 * (node:http keep-alive), each sending the next POST as soon as the previous answer arrived (closed
 * loop), for a fixed time; prints one JSON line: requests, errors, throughput, p50/p99 latency.
 *
 *   node tests/bench/_load.ts '{"url":"http://127.0.0.1:PORT/v1/births","seconds":30,"connections":16,
 *                              "jobs":[{"token":"crvs_…","body":"{…}"}, …]}'
 * Connection i uses job i mod jobs.length (a token and its body), so offices spread over connections.
 * A body may hold `{{n}}`: every request puts letters there that no other request of any run has (a
 * random prefix per process, then a count), since the registry takes each birth once.
 */
import { Agent, request } from 'node:http';

interface Job {
  token: string;
  body: string;
}
interface Plan {
  url: string;
  seconds: number;
  connections: number;
  jobs: Job[];
  expectStatus: number;
  /** Print every latency (ms) too, so that slices can be merged. */
  raw?: boolean;
}

const plan = JSON.parse(process.argv[2]!) as Plan;
const UNIQUE = '{{n}}';
// Letters that no spelling fold of the registry's name search (services/names/search-key.ts: kh, q,
// x, ye, zh, ...) can merge, so that distinct names stay distinct births.
const ALPHABET = 'abfilmnoprtuv';
const letters = (n: number, width: number) => Array.from({ length: width }, (_, i) => ALPHABET[Math.floor(n / ALPHABET.length ** i) % ALPHABET.length]).join('');
const prefix = letters(Math.floor(Math.random() * ALPHABET.length ** 6), 6);
let sent = 0;
const unique = (body: string) => (body.includes(UNIQUE) ? body.replace(UNIQUE, `${prefix}${letters(sent++, 6)}`) : body);
const url = new URL(plan.url);
const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });

function post(job: Job): Promise<number> {
  const body = unique(job.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
// Run in slices alternating with the baseline (see registry.ts): print raw latencies to merge.
const raw = plan.raw === true;
let errors = 0;
const firstErrors: string[] = [];
const started = performance.now();
const until = started + plan.seconds * 1000;

async function loop(i: number): Promise<void> {
  const job = plan.jobs[i % plan.jobs.length]!;
  while (performance.now() < until) {
    const t = performance.now();
    try {
      const status = await post(job);
      if (status !== plan.expectStatus) {
        errors += 1;
        if (firstErrors.length < 3) firstErrors.push(`status ${status}`);
      } else latencies.push(performance.now() - t);
    } catch (error) {
      errors += 1;
      if (firstErrors.length < 3) firstErrors.push((error as Error).message);
    }
  }
}

await Promise.all(Array.from({ length: plan.connections }, (_, i) => loop(i)));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({
    ok: latencies.length,
    errors,
    firstErrors,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? Number.NaN,
    ...(raw ? { latencies: latencies.map((l) => Math.round(l * 100) / 100) } : {}),
  })}\n`,
);
