/**
 * @module
 * A pool of worker threads for the audit's hashing (keccak256 in JavaScript is CPU-bound and the
 * audit hashes every version and every tree). Tasks queue FIFO and go to the next idle worker.
 * With `size: 0` the same work runs in the calling thread, which the benchmark compares against.
 *
 * @example
 *   const pool = LeafPool.start(availableParallelism());
 *   const { leaves, mismatches } = await pool.leaves(chunk);
 *   const root = await pool.root(leaves);
 *   await pool.close();
 */
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { RegistryError } from '../errors.ts';
import { computeLeaves, computeRoot, type LeafChunk, type LeafChunkResult } from './leaf-work.ts';

export type PoolTask = { id: number; op: 'leaves'; chunk: LeafChunk } | { id: number; op: 'root'; leaves: Uint8Array };
type Outcome = { id: number; result?: unknown; error?: string };

interface Pending {
  task: PoolTask;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const WORKER_URL = new URL('./leaf-worker.ts', import.meta.url);

export class LeafPool {
  readonly size: number;
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #queue: Pending[] = [];
  readonly #running = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;

  private constructor(size: number) {
    this.size = size;
  }

  /** Starts `size` workers (0: compute in the calling thread). */
  static start(size: number): LeafPool {
    const pool = new LeafPool(size);
    for (let i = 0; i < size; i++) pool.#spawn();
    return pool;
  }

  /** Tasks queued or running. */
  get inFlight(): number {
    return this.#queue.length + this.#running.size;
  }

  leaves(chunk: LeafChunk): Promise<LeafChunkResult> {
    return this.#submit({ id: this.#nextId++, op: 'leaves', chunk }) as Promise<LeafChunkResult>;
  }

  root(leaves: Uint8Array): Promise<Uint8Array> {
    return this.#submit({ id: this.#nextId++, op: 'root', leaves }).then((r) => new Uint8Array(r as Uint8Array));
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((w) => w.terminate()));
  }

  #spawn(): void {
    const worker = new Worker(WORKER_URL);
    worker.on('message', (outcome: Outcome) => {
      const pending = this.#running.get(outcome.id);
      this.#running.delete(outcome.id);
      this.#idle.push(worker);
      this.#dispatch();
      if (!pending) return;
      if (outcome.error !== undefined) pending.reject(new RegistryError('internal', `audit worker: ${outcome.error}`));
      else pending.resolve(outcome.result);
    });
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new RegistryError('internal', `audit worker exited with code ${code}`));
    });
    this.#all.push(worker);
    this.#idle.push(worker);
  }

  #submit(task: PoolTask): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.size === 0) return yieldToLoop().then(() => (task.op === 'leaves' ? computeLeaves(task.chunk) : computeRoot(task.leaves)));
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#idle.length && this.#queue.length) {
      const worker = this.#idle.pop()!;
      const next = this.#queue.shift()!;
      this.#running.set(next.task.id, next);
      worker.postMessage(next.task);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const p of [...this.#running.values(), ...this.#queue]) p.reject(error);
    this.#running.clear();
    this.#queue.length = 0;
  }
}
