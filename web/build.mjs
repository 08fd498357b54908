// Builds web/dist: the dashboard's files from src/ plus Chart.js from node_modules. No bundler:
// the page loads three static files (app.js, style.css, vendor/chart.umd.js).
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const chart = join(here, 'node_modules', 'chart.js', 'dist', 'chart.umd.js');
if (!existsSync(chart)) {
  console.error('web/build.mjs: chart.js is missing: run `npm ci --prefix web` first');
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'vendor'), { recursive: true });
cpSync(join(here, 'src'), dist, { recursive: true });
cpSync(chart, join(dist, 'vendor', 'chart.umd.js'));
console.log('web/build.mjs: built ' + dist);
