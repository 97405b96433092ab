#!/usr/bin/env node
// Keeps package-lock.json installable by `npm ci` on every machine this project runs on.
//
// Two npm behaviours break a clean `npm ci` here, both with native platform packages
// (optionalDependencies such as @nomicfoundation/edr-linux-x64-gnu, @foundry-rs/anvil-linux-amd64):
//  1. When the registry serves only some platforms' packages, npm leaves the others out of the
//     lockfile, and `npm ci` then refuses the lockfile ("Missing: ... from lock file"). We add
//     those entries back with their os/cpu/libc, so npm skips them on other machines as usual.
//  2. npm skips an optional package whose `engines` does not match the Node.js running npm. The
//     machines run npm on Node 20, while the project itself runs on Node 24 (the `node` dev
//     dependency) and loads Node-24-only bindings. We drop `engines` from optional entries so that
//     the binding the project's own Node needs is installed.
// Run after every dependency change: `npm run deps:lock`.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));

const PLATFORM = /-(darwin|linux|win32|freebsd)-(arm64|x64|amd64|ia32)(?:-(gnu|musl|msvc))?$/;
function platformOf(name) {
  const m = PLATFORM.exec(name);
  if (!m) return null;
  const out = { os: [m[1]], cpu: [m[2] === 'amd64' ? 'x64' : m[2]] };
  if (m[3] === 'gnu') out.libc = ['glibc'];
  if (m[3] === 'musl') out.libc = ['musl'];
  return out;
}

let added = 0;
let relaxed = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${key === '' ? '' : `${key}/`}node_modules/${dep}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[`node_modules/${dep}`] = { version, ...platform, optional: true };
    added++;
  }
}
for (const entry of Object.values(lock.packages)) {
  if (entry.optional && entry.engines && (entry.os || entry.cpu)) {
    delete entry.engines;
    relaxed++;
  }
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added, ${relaxed} engine checks relaxed`);
