// Browser test of the dashboard: Debian's Chromium (headless) driven by playwright-core against a
// real `domaingraph serve` and the real DNS rig. Starts a scan from the page, watches it finish,
// opens results and charts, compares two scans, looks up an IP, and checks that a hostile note is
// shown as text. Screenshots go to $DG_SCREENSHOT_DIR (default: a temporary directory).
//   node web/test/dashboard.test.mjs          (DG_BIN = the domaingraph binary)
// Exit 77 = skipped (no chromium / rig servers / built dashboard), unless DG_REQUIRE_INTEGRATION=1.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const required = process.env.DG_REQUIRE_INTEGRATION === '1';
function skip(why) {
  console.log((required ? 'FAIL: ' : 'SKIP: ') + why);
  process.exit(required ? 1 : 77);
}
const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (!chromiumPath) skip('chromium is not installed (apt-get install chromium)');
if (!existsSync(join(root, 'web', 'dist', 'index.html'))) skip('web/dist is not built (npm ci --prefix web && node web/build.mjs)');
let playwright;
try { playwright = await import('playwright-core'); } catch (e) { skip('playwright-core is missing (npm ci --prefix web)'); }
const bin = process.env.DG_BIN || join(root, 'build', 'dev', 'apps', 'domaingraph');
if (!existsSync(bin)) skip('no domaingraph binary at ' + bin);
try { execFileSync('which', ['knotd', 'unbound']); } catch (e) { skip('knotd/unbound are not installed'); }

const work = mkdtempSync(join(tmpdir(), 'dg-dashboard-'));
const shots = process.env.DG_SCREENSHOT_DIR || join(work, 'screenshots');
mkdirSync(shots, { recursive: true });
const token = 'browser-test-token';
let server;
const rigDir = join(work, 'rig');

function cleanup() {
  if (server) server.kill('SIGTERM');
  try { execFileSync(join(root, 'tests', 'harness', 'dnsrig'), ['stop', '--dir', rigDir]); } catch (e) { /* already down */ }
}
process.on('exit', cleanup);

execFileSync(join(root, 'tests', 'harness', 'dnsrig'), ['start', '--dir', rigDir, '--names', '40', '--watch-pid', String(process.pid)]);
const rig = JSON.parse(readFileSync(join(rigDir, 'rig.json'), 'utf8'));
const resolver = rig.recursives[0].host + ':' + rig.recursives[0].port;
const ordinary = readFileSync(join(rigDir, 'ordinary.txt'), 'utf8').split('\n').filter(Boolean);

// A prefix2as table from the hosts the rig's zones use.
const table = readFileSync(join(root, 'tests', 'harness', 'rib_hosts.tsv'), 'utf8').split('\n')
  .filter((l) => l && !l.startsWith('#')).map((l) => { const [p, asn] = l.split('\t'); const [net, len] = p.split('/'); return net + '\t' + len + '\t' + asn; });
writeFileSync(join(work, 'table.p2a'), table.join('\n') + '\n');

server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '-m', join(work, 'table.p2a'), '--db', 'sqlite://' + join(work, 'db.sqlite'),
  '--jobs-dir', join(work, 'jobs'), '--web', join(root, 'web', 'dist'), '--resolver', resolver], {
  env: Object.assign({}, process.env, { DOMAINGRAPH_API_TOKEN: token }), stdio: ['ignore', 'ignore', 'pipe'] });
const port = await new Promise((resolve, reject) => {
  let err = '';
  server.stderr.on('data', (d) => {
    err += d;
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
    if (m) resolve(Number(m[1]));
  });
  server.on('exit', (code) => reject(new Error('server exited ' + code + ': ' + err)));
});
const base = 'http://127.0.0.1:' + port;
for (let i = 0; i < 100; i++) {
  const r = await fetch(base + '/ready').catch(() => null);
  if (r && r.ok) break;
  await new Promise((r) => setTimeout(r, 100));
}

const browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(base + '/');
await page.waitForSelector('#ready.ok');

async function startScan(names, notes) {
  await page.fill('#token', token);
  await page.dispatchEvent('#token', 'change');
  await page.fill('#domains', names.join('\n'));
  await page.fill('#resolvers', resolver);
  await page.fill('#notes', notes);
  // The message of the previous start stays on the page until this start's POST answers.
  const before = await page.textContent('#start-message');
  await page.click('#start');
  await page.waitForFunction((prev) => {
    const text = document.getElementById('start-message').textContent;
    return text !== prev && /scan \d+ started/.test(text);
  }, before);
  const id = Number(/scan (\d+) started/.exec(await page.textContent('#start-message'))[1]);
  await page.waitForFunction((sid) => {
    const row = document.querySelector('#scan-table tr[data-id="' + sid + '"] td:nth-child(2)');
    return row && row.textContent === 'complete';
  }, id, { timeout: 60000 });
  return id;
}

// 1. A scan with a hostile note, started from the page.
const hostile = '<img src=x onerror="window.__xss=1">';
const first = await startScan(ordinary, hostile);
await page.waitForFunction(() => document.querySelectorAll('#result-table tbody tr').length > 0);
assert.equal(await page.evaluate(() => window.__xss), undefined, 'a note ran as HTML');
const noteCell = await page.textContent('#scan-table tr[data-id="' + first + '"] td:nth-child(5)');
assert.equal(noteCell, hostile);
const rows = await page.$$eval('#result-table tbody tr', (trs) => trs.length);
assert.equal(rows, Math.min(ordinary.length, 50));
await page.waitForFunction(() => document.getElementById('diversity').textContent !== '');
assert.match(await page.textContent('#diversity'), /AS diversity score/);
const charts = await page.evaluate(() => ['chart-status', 'chart-asn'].map((id) => !!window.Chart.getChart(id)));
assert.deepEqual(charts, [true, true]);
await page.screenshot({ path: join(shots, '1-scan-results-charts.png'), fullPage: true });

// Search and sort in the results table.
await page.fill('#filter-text', ordinary[0]);
assert.equal(await page.$$eval('#result-table tbody tr', (trs) => trs.length), 1);
await page.fill('#filter-text', '');
await page.click('#result-table th[data-sort="domain"]');
const order = await page.$$eval('#result-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
assert.deepEqual(order, order.slice().sort().reverse());

// 2. A second scan of half the names, then compare.
const second = await startScan(ordinary.slice(0, Math.floor(ordinary.length / 2)), 'half');
await page.selectOption('#compare-a', String(first));
await page.selectOption('#compare-b', String(second));
await page.click('#compare-go');
await page.waitForFunction(() => /changed/.test(document.getElementById('compare-summary').textContent));
const summary = await page.textContent('#compare-summary');
assert.match(summary, new RegExp((ordinary.length - Math.floor(ordinary.length / 2)) + ' only in A'));
await page.screenshot({ path: join(shots, '2-compare.png'), fullPage: true });

// 3. Lookups.
await page.fill('#lookup-input', '1.0.0.1');
await page.click('#lookup-go');
await page.waitForFunction(() => /"asn": 15169/.test(document.getElementById('lookup-output').textContent));
await page.fill('#lookup-input', ordinary[0]);
await page.click('#lookup-go');
await page.waitForFunction(() => /"history"/.test(document.getElementById('lookup-output').textContent));
await page.screenshot({ path: join(shots, '3-lookup.png'), fullPage: true });

assert.deepEqual(errors, [], 'page errors');
await browser.close();
console.log('dashboard test passed; screenshots in ' + shots);
if (!process.env.DG_SCREENSHOT_DIR) rmSync(work, { recursive: true, force: true });
process.exit(0);
