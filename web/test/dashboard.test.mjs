// Browser test of the dashboard: Debian's Chromium (headless) driven by playwright-core against a
// real `domaingraph serve` and the real DNS rig. Starts a scan from the page, watches it finish,
// opens results and charts, compares two scans, looks up an IP, and checks that a hostile note is
// shown as text. Issue 12 item 23: the empty state says what to do, a new scan is selected, rows
// are reachable and usable by keyboard, Enter submits the forms, lookups and comparisons are
// rendered (no raw JSON), NS/MX cells carry addresses and ASes, diversity vs Gini is explained,
// dark mode, no horizontal overflow at 390 px, deep links per scan, domain and AS; then the HTML
// report of the same store: every AS bar labelled, trend shares on their own axis, no visible test
// marker; a reverse-DNS sweep started from its section (issue 13): its names shown, filtered by
// status, the before/after repair counts; the DNS-resilience section of a scan (issue 16); an AS with its organisation (issue 15). Screenshots go to $DG_SCREENSHOT_DIR (default: a temporary directory).
//   node web/test/dashboard.test.mjs          (DG_BIN = the domaingraph binary)
// Exit 77 = skipped (no chromium / rig servers / built dashboard), unless DG_REQUIRE_INTEGRATION=1.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { prerequisites, root, serve, sharedData, startRig, stopRig, waitReady, workspace } from './harness.mjs';

const { playwright, chromiumPath, bin } = await prerequisites({ rig: true });
const cityDb = sharedData('geo/GeoLite2-City-Test.mmdb');
const { work, shots } = workspace('dg-dashboard-');
const token = 'browser-test-token';
let server;
const rigDir = join(work, 'rig');

function cleanup() {
  if (server) server.kill('SIGTERM');
  stopRig(rigDir);
}
process.on('exit', cleanup);

const { rig, resolver, ordinary } = startRig(rigDir, ['--names', '40', '--reverse']);

// A prefix2as table from the hosts the rig's zones use.
const table = readFileSync(join(root, 'tests', 'harness', 'rib_hosts.tsv'), 'utf8').split('\n')
  .filter((l) => l && !l.startsWith('#')).map((l) => { const [p, asn] = l.split('\t'); const [net, len] = p.split('/'); return net + '\t' + len + '\t' + asn; });
// The rig's name servers ns1-4.rig.test (192.0.2.1-4) are routed too, each in an AS of its own
// (AS64500-64503: a domain's two name servers are never in one AS), so that the resilience
// section has name-server ASes.
table.push('192.0.2.1\t32\t64500', '192.0.2.2\t32\t64501', '192.0.2.3\t32\t64502', '192.0.2.4\t32\t64503');
writeFileSync(join(work, 'table.p2a'), table.join('\n') + '\n');
// A small AS graph for the resilience section: tier-1 AS65000 over transits AS65010 and AS65011
// (peers); resolvers AS65001 (below 65010) and AS65002 (below 65011); every AS of the table below
// one of the two transits.
const tableAsns = [...new Set(table.map((l) => l.split('\t')[2]))];
const rel = ['65000|65010|-1', '65000|65011|-1', '65010|65011|0', '65010|65001|-1', '65011|65002|-1']
  .concat(tableAsns.map((a, i) => (i % 2 ? '65011' : '65010') + '|' + a + '|-1'));
writeFileSync(join(work, 'as-rel.txt'), rel.join('\n') + '\n');
// An AS-organisation file (CAIDA's format): the rig's name-server ASes 64500 and 64501 are one
// organisation's.
writeFileSync(join(work, 'as2org.txt'), '# format:org_id|changed|org_name|country|source\n' +
  'ORG-RIG1-RIPE|20240101|Rig Name Servers B.V.|NL|RIPE\n# format:aut|changed|aut_name|org_id|opaque_id|source\n' +
  '64500|20240101|RIG-NS-A|ORG-RIG1-RIPE||RIPE\n64501|20240101|RIG-NS-B|ORG-RIG1-RIPE||RIPE\n');

const started = await serve(bin, ['-m', join(work, 'table.p2a'), '--db', 'sqlite://' + join(work, 'db.sqlite'),
  '--jobs-dir', join(work, 'jobs'), '--web', join(root, 'web', 'dist'), '--resolver', resolver,
  '--as-rel', join(work, 'as-rel.txt'), '--resolver-ases', '65001,65002', '--as2org', join(work, 'as2org.txt'),
  '--geo', cityDb],
{ env: Object.assign({}, process.env, { DOMAINGRAPH_API_TOKEN: token }) });
server = started.child;
const base = 'http://127.0.0.1:' + started.port;
await waitReady(base);

const browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(base + '/');
await page.waitForSelector('#ready.ok');

// 0. Empty state: the page says what to do, and where results will appear.
await page.waitForSelector('#scans-empty:not([hidden])');
assert.match(await page.textContent('#scans-empty'), /No scans yet/);
assert.equal(await page.isVisible('#results-hint'), true);
await page.screenshot({ path: join(shots, '0-empty-state.png'), fullPage: true });

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
// the new scan is selected: highlighted, in the address, its results shown
assert.equal(await page.getAttribute('#scan-table tr[data-id="' + first + '"]', 'aria-selected'), 'true');
assert.equal(new URL(page.url()).hash, '#scan=' + first);
await page.waitForFunction((id) => document.getElementById('results-scan').textContent === 'of scan ' + id, first);
assert.equal(await page.isVisible('#results-hint'), false);
assert.equal(await page.isVisible('#scans-empty'), false);
await page.waitForFunction(() => document.querySelectorAll('#result-table tbody tr').length > 0);
assert.equal(await page.evaluate(() => window.__xss), undefined, 'a note ran as HTML');
const noteCell = await page.textContent('#scan-table tr[data-id="' + first + '"] td:nth-child(5)');
assert.equal(noteCell, hostile);
const rows = await page.$$eval('#result-table tbody tr', (trs) => trs.length);
assert.equal(rows, Math.min(ordinary.length, 50));
await page.waitForFunction(() => document.getElementById('diversity').textContent !== '');
assert.match(await page.textContent('#diversity'), /AS diversity score/);
// diversity and Gini are explained; coverage is stated
assert.match(await page.textContent('#diversity-help'), /diversity score.*high is good.*Gini.*high means concentrated/s);
await page.waitForFunction(() => /Coverage: .* % of \d+ address mappings routed/.test(document.getElementById('coverage').textContent));
// NS and MX cells carry each host's addresses and AS
const nsCells = await page.$$eval('#result-table tbody tr td:nth-child(6)', (tds) => tds.map((t) => t.textContent));
assert.ok(nsCells.some((t) => /ns\d\.rig\.test \(192\.0\.2\.\d+ (AS\d+|unrouted), 2001:db8::\d+ (AS\d+|unrouted)\)/.test(t)), nsCells.join('\n'));
const charts = await page.evaluate(() => ['chart-status', 'chart-asn'].map((id) => !!window.Chart.getChart(id)));
assert.deepEqual(charts, [true, true]);
// the top-AS axis counts IP mappings: whole-number ticks only (it showed 0.5, 1.5)
const asnTicks = await page.evaluate(() => window.Chart.getChart('chart-asn').scales.x.ticks.map((t) => t.value));
assert.ok(asnTicks.length > 1 && asnTicks.every((v) => Number.isInteger(v)), 'top-AS ticks: ' + asnTicks.join(', '));
await page.screenshot({ path: join(shots, '1-scan-results-charts.png'), fullPage: true });

// Search and sort in the results table.
await page.fill('#filter-text', ordinary[0]);
assert.equal(await page.$$eval('#result-table tbody tr', (trs) => trs.length), 1);
await page.fill('#filter-text', '');
await page.click('#result-table th[data-sort="domain"]');
const order = await page.$$eval('#result-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
assert.deepEqual(order, order.slice().sort().reverse());

// Keyboard: Tab reaches the scan rows, Enter selects one; Enter on a result row opens the domain.
const half = Math.floor(ordinary.length / 2);
const second = await startScan(ordinary.slice(0, half), 'half');
assert.equal(new URL(page.url()).hash, '#scan=' + second);
await page.focus('#notes');
let reached = null;
for (let i = 0; i < 30 && reached === null; i++) {
  await page.keyboard.press('Tab');
  reached = await page.evaluate((id) => {
    const a = document.activeElement;
    return a && a.matches('#scan-table tbody tr') && a.dataset.id === String(id) ? a.dataset.id : null;
  }, first);
}
assert.equal(reached, String(first), 'Tab reaches the first scan\'s row');
await page.keyboard.press('Enter');
await page.waitForFunction((id) => document.getElementById('results-scan').textContent === 'of scan ' + id, first);
assert.equal(new URL(page.url()).hash, '#scan=' + first);
await page.waitForFunction((n) => document.querySelectorAll('#result-table tbody tr').length === n, Math.min(ordinary.length, 50));
await page.focus('#result-table tbody tr[data-domain="' + ordinary[0] + '"]');
await page.keyboard.press('Enter');
await page.waitForFunction((d) => !document.getElementById('domain-detail').hidden &&
  document.querySelector('#domain-detail h3').textContent === d && document.querySelectorAll('#domain-detail tbody tr').length === 2, ordinary[0]);
assert.equal(new URL(page.url()).hash, '#scan=' + first + '&domain=' + ordinary[0]);
await page.screenshot({ path: join(shots, '1b-keyboard-domain.png'), fullPage: true });

// 2. Compare, rendered as text: no JSON in the table.
await page.selectOption('#compare-a', String(first));
await page.selectOption('#compare-b', String(second));
await page.click('#compare-go');
await page.waitForFunction(() => /changed/.test(document.getElementById('compare-summary').textContent));
const summary = await page.textContent('#compare-summary');
assert.match(summary, new RegExp((ordinary.length - half) + ' only in A'));
const changeText = await page.textContent('#compare-table tbody');
assert.ok(changeText.length > 0);
assert.doesNotMatch(changeText, /[{}"]/, 'comparison cells are rendered, not JSON');
assert.match(changeText, /status changed/);
await page.screenshot({ path: join(shots, '2-compare.png'), fullPage: true });

// 3. Lookups: Enter in the box; rendered facts and tables, not JSON.
await page.fill('#lookup-input', '1.0.0.1');
await page.press('#lookup-input', 'Enter');
await page.waitForFunction(() => /Origin AS\s*AS15169/.test(document.getElementById('lookup-output').textContent));
assert.doesNotMatch(await page.textContent('#lookup-output'), /[{}"]/);
await page.fill('#lookup-input', ordinary[0]);
await page.press('#lookup-input', 'Enter');
await page.waitForFunction(() => document.querySelectorAll('#lookup-output tbody tr').length === 2);
const lookedUp = await page.textContent('#lookup-output');
assert.doesNotMatch(lookedUp, /[{}"]/);
assert.match(lookedUp, /Name servers/);
await page.screenshot({ path: join(shots, '3-lookup.png'), fullPage: true });

// 4. Deep links: a scan's results for one AS, in a fresh page.
const routed = await page.evaluate(() => {
  const a = document.querySelector('#result-table tbody td:nth-child(4) a');
  return a ? a.textContent.replace('AS', '') : null;
});
assert.ok(routed, 'a routed result links its AS');
const deep = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
deep.on('pageerror', (e) => errors.push(String(e)));
await deep.goto(base + '/#scan=' + first + '&asn=' + routed);
await deep.waitForFunction((t) => document.getElementById('results-scan').textContent === t, 'of scan ' + first + ', AS' + routed);
await deep.waitForFunction(() => document.querySelectorAll('#result-table tbody tr').length > 0);
// the server's AS filter matches any address of the domain (its own, its NS or MX hosts')
const asnRows = await deep.$$eval('#result-table tbody tr', (trs) => trs.map((t) =>
  Array.from(t.querySelectorAll('td, span, a')).map((c) => c.textContent).join(' ')));
assert.ok(asnRows.every((t) => new RegExp('AS' + routed + '\\b').test(t)), asnRows.join('|'));
assert.equal(await deep.inputValue('#filter-asn'), routed);
await deep.goto(base + '/#scan=' + second + '&domain=' + ordinary[0]);
await deep.waitForFunction((d) => { const h = document.querySelector('#domain-detail h3'); return h && h.textContent === d; }, ordinary[0]);
await deep.waitForFunction((id) => document.getElementById('results-scan').textContent === 'of scan ' + id, second);

// 5. Dark mode and a 390 px wide phone: dark background, nothing wider than the screen.
await deep.emulateMedia({ colorScheme: 'dark' });
await deep.setViewportSize({ width: 390, height: 844 });
await deep.goto(base + '/#scan=' + first);
await deep.waitForFunction(() => document.querySelectorAll('#result-table tbody tr').length > 0);
await deep.waitForFunction(() => window.Chart && window.Chart.getChart('chart-asn'));
const bg = await deep.evaluate(() => getComputedStyle(document.body).backgroundColor);
const [r, g, b] = bg.match(/\d+/g).map(Number);
assert.ok(0.2126 * r + 0.7152 * g + 0.0722 * b < 60, 'dark background, got ' + bg);
const width = await deep.evaluate(() => document.documentElement.scrollWidth);
assert.ok(width <= 390, 'page is ' + width + ' px wide at 390 px');
await deep.screenshot({ path: join(shots, '5-dark-390px.png'), fullPage: true });
await deep.close();

// 6. The HTML report of the same store: a third scan repeats the first one's names, so the report
// of the latest scan has trends and changes over two scans of the same input.
await page.goto(base + '/');
await page.waitForSelector('#ready.ok');
const third = await startScan(ordinary, 'again');
const reportFile = join(work, 'report.html');
execFileSync(bin, ['report', String(third), '-o', reportFile, '--db', 'sqlite://' + join(work, 'db.sqlite')]);
const report = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
report.on('pageerror', (e) => errors.push(String(e)));
await report.goto('file://' + reportFile);
await report.waitForFunction(() => document.getElementById('dg-status').getAttribute('data-charts-rendered') !== '0');
const rep = await report.evaluate(() => {
  const asns = window.Chart.getChart('chart-asns');
  const trends = window.Chart.getChart('chart-trends');
  const shares = trends.data.datasets.filter((d) => d.yAxisID === 'y').flatMap((d) => d.data);
  return {
    bars: asns.data.labels.length,
    labelled: asns.scales.y.ticks.length,
    sharesMax: trends.scales.y.max,
    maxShare: Math.max(...shares),
    diversityAxis: trends.data.datasets.find((d) => /diversity/.test(d.label)).yAxisID,
    y1Max: trends.scales.y1.max,
    diffChart: !!document.getElementById('chart-diff'),
    spofTable: !!document.getElementById('spof-table'),
    text: document.body.innerText,
  };
});
assert.ok(rep.bars > 1, 'several ASes in the report');
assert.equal(rep.labelled, rep.bars, 'every AS bar has its label');
assert.ok(rep.sharesMax >= rep.maxShare && rep.sharesMax <= rep.maxShare * 1.5 + 1,
  'the shares axis fits the shares (not 0-100): ' + rep.sharesMax + ' for ' + rep.maxShare);
assert.equal(rep.diversityAxis, 'y1');
assert.equal(rep.y1Max, 100);
assert.doesNotMatch(rep.text, /charts rendered/);
assert.match(rep.text, /Changes since the previous scan of the same names/);
assert.match(rep.text, new RegExp('Against scan ' + first + ' '));
// the same names scanned again, nothing changed: said in words, no empty 0-1 chart or table
assert.match(rep.text, /: 0 of \d+ domains changed, 0 new, 0 gone; 0 changes/);
assert.equal(rep.diffChart, false, 'no changes chart when nothing changed');
assert.match(rep.text, /Single points of failure\s+None: /);
assert.equal(rep.spofTable, false, 'no empty table under "None"');
assert.match(rep.text, /Coverage: /);
await report.screenshot({ path: join(shots, '6-report.png'), fullPage: true });
await report.close();

// 7. A reverse-DNS sweep from the page (issue 13): the rig's reverse zones, a /28 of them; the
// names shown are the truth file's, and the status filter narrows the table.
const truth = readFileSync(rig.reverse.truth, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  .filter((t) => /^198\.18\.0\.(\d|1[0-5])$/.test(t.ip));
assert.equal(truth.length, 16);
await page.goto(base + '/');
await page.fill('#token', token);
await page.dispatchEvent('#token', 'change');
await page.fill('#ptr-list', '# the first /28 of the rig\n198.18.0.0/28\nnot-a-prefix\n');
await page.fill('#ptr-resolvers', resolver);
await page.fill('#ptr-rate', '0');
await page.fill('#ptr-notes', 'dashboard sweep');
await page.click('#ptr-start');
await page.waitForFunction(() => /Sweep \d+ started over 16 addresses; 1 invalid lines skipped/.test(document.getElementById('ptr-message').textContent));
const sweep = Number(/Sweep (\d+)/.exec(await page.textContent('#ptr-message'))[1]);
// the sweep is in the address (beside the selected scan): a link to it
assert.equal(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('ptr'), String(sweep));
await page.waitForFunction((id) => {
  const row = document.querySelector('#ptr-table tr[data-id="' + id + '"] td:nth-child(2)');
  return row && row.textContent === 'complete';
}, sweep, { timeout: 60000 });
await page.waitForFunction(() => /after repair: /.test(document.getElementById('ptr-report').textContent));
await page.waitForFunction(() => document.querySelectorAll('#ptr-result-table tbody tr').length === 16);
const shown = await page.$$eval('#ptr-result-table tbody tr', (trs) => trs.map((t) => Array.from(t.children).map((c) => c.textContent)));
for (const t of truth) {
  const row = shown.find((r) => r[0] === t.ip);
  assert.ok(row, 'address ' + t.ip + ' shown');
  assert.ok(row[1].startsWith(t.status), t.ip + ': ' + row[1] + ' vs ' + t.status);
  assert.equal(row[2], (t.names || []).slice().sort().join(' '), t.ip);
}
const noerror = truth.filter((t) => t.status === 'NOERROR').length;
await page.selectOption('#ptr-status', 'NOERROR');
await page.click('#ptr-filter button');
await page.waitForFunction((n) => document.querySelectorAll('#ptr-result-table tbody tr').length === n, noerror);
await page.screenshot({ path: join(shots, '7-ptr-sweep.png'), fullPage: true });
// The city map (issue 14): a sweep of the rig's /31 links (real router-name shapes) drawn on the
// offline world map; its cities and links are the rig's topology truth.
const topoTruth = JSON.parse(readFileSync(rig.reverse.topology, 'utf8'));
await page.fill('#ptr-list', topoTruth.prefix + '\n');
await page.fill('#ptr-notes', 'router links');
await page.click('#ptr-start');
await page.waitForFunction(() => /Sweep \d+ started over 128 addresses/.test(document.getElementById('ptr-message').textContent));
const linksSweep = Number(/Sweep (\d+)/.exec(await page.textContent('#ptr-message'))[1]);
await page.waitForFunction((id) => {
  const row = document.querySelector('#ptr-table tr[data-id="' + id + '"] td:nth-child(2)');
  return row && row.textContent === 'complete';
}, linksSweep, { timeout: 60000 });
await page.selectOption('#ptr-map-pairs', '31'); // the rig's links are /31s
await page.click('#ptr-map-go');
const cities = new Set(topoTruth.edges.flatMap((e) => [e.a, e.b])).size;
await page.waitForFunction(() => /cities, \d+ links from/.test(document.getElementById('ptr-map-info').textContent));
assert.equal(await page.textContent('#ptr-map-info'), cities + ' cities, ' + topoTruth.edges.length + ' links from ' + topoTruth.pairs +
  ' point-to-point pairs (' + topoTruth.left_out + ' left out: a place missing or unsure; ' + topoTruth.same_city + ' inside one city)');
assert.equal(await page.$$eval('#ptr-map-table tbody tr', (trs) => trs.length), topoTruth.edges.length);
// land was drawn: the canvas is not blank
const inked = await page.evaluate(() => {
  const c = document.getElementById('ptr-map');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
});
assert.ok(inked > 10000, 'map pixels drawn: ' + inked);
await page.screenshot({ path: join(shots, '7b-ptr-city-map.png'), fullPage: true });
// without the token, starting a sweep is refused with the server's message
await page.fill('#token', '');
await page.dispatchEvent('#token', 'change');
await page.click('#ptr-start');
await page.waitForFunction(() => /could not start/.test(document.getElementById('ptr-message').textContent));

// 8. DNS resilience of the first scan (issue 16): Table 1 per resolver AS, the failures (the
// transit AS65010 cuts both resolvers off from some name-server ASes), exposure, a chart.
await page.goto(base + '/#scan=' + first);
await page.waitForFunction((id) => document.getElementById('results-scan').textContent === 'of scan ' + id, first);
await page.selectOption('#res-peer', 'one');
await page.click('#res-go');
await page.waitForFunction(() => /resolver ASes, \d+ domains with a routed name server/.test(document.getElementById('res-message').textContent), null, { timeout: 60000 });
const t1 = await page.$$eval('#res-table1 tbody tr', (trs) => trs.map((t) => t.children[0].textContent));
assert.deepEqual(t1, ['AS65001', 'AS65002']);
const failures = await page.$$eval('#res-table2 tbody tr', (trs) => trs.map((t) => Array.from(t.children).map((c) => c.textContent)));
const transit = failures.find((r) => r[0] === 'AS65010' && /^transit on/.test(r[1]));
assert.ok(transit, failures.map((r) => r.join(' ')).join('\n'));
assert.equal(transit[2], '2', 'both resolver ASes lose name servers when AS65010 fails');
assert.ok(failures.some((r) => /^AS6450[0-3]$/.test(r[0]) && /^hosts \d+ domains$/.test(r[1])), 'hosting rows');
assert.match(await page.textContent('#res-exposure'), /Exposure: \d+ of \d+ domains have all their name servers in one AS/);
assert.equal(await page.evaluate(() => !!window.Chart.getChart('chart-res')), true);
await page.screenshot({ path: join(shots, '8-resilience.png'), fullPage: true });

// 9. An AS and its organisation (issue 15): lookup "AS64500" shows the organisation, its sibling
// AS64501 as a link, and the first scan's domains whose name servers are there.
await page.fill('#lookup-input', 'AS64500');
await page.press('#lookup-input', 'Enter');
await page.waitForFunction(() => { const h = document.querySelector('#lookup-output h3'); return h && h.textContent === 'AS64500 RIG-NS-A'; });
const asFacts = await page.textContent('#lookup-output dl');
assert.match(asFacts, /Rig Name Servers B\.V\. \(ORG-RIG1-RIPE, NL\)/);
assert.match(asFacts, /Domains hosted here\d+ in scan \d+/);
const domainLinks = await page.$$eval('#lookup-output > span a', (as) => as.map((a) => a.textContent));
assert.ok(domainLinks.length > 0 && domainLinks.every((d) => /\.rig\.test$/.test(d)), domainLinks.join(' '));
// its routes in the table (issue 18): the /32 of its name server, each a link to the prefix view
await page.waitForSelector('#as-routes');
assert.deepEqual(await page.$$eval('#as-routes tbody td:first-child', (tds) => tds.map((t) => t.textContent)), ['192.0.2.1/32']);
assert.match(asFacts, /Routes1 prefixes in the loaded table \(1 IPv4, 0 IPv6\)/);
assert.match(asFacts, /Roles\d+ domains by their own addresses, [1-9]\d* by a name server, \d+ by a mail host/);
await page.click('#lookup-output dl a:has-text("AS64501")'); // the sibling
await page.waitForFunction(() => { const h = document.querySelector('#lookup-output h3'); return h && h.textContent === 'AS64501 RIG-NS-B'; });
await page.screenshot({ path: join(shots, '9-as-organisation.png'), fullPage: true });
// the organisation's own view, from the AS view's link: both ASes with their domains
await page.click('#lookup-output dl a:has-text("ORG-RIG1-RIPE")');
await page.waitForFunction(() => { const h = document.querySelector('#lookup-output h3'); return h && h.textContent === 'Rig Name Servers B.V.'; });
assert.equal(new URL(page.url()).hash.includes('lookup=ORG-RIG1-RIPE'), true);
const orgFacts = await page.textContent('#lookup-output dl');
assert.match(orgFacts, /AS64500 RIG-NS-A \(\d+ domains\).*AS64501 RIG-NS-B \(\d+ domains\)/s);
// a prefix typed in: its route, and the domains whose name servers are inside
await page.fill('#lookup-input', '192.0.2.0/24');
await page.press('#lookup-input', 'Enter');
await page.waitForFunction(() => { const h = document.querySelector('#lookup-output h3'); return h && h.textContent === 'Prefix 192.0.2.0/24'; });
assert.equal(await page.$$eval('#prefix-more tbody tr', (trs) => trs.length), 4); // ns1-4's /32s
assert.match(await page.textContent('#lookup-output dl'), /Domains[1-9]\d* in scan \d+ \(\d+ own addresses, [1-9]\d* name servers/);
await page.screenshot({ path: join(shots, '10-prefix.png'), fullPage: true });
// 10. Where the infrastructure is (issue 18): the map of the selected scan, from the server's
// --geo database (MaxMind's test database knows none of the rig's addresses: none located).
await page.goto(base + '/#scan=' + first);
await page.waitForSelector('#geo-box:not([hidden])');
await page.waitForFunction(() => /addresses located/.test(document.getElementById('geo-info').textContent));
assert.match(await page.textContent('#geo-info'), /^0 of \d+ addresses located \(0 %, the server's geo database\)/);
assert.equal(await page.isVisible('#geo-map'), false, 'no empty map when nothing is located');

assert.deepEqual(errors, [], 'page errors');
await browser.close();
console.log('dashboard test passed; screenshots in ' + shots);
cleanup(); // the server and the rig, while the rig directory still names their processes
if (!process.env.DG_SCREENSHOT_DIR) rmSync(work, { recursive: true, force: true });
process.exit(0);
