/**
 * The registry benchmark's load generator (tests/bench/registry.ts), run as a separate process so
 * that generating load does not compete with the server on its own event loop. N connections
 * (node:http keep-alive), each sending the next POST as soon as the previous answer arrived (closed
 * loop), for a fixed time; answers one JSON result: requests, errors, throughput, p50/p99 latency.
 *
 *   node tests/bench/_load.ts '{"url":"http://127.0.0.1:PORT/v1/births","seconds":30,"connections":16,
 *                              "jobs":[{"token":"crvs_…","body":"{…}"}, …]}'
 * prints one run's result as a line. Forked with an IPC channel (registry.ts), the process stays and
 * runs one slice per `{ seconds }` message, answering each with its result: the routes' slices
 * alternate (registry.ts), and a generator started afresh for every slice measured its own start
 * (a cold JIT and N new connections at once) in every slice, six times per level where a single
 * run has it once, in both routes' latencies.
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
  /** Answer every latency (ms) too, so that slices can be merged. */
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
// One agent for all slices: its connections stay open while the other route's slices run (the API
// keeps an idle connection for 65 s, services/http/api-process.ts), as in one long run, and each
// stays with the API process it was given (API_PROCESSES) for the whole level.
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

/** One run's or slice's figures (registry.ts merges slices by their latencies). */
export interface LoadResult {
  ok: number;
  errors: number;
  firstErrors: string[];
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Every latency (ms), with `raw`, so that slices can be merged. */
  latencies?: number[];
}

async function slice(seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const firstErrors: string[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  const loop = async (i: number) => {
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
  };
  await Promise.all(Array.from({ length: plan.connections }, (_, i) => loop(i)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return {
    ok: latencies.length,
    errors,
    firstErrors,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? Number.NaN,
    ...(plan.raw === true ? { latencies: latencies.map((l) => Math.round(l * 100) / 100) } : {}),
  };
}

if (process.send) {
  // One slice per message, in this warm process; the parent ends it when it is done with it.
  process.on('message', (message: { seconds: number }) => {
    void slice(message.seconds).then((result) => process.send!(result));
  });
} else {
  process.stdout.write(`${JSON.stringify(await slice(plan.seconds))}\n`);
  agent.destroy();
}
