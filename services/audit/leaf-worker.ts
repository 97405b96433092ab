/**
 * @module
 * A worker thread of {@link LeafPool}: runs the audit's hashing tasks it is sent, one at a time.
 */
import { parentPort } from 'node:worker_threads';
import { computeLeaves, computeRoot } from './leaf-work.ts';
import type { PoolTask } from './leaf-pool.ts';

parentPort!.on('message', (task: PoolTask) => {
  try {
    if (task.op === 'leaves') {
      const result = computeLeaves(task.chunk);
      parentPort!.postMessage({ id: task.id, result }, [result.leaves.buffer as ArrayBuffer]);
    } else {
      parentPort!.postMessage({ id: task.id, result: computeRoot(task.leaves) });
    }
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: (error as Error).message });
  }
});
