// Builds web/dist: the dashboard's files from src/ plus Chart.js from node_modules, and the world's
// land outlines (world-atlas, Natural Earth 1:110m) as plain GeoJSON for the topology map, so the
// map is drawn offline (no tile server). No bundler: the page loads static files.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const atlas = join(here, 'node_modules', 'world-atlas', 'land-110m.json');
if (existsSync(atlas)) {
  const { feature } = await import('topojson-client');
  const topo = JSON.parse(readFileSync(atlas, 'utf8'));
  const land = feature(topo, topo.objects.land);
  // coordinates rounded to 0.1 degree: the map is drawn a few hundred pixels wide
  const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 10) / 10, Math.round(c[1] * 10) / 10] : c.map(round));
  for (const f of land.features || [land]) f.geometry.coordinates = round(f.geometry.coordinates);
  writeFileSync(join(dist, 'vendor', 'land-110m.geo.json'), JSON.stringify(land));
} else {
  console.error('web/build.mjs: world-atlas is missing (npm ci --prefix web): the topology map has no land outlines');
}
console.log('web/build.mjs: built ' + dist);
