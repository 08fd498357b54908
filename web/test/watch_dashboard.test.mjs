// Issue 18: watches in the dashboard, in a real browser (Debian's Chromium driven by
// playwright-core) against a real `domaingraph serve` with its scheduler and the real DNS rig.
// A watch is created from the page; its first run appears live (Server-Sent Events, no reload);
// the routing table changes and "Run now" runs it again: its alerts appear live, one is opened
// (its own address, #watch=NAME&alert=ID), and its deep link leads to the AS view of the new
// origin. Screenshots go to $DG_SCREENSHOT_DIR (default: a temporary directory).
//   node web/test/watch_dashboard.test.mjs          (DG_BIN = the domaingraph binary)
// Exit 77 = skipped (no chromium / rig servers / built dashboard), unless DG_REQUIRE_INTEGRATION=1.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { prerequisites, root, serve, startRig, stopRig, waitReady, workspace } from './harness.mjs';

const { playwright, chromiumPath, bin } = await prerequisites({ rig: true });
const { work, shots } = workspace('dg-watch-dashboard-');
const token = 'browser-test-token';
let server;
const rigDir = join(work, 'rig');
function cleanup() {
  if (server) server.kill('SIGTERM');
  stopRig(rigDir);
}
process.on('exit', cleanup);

const { rig, resolver, ordinary } = startRig(rigDir, ['--names', '20']);

// The rig's addresses in two ASes; later the lower half of 198.51.100.0/24 moves to AS64510.
const table = join(work, 'table.p2a');
writeFileSync(table, '198.51.100.0\t24\t64500\n192.0.2.0\t24\t64501\n');

const started = await serve(bin, ['-m', table, '--db', 'sqlite://' + join(work, 'db.sqlite'),
  '--jobs-dir', join(work, 'jobs'), '--web', join(root, 'web', 'dist'), '--resolver', resolver, '--watch-tick', '1'],
{ env: Object.assign({}, process.env, { DOMAINGRAPH_API_TOKEN: token }) });
server = started.child;
const base = 'http://127.0.0.1:' + started.port;
await waitReady(base);

const browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
try {
  await page.goto(base + '/');
  await page.waitForSelector('#ready.ok');
  await page.waitForSelector('#live.ok'); // the event stream is open
  await page.waitForSelector('#watches-empty:not([hidden])');

  // 1. A watch created from the page (the token is needed), shown with its own address.
  await page.fill('#token', token);
  await page.dispatchEvent('#token', 'change');
  await page.fill('#watch-name', 'customers');
  await page.fill('#watch-every', '1d');
  await page.fill('#watch-domains', ordinary.join('\n'));
  await page.fill('#watch-resolvers', resolver);
  await page.click('#watch-add');
  await page.waitForFunction(() => /Watch customers added/.test(document.getElementById('watch-message').textContent));
  assert.equal(new URL(page.url()).hash, '#watch=customers');
  assert.equal(await page.isVisible('#watch-detail'), true);

  // 2. Its first run, by the server's scheduler, appears live: no reload, no click.
  await page.waitForFunction(() => {
    const cells = document.querySelectorAll('#watch-runs tbody tr td:nth-child(2)');
    return cells.length === 1 && cells[0].textContent === 'complete';
  }, null, { timeout: 60000 });
  assert.match(await page.textContent('#watch-runs tbody tr td:nth-child(3)'), /first run/);
  await page.screenshot({ path: join(shots, '18-1-watch-first-run.png'), fullPage: true });

  // 3. The table changes; "Run now": the second run's alerts arrive live.
  writeFileSync(table, '198.51.100.0\t24\t64500\n198.51.100.0\t25\t64510\n192.0.2.0\t24\t64501\n');
  await page.click('#watch-run');
  await page.waitForFunction(() => document.querySelectorAll('#watch-alerts tbody tr').length > 0, null, { timeout: 60000 });
  await page.waitForFunction(() => document.querySelectorAll('#watch-runs tbody tr').length === 2);
  const alerts = await page.$$eval('#watch-alerts tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.ok(alerts.every((cells) => cells[1] === 'origin AS changed' || cells[1] === 'prefix changed'), JSON.stringify(alerts));
  assert.ok(alerts.some((cells) => cells[5] === 'AS64510'), JSON.stringify(alerts));
  await page.screenshot({ path: join(shots, '18-2-watch-alerts.png'), fullPage: true });

  // 4. An alert opened by keyboard: its own address, what changed and where, its links.
  const row = await page.$('#watch-alerts tbody tr:has(td:nth-child(6):text-is("AS64510"))');
  await row.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#alert-detail:not([hidden])');
  const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.equal(hash.get('watch'), 'customers');
  assert.match(hash.get('alert'), /^[0-9a-f]{32}$/);
  assert.match(await page.textContent('#alert-detail'), /198\.51\.100\.\d+ \(A of the domain\)/);
  await page.screenshot({ path: join(shots, '18-3-alert.png'), fullPage: true });
  // the deep link survives a reload
  await page.reload();
  await page.waitForSelector('#alert-detail:not([hidden])');

  // 5. The deep link to the AS view of the new origin.
  await page.click('#alert-detail a:text-is("AS64510")');
  await page.waitForFunction(() => /AS64510|64510/.test(document.getElementById('lookup-output').textContent) &&
    !/looking up/.test(document.getElementById('lookup-output').textContent));
  assert.equal(new URL(page.url()).hash, '#lookup=AS64510');
  assert.doesNotMatch(await page.textContent('#lookup-output'), /error/);
  await page.screenshot({ path: join(shots, '18-4-as-view.png'), fullPage: true });

  assert.deepEqual(errors, []);
  console.log('watch dashboard: ok (screenshots in ' + shots + ')');
} catch (e) {
  await page.screenshot({ path: join(shots, '18-failure.png'), fullPage: true }).catch(() => {});
  console.error(e);
  console.error('server log:\n' + started.stderr());
  process.exitCode = 1;
} finally {
  await browser.close();
}
// the server's stderr pipe would keep node alive: exit (the 'exit' handler stops the server)
cleanup(); // the server and the rig, while the rig directory still names their processes
if (!process.exitCode && !process.env.DG_SCREENSHOT_DIR) rmSync(work, { recursive: true, force: true });
process.exit(process.exitCode || 0);
