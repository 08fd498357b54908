// What the browser tests share: their prerequisites (Debian's Chromium, playwright-core, the
// built dashboard, the domaingraph binary; skipped with exit 77 when one is missing, unless
// DG_REQUIRE_INTEGRATION=1), and starting `domaingraph serve` on a free loopback port.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const required = process.env.DG_REQUIRE_INTEGRATION === '1';
export function skip(why) {
  console.log((required ? 'FAIL: ' : 'SKIP: ') + why);
  process.exit(required ? 1 : 77);
}

/// ../shared/data/REL (DG_SHARED_DIR/data/REL when set), or skips when it is missing.
export function sharedData(rel) {
  const base = process.env.DG_SHARED_DIR || join(root, '..', 'shared');
  const path = join(base, 'data', rel);
  if (!existsSync(path)) skip('missing ../shared/data/' + rel + ' (clone shared/ beside the project)');
  return path;
}

/// { playwright, chromiumPath, bin } after checking what every browser test needs; `rig: true`
/// also needs the DNS servers of tests/harness/dnsrig.
export async function prerequisites({ rig = false } = {}) {
  const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  if (!chromiumPath) skip('chromium is not installed (apt-get install chromium)');
  if (!existsSync(join(root, 'web', 'dist', 'index.html'))) skip('web/dist is not built (npm ci --prefix web && node web/build.mjs)');
  let playwright;
  try { playwright = await import('playwright-core'); } catch (e) { skip('playwright-core is missing (npm ci --prefix web)'); }
  const bin = process.env.DG_BIN || join(root, 'build', 'dev', 'apps', 'domaingraph');
  if (!existsSync(bin)) skip('no domaingraph binary at ' + bin);
  if (rig) {
    try { execFileSync('which', ['knotd', 'unbound']); } catch (e) { skip('knotd/unbound are not installed'); }
  }
  return { playwright, chromiumPath, bin };
}

/// Starts `binary serve --listen 127.0.0.1:0 ARGS...` and resolves with { port, child, stderr() }
/// once it listens (rejects with its stderr when it exits before); `onSpawn(child)` sees the
/// process at once (to stop it whatever happens).
export function serve(binary, args, { cwd, env, onSpawn } = {}) {
  const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', ...args],
    { cwd, env: env || process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (onSpawn) onSpawn(child);
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve({ port: Number(m[1]), child, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error('server exited ' + code + ': ' + err)));
  });
}

/// Waits until GET /ready answers 200 (at most 10 s).
export async function waitReady(base) {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(base + '/ready').catch(() => null);
    if (r && r.ok) return;
    await new Promise((done) => setTimeout(done, 100));
  }
}

/// A temporary work directory and the screenshot directory ($DG_SCREENSHOT_DIR or work/screenshots).
export function workspace(prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const shots = process.env.DG_SCREENSHOT_DIR || join(work, 'screenshots');
  mkdirSync(shots, { recursive: true });
  return { work, shots };
}

/// Starts the DNS rig (tests/harness/dnsrig) in `dir` with `args`; resolves to its rig.json, the
/// first recursive resolver ("IP:PORT") and its ordinary names.
export function startRig(dir, args) {
  execFileSync(join(root, 'tests', 'harness', 'dnsrig'), ['start', '--dir', dir, ...args, '--watch-pid', String(process.pid)]);
  const rig = JSON.parse(readFileSync(join(dir, 'rig.json'), 'utf8'));
  return {
    rig,
    resolver: rig.recursives[0].host + ':' + rig.recursives[0].port,
    ordinary: readFileSync(join(dir, 'ordinary.txt'), 'utf8').split('\n').filter(Boolean),
  };
}

/// Stops the rig in `dir` (nothing when it is down already).
export function stopRig(dir) {
  try { execFileSync(join(root, 'tests', 'harness', 'dnsrig'), ['stop', '--dir', dir]); } catch (e) { /* already down */ }
}
