#!/usr/bin/env node
// Entry point of the `crvs` command. The project runs on Node 24 (the `node` dev dependency):
// when started by an older system Node (for example `npx crvs` from a shell on Node 20), re-run
// this same command with the project's own Node instead of failing on syntax or bindings.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const own = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(own)) {
    console.error(`crvs: needs Node.js 24 or later (this is ${process.version}); run npm ci first`);
    process.exit(2);
  }
  const result = spawnSync(own, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 2);
}
await import('./main.ts');
