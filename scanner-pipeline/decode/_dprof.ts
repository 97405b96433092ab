import { readFileSync } from 'node:fs';
import { decodeScan } from './decode.ts';
const dir = '/work/shared/corpus-dev/';
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const t = performance.now(); const c = process.cpuUsage();
for (const m of manifest) await decodeScan(readFileSync(dir + m.file));
const cu = process.cpuUsage(c);
console.log('wall', ((performance.now() - t) / 13).toFixed(0), 'ms/page; cpu', ((cu.user + cu.system) / 13 / 1000).toFixed(0), 'ms/page');
