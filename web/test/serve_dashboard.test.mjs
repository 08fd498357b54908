// Issue 12 item 16: `domaingraph serve` finds its dashboard wherever the binary runs from, or says
// exactly why not. Headless Chromium (playwright-core) against the real binary, started
//  1. from an unrelated working directory, without --web (the binary in its build tree);
//  2. installed: <prefix>/bin/domaingraph, <prefix>/lib/domaingraph/domaingraph-serve.so,
//     <prefix>/share/domaingraph/web (a marked copy of web/dist, to see that this one is used);
//  3. installed without the web files: stderr and GET / say why, and what to do;
//  4. with --web pointing at a directory without index.html: exit 2 with the reason.
// Screenshots go to $DG_SCREENSHOT_DIR (default: a temporary directory).
//   node web/test/serve_dashboard.test.mjs          (DG_BIN = the domaingraph binary)
// Exit 77 = skipped (no chromium / built dashboard / binary), unless DG_REQUIRE_INTEGRATION=1.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { prerequisites, root, serve as serveBinary, skip } from './harness.mjs';

const { playwright, chromiumPath, bin } = await prerequisites();
const dist = join(root, 'web', 'dist');
const plugin = join(dirname(bin), 'domaingraph-serve.so');
if (!existsSync(plugin)) skip('no domaingraph plugin beside ' + bin);

const work = mkdtempSync(join(tmpdir(), 'dg-serve-web-'));
const shots = process.env.DG_SCREENSHOT_DIR || join(work, 'screenshots');
mkdirSync(shots, { recursive: true });
const servers = [];
process.on('exit', () => { for (const s of servers) s.kill('SIGTERM'); });

/// Starts `serve` on this test's database and resolves with { port, stderr, child } once it
/// listens (or rejects with its stderr).
function serve(binary, args, cwd) {
  return serveBinary(binary, ['--db', 'sqlite://' + join(work, 'db.sqlite'), '--jobs-dir', join(work, 'jobs'), ...args],
    { cwd, onSpawn: (child) => servers.push(child) });
}

/// A hard link where possible (same file system: /proc/self/exe then names the link), else a copy.
function place(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  try { linkSync(from, to); } catch (e) { copyFileSync(from, to); }
}

const browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

// 1. The build tree's binary, started from an unrelated directory, without --web.
const elsewhere = join(work, 'elsewhere');
mkdirSync(elsewhere);
const built = await serve(bin, [], elsewhere);
assert.doesNotMatch(built.stderr(), /no dashboard/);
await page.goto('http://127.0.0.1:' + built.port + '/');
await page.waitForSelector('#ready');
assert.equal(await page.title(), 'domaingraph');
await page.screenshot({ path: join(shots, '16-1-build-tree-other-cwd.png') });
built.child.kill('SIGTERM');

// 2. Installed: bin/, lib/domaingraph/, share/domaingraph/web (marked, so we see it is this copy).
const prefix = join(work, 'prefix');
place(bin, join(prefix, 'bin', 'domaingraph'));
place(plugin, join(prefix, 'lib', 'domaingraph', 'domaingraph-serve.so'));
const installedWeb = join(prefix, 'share', 'domaingraph', 'web');
cpSync(dist, installedWeb, { recursive: true });
const index = readFileSync(join(installedWeb, 'index.html'), 'utf8');
writeFileSync(join(installedWeb, 'index.html'), index.replace('<body', '<body data-installed-copy="yes"'));
const installed = await serve(join(prefix, 'bin', 'domaingraph'), [], '/');
await page.goto('http://127.0.0.1:' + installed.port + '/');
await page.waitForSelector('#ready');
assert.equal(await page.getAttribute('body', 'data-installed-copy'), 'yes', 'the installed copy is served');
await page.screenshot({ path: join(shots, '16-2-installed.png') });
installed.child.kill('SIGTERM');

// 3. Installed without the web files: stderr and GET / say why and what to do.
rmSync(installedWeb, { recursive: true, force: true });
const bare = await serve(join(prefix, 'bin', 'domaingraph'), [], '/');
assert.match(bare.stderr(), /no dashboard files \(index\.html\) in .*share\/domaingraph\/web/);
assert.match(bare.stderr(), /cmake --install.*or give --web DIR/);
assert.match(bare.stderr(), /\(no dashboard: API only\)/);
const answer = await fetch('http://127.0.0.1:' + bare.port + '/');
assert.equal(answer.status, 404);
const body = await answer.json();
assert.equal(body.error.code, 'no_dashboard');
assert.match(body.error.message, /share\/domaingraph\/web/);
await page.goto('http://127.0.0.1:' + bare.port + '/');
await page.screenshot({ path: join(shots, '16-3-installed-without-web.png') });
bare.child.kill('SIGTERM');

// 4. --web without index.html: a usage error that says so.
const empty = join(work, 'empty');
mkdirSync(empty);
const wrong = spawnSync(bin, ['serve', '--listen', '127.0.0.1:0', '--web', empty], { encoding: 'utf8' });
assert.equal(wrong.status, 2, wrong.stderr);
assert.match(wrong.stderr, /--web .*empty: no index\.html there/);

assert.deepEqual(errors, [], 'page errors');
await browser.close();
console.log('serve dashboard test passed; screenshots in ' + shots);
if (!process.env.DG_SCREENSHOT_DIR) rmSync(work, { recursive: true, force: true });
process.exit(0);
