// The domaingraph dashboard: plain JS over the REST API (docs/api.md). Every string from the
// server or the user goes into the page through textContent, never as HTML.
//
// The page's state lives in its address (deep links): #scan=3 (a scan), #scan=3&domain=example.com
// (a domain in it), #scan=3&asn=64500 (its results with that AS), #lookup=192.0.2.1 and #a=1&b=2
// (a comparison). Clicks and Enter change the address; hashchange applies it.
'use strict';

const $ = (id) => document.getElementById(id);
const state = {
  scans: [], selected: null, asn: '', offset: 0, limit: 50, rows: [], sortKey: 'domain', sortDir: 1, charts: {},
  loaded: false, applied: '',
};

$('token').value = localStorage.getItem('domaingraph-token') || '';
$('token').addEventListener('change', () => localStorage.setItem('domaingraph-token', $('token').value));

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const token = $('token').value.trim();
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch(path, Object.assign({}, options, { headers }));
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!res.ok) {
    const message = body && body.error ? body.error.message : res.status + ' ' + res.statusText;
    throw new Error(message);
  }
  return { body, headers: res.headers };
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function link(text, params) {
  const a = el('a', text);
  a.href = '#' + new URLSearchParams(params).toString();
  return a;
}

function message(id, text, kind) {
  $(id).textContent = text;
  $(id).classList.toggle('error', kind === true || kind === 'error');
  $(id).classList.toggle('warning', kind === 'warning');
}

// --- the address: deep links ---
function hashParams() { return new URLSearchParams(location.hash.slice(1)); }

/// Changes the address (a history entry each) and applies it; `changes` maps keys to values, null
/// removes a key.
function go(changes, replace) {
  const p = hashParams();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k); else p.set(k, String(v));
  }
  const hash = '#' + p.toString();
  if (hash === location.hash || (hash === '#' && !location.hash)) { applyHash(true); return; }
  if (replace) { history.replaceState(null, '', hash); applyHash(); } else location.hash = hash;
}

function applyHash(force) {
  const p = hashParams();
  const key = p.toString();
  if (key === state.applied && !force) return;
  state.applied = key;
  const scan = p.has('scan') ? Number(p.get('scan')) : null;
  const asn = p.get('asn') || '';
  if (scan !== state.selected || asn !== state.asn || force) {
    state.selected = scan;
    state.asn = asn;
    state.offset = 0;
    state.selectedStatus = null;
    $('filter-asn').value = asn;
    markSelected();
    showSelection();
  }
  const domain = p.get('domain');
  if (domain) showDomain(domain); else { $('domain-detail').hidden = true; $('domain-detail').replaceChildren(); }
  const q = p.get('lookup');
  if (q) { $('lookup-input').value = q; lookup(q); }
  if (p.has('a') && p.has('b')) {
    $('compare-a').dataset.want = p.get('a');
    $('compare-b').dataset.want = p.get('b');
    fillCompare(state.scans);
    compare(p.get('a'), p.get('b'));
  }
}
window.addEventListener('hashchange', () => applyHash());
$('home').addEventListener('click', (ev) => { ev.preventDefault(); go({ scan: null, domain: null, asn: null, lookup: null, a: null, b: null, watch: null, alert: null }); });

// --- readiness ---
async function refreshReady() {
  try {
    await api('/ready');
    $('ready').textContent = 'ready';
    $('ready').className = 'badge ok';
  } catch (e) {
    $('ready').textContent = 'not ready';
    $('ready').className = 'badge bad';
  }
}

// --- new scan ---
$('domains-file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  if (file) $('domains').value = await file.text();
});

$('scan-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const domains = $('domains').value.split(/\r?\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  if (!domains.length) { message('start-message', 'paste or upload at least one domain', true); return; }
  const body = { domains };
  const resolvers = $('resolvers').value.split(/[\s,]+/).filter(Boolean);
  if (resolvers.length) body.resolvers = resolvers;
  if ($('notes').value) body.notes = $('notes').value;
  try {
    const { body: r } = await api('/api/v1/scans', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    message('start-message', 'scan ' + r.id + ' started');
    await refreshScans();
    go({ scan: r.id, domain: null, asn: null }); // the new scan is the one shown
  } catch (e) {
    message('start-message', 'could not start: ' + e.message, true);
  }
});

// --- scans ---
function markSelected() {
  for (const tr of $('scan-table').querySelectorAll('tbody tr')) {
    const on = Number(tr.dataset.id) === state.selected;
    tr.classList.toggle('selected', on);
    tr.setAttribute('aria-selected', on ? 'true' : 'false');
  }
}

function showSelection() {
  const none = state.selected === null;
  $('results-hint').hidden = !none;
  if (none) {
    $('results-scan').textContent = '';
    $('charts-scan').textContent = '';
    $('charts-hint').hidden = false;
    $('charts-box').hidden = true;
    $('result-table').querySelector('tbody').replaceChildren();
    $('page-info').textContent = '';
    return;
  }
  loadResults();
  const sel = state.scans.find((s) => s.id === state.selected);
  if (sel && sel.status !== 'running') loadCharts();
}

// A distributed scan (issue 17): shards by state, rate, ETA and its workers, stale ones marked.
function distributedProgress(p) {
  const box = el('div', null, 'distributed');
  const sh = p.shards;
  const eta = p.eta_s === null || p.eta_s === undefined ? '' : ', ETA ' + Math.round(p.eta_s) + ' s';
  box.append(el('span', 'shards: ' + sh.done + ' done, ' + sh.leased + ' leased, ' + sh.pending + ' pending, ' +
    sh.failed + ' failed · ' + Math.round(p.rate_per_s) + ' names/s' + eta, 'shard-summary'));
  const ul = el('ul', null, 'workers');
  for (const w of p.workers || []) {
    const li = el('li', w.id + ' on ' + w.host + ': ' + (w.shard === null ? 'idle' : 'shard ' + w.shard) +
      ', heartbeat ' + Math.round(w.heartbeat_age_s) + ' s ago' + (w.stale ? ' (stale)' : ''), w.stale ? 'stale' : '');
    ul.append(li);
  }
  box.append(ul);
  return box;
}

async function refreshScans() {
  let list;
  try { list = (await api('/api/v1/scans')).body; } catch (e) { return 0; }
  state.scans = list;
  const running = list.filter((s) => s.status === 'running');
  const progress = {};
  const shards = {};
  await Promise.all(running.map(async (s) => {
    try { progress[s.id] = (await api('/api/v1/scans/' + s.id)).body; } catch (e) { /* gone */ }
    try { shards[s.id] = (await api('/api/v1/scans/' + s.id + '/progress')).body; } catch (e) { /* gone */ }
  }));
  const tbody = $('scan-table').querySelector('tbody');
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#scan-table tbody tr');
  const focusId = focused ? focused.dataset.id : null;
  tbody.replaceChildren();
  for (const s of list.slice().reverse()) {
    const tr = el('tr', null, 'selectable');
    tr.dataset.id = s.id;
    tr.tabIndex = 0;
    tr.setAttribute('aria-label', 'scan ' + s.id + ', ' + s.status + (s.notes ? ', ' + s.notes : ''));
    tr.append(el('td', s.id), el('td', s.status, 'status-' + s.status));
    const td = el('td');
    const bar = el('progress');
    const total = s.domains_total || 0;
    bar.max = Math.max(total, 1);
    bar.value = s.status === 'complete' ? bar.max : Math.min(s.domains_done, bar.max);
    td.append(bar, el('span', ' ' + s.domains_done + ' / ' + total));
    const live = progress[s.id] && progress[s.id].progress;
    if (live && live.repairing) td.append(el('span', ' (repair pass)'));
    const dist = shards[s.id];
    if (dist && dist.shards && dist.shards.pending + dist.shards.leased + dist.shards.done + dist.shards.failed > 0) {
      bar.value = Math.min(dist.names_done, bar.max);
      td.append(distributedProgress(dist));
    }
    tr.append(td, el('td', s.started_at), el('td', s.notes));
    tr.addEventListener('click', () => go({ scan: s.id, domain: null, asn: null }));
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go({ scan: s.id, domain: null, asn: null }); }
    });
    tbody.append(tr);
    if (focusId === String(s.id)) tr.focus();
  }
  markSelected();
  $('scans-empty').hidden = list.length > 0;
  fillCompare(list);
  if (!state.loaded) {
    state.loaded = true;
    // Nothing chosen in the address: show the newest scan rather than an empty page.
    if (!hashParams().has('scan') && list.length) go({ scan: list[list.length - 1].id }, true);
    else applyHash(true);
  } else if (state.selected !== null) {
    const sel = list.find((s) => s.id === state.selected);
    if (sel && (sel.status !== state.selectedStatus || sel.domains_done !== state.selectedDone)) {
      state.selectedStatus = sel.status;
      state.selectedDone = sel.domains_done;
      loadResults();
      if (sel.status !== 'running') loadCharts();
    }
  }
  return running.length;
}

// --- results ---
function mappingText(m) {
  return m.ip + (m.asn !== null && m.asn !== undefined ? ' AS' + m.asn : ' unrouted');
}

function hostText(h, withPreference) {
  const ips = (h.ips || []).map(mappingText).join(', ');
  return (withPreference ? h.preference + ' ' : '') + h.host + (ips ? ' (' + ips + ')' : ' (no address)');
}

function addresses(r) { return (r.a || []).concat(r.aaaa || []); }

function cellText(r, key) {
  switch (key) {
    case 'a': return addresses(r).map((x) => x.ip).join(' ');
    case 'asn': return Array.from(new Set(addresses(r).map((x) => x.asn).filter((x) => x !== null))).join(' ');
    case 'org': return Array.from(new Set(addresses(r).map((x) => x.org).filter(Boolean))).join('; ');
    case 'ns': return (r.ns || []).map((x) => hostText(x, false)).join(' ');
    case 'mx': return (r.mx || []).map((x) => hostText(x, true)).join(' ');
    default: return r[key] === undefined || r[key] === null ? '' : String(r[key]);
  }
}

function cell(r, key) {
  const td = el('td');
  if (key === 'asn') {
    const asns = Array.from(new Set(addresses(r).map((x) => x.asn).filter((x) => x !== null)));
    asns.forEach((a, i) => {
      if (i) td.append(' ');
      const l = link('AS' + a, { scan: state.selected, asn: a });
      l.addEventListener('click', (ev) => ev.stopPropagation());
      td.append(l);
    });
  } else if (key === 'ns' || key === 'mx') {
    for (const h of r[key] || []) td.append(el('span', hostText(h, key === 'mx'), 'host'));
  } else if (key === 'a') {
    for (const m of addresses(r)) td.append(el('span', m.ip, 'host'));
  } else {
    td.textContent = cellText(r, key);
  }
  return td;
}

function renderResults() {
  const needle = $('filter-text').value.trim().toLowerCase();
  const keys = ['domain', 'status', 'a', 'asn', 'org', 'ns', 'mx'];
  let rows = state.rows.filter((r) => !needle || keys.some((k) => cellText(r, k).toLowerCase().includes(needle)));
  rows = rows.slice().sort((x, y) => cellText(x, state.sortKey).localeCompare(cellText(y, state.sortKey), undefined, { numeric: true }) * state.sortDir);
  const tbody = $('result-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const r of rows) {
    const tr = el('tr', null, 'selectable');
    tr.tabIndex = 0;
    tr.dataset.domain = r.domain;
    for (const k of keys) tr.append(cell(r, k));
    const open = () => go({ domain: r.domain });
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); open(); } });
    tbody.append(tr);
  }
}

async function loadResults() {
  if (state.selected === null) return;
  const id = state.selected;
  $('results-scan').textContent = 'of scan ' + id + (state.asn ? ', AS' + state.asn : '');
  $('results-hint').hidden = true;
  const params = new URLSearchParams({ limit: state.limit, offset: state.offset });
  if ($('filter-domain').value.trim()) params.set('domain', $('filter-domain').value.trim());
  if ($('filter-asn').value.trim()) params.set('asn', $('filter-asn').value.trim().replace(/^AS/i, ''));
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  $('export-link').href = '/api/v1/scans/' + id + '/export?format=jsonl';
  $('export-csv').href = '/api/v1/scans/' + id + '/export?format=csv';
  try {
    const { body, headers } = await api('/api/v1/scans/' + id + '/results?' + params);
    if (id !== state.selected) return; // another scan was chosen meanwhile
    state.rows = body;
    state.total = Number(headers.get('X-Total-Count') || body.length);
    $('page-info').textContent = ' ' + (state.total ? state.offset + 1 : 0) + '–' + (state.offset + body.length) + ' of ' + state.total + ' ';
    renderResults();
  } catch (e) {
    $('page-info').textContent = e.message;
  }
}

$('filter-text').addEventListener('input', renderResults);
$('filter-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const asn = $('filter-asn').value.trim().replace(/^AS/i, '');
  if (asn !== state.asn) { go({ asn: asn || null }); return; }
  state.offset = 0;
  loadResults();
});
$('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); loadResults(); });
$('next').addEventListener('click', () => { if (state.offset + state.limit < (state.total || 0)) { state.offset += state.limit; loadResults(); } });
for (const th of $('result-table').querySelectorAll('th[data-sort]')) {
  const sort = () => {
    const key = th.dataset.sort;
    state.sortDir = state.sortKey === key ? -state.sortDir : 1;
    state.sortKey = key;
    renderResults();
  };
  th.addEventListener('click', sort);
  th.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); sort(); } });
}

// --- a domain: its results in every scan ---
function resultTable(entries) {
  const table = el('table');
  const head = el('tr');
  for (const h of ['Scan', 'Started', 'Status', 'A / AAAA (AS)', 'NS (address AS)', 'MX (address AS)']) head.append(el('th', h));
  table.append(el('thead'), el('tbody'));
  table.tHead.append(head);
  for (const e of entries) {
    const r = e.result;
    const tr = el('tr');
    const scanCell = el('td');
    scanCell.append(link('#' + e.scan_id, { scan: e.scan_id, domain: r.domain }));
    const a = el('td');
    for (const m of addresses(r)) a.append(el('span', mappingText(m) + (m.org ? ' ' + m.org : ''), 'host'));
    const ns = el('td');
    for (const h of r.ns || []) ns.append(el('span', hostText(h, false), 'host'));
    const mx = el('td');
    for (const h of r.mx || []) mx.append(el('span', hostText(h, true), 'host'));
    tr.append(scanCell, el('td', e.started_at), el('td', r.status + (r.error ? ' — ' + r.error : '')), a, ns, mx);
    table.tBodies[0].append(tr);
  }
  const wrap = el('div', null, 'table-wrap');
  wrap.append(table);
  return wrap;
}

async function domainHistory(name) {
  const { body } = await api('/api/v1/domain/' + encodeURIComponent(name));
  return body;
}

async function showDomain(name) {
  const box = $('domain-detail');
  box.hidden = false;
  box.replaceChildren(el('h3', name));
  try {
    const body = await domainHistory(name);
    box.append(el('p', 'In ' + body.history.length + ' scan(s); the newest first.', 'hint small'),
      resultTable(body.history.slice().reverse()));
    box.scrollIntoView({ block: 'nearest' });
  } catch (e) {
    box.append(el('p', e.message, 'message error'));
  }
}

// --- charts ---
function themeColors() {
  const css = getComputedStyle(document.documentElement);
  return { fg: css.getPropertyValue('--fg').trim() || '#1d2430', line: css.getPropertyValue('--line').trim() || '#e3e6ea' };
}

function chart(id, config) {
  if (state.charts[id]) state.charts[id].destroy();
  const c = themeColors();
  window.Chart.defaults.color = c.fg;
  window.Chart.defaults.borderColor = c.line;
  state.charts[id] = new window.Chart($(id), config);
}

const palette = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

async function loadCharts() {
  const id = state.selected;
  if (id === null || !window.Chart) return;
  $('charts-scan').textContent = 'of scan ' + id;
  $('charts-hint').hidden = true;
  $('charts-box').hidden = false;
  try {
    const [{ body: scan }, { body: stats }] = await Promise.all([api('/api/v1/scans/' + id), api('/api/v1/scans/' + id + '/analytics?top=10')]);
    const counts = scan.results || {};
    chart('chart-status', {
      type: 'doughnut',
      data: { labels: Object.keys(counts), datasets: [{ data: Object.values(counts), backgroundColor: palette }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { title: { display: true, text: 'DNS status' } } },
    });
    const top = stats.top_asns || [];
    chart('chart-asn', {
      type: 'bar',
      data: {
        labels: top.map((a) => 'AS' + a.asn + (a.org ? ' ' + a.org : '')),
        datasets: [{ label: 'IP mappings', data: top.map((a) => a.ip_count), backgroundColor: '#2563eb' }],
      },
      options: {
        animation: false, maintainAspectRatio: false, indexAxis: 'y',
        // counts: whole-number ticks only (Chart.js would draw 0.5, 1.5 on a small axis)
        scales: { y: { ticks: { autoSkip: false } }, x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false }, title: { display: true, text: 'Top ASes (IP mappings)' } },
      },
    });
    const d = stats.diversity || {};
    const i = d.interpretation || {};
    $('diversity').textContent = 'AS diversity score ' + d.diversity_score + ' of 100 (' + i.diversity +
      ' diversity: higher is better), Gini ' + d.gini_coefficient + ' of 1 (' + i.concentration +
      ' concentration: higher is worse), ' + stats.total_unique_asns + ' ASes, ' + stats.unique_ips + ' addresses';
    const cov = stats.coverage;
    if (cov) {
      let text = 'Coverage: ' + cov.routed_pct + ' % of ' + cov.ip_mappings + ' address mappings routed, ' +
        cov.with_org_pct + ' % of those with an organisation';
      if (cov.rpki_checked) text += ', RPKI: ' + cov.rpki_valid_pct + ' % valid, ' + cov.rpki_invalid_pct + ' % invalid';
      if (cov.located) text += ', ' + cov.located_pct + ' % located';
      message('coverage', text, cov.ip_mappings > 0 && cov.routed === 0 ? 'warning' : false);
    }
  } catch (e) {
    $('diversity').textContent = 'analytics: ' + e.message;
  }
  loadGeo(id);
}

/// The world map of the scan's places (GET /api/v1/scans/{id}/geo): the locations stored with
/// its results (scan --geo) or the server's --geo database.
async function loadGeo(id) {
  try {
    const [{ body: g }, land] = await Promise.all([api('/api/v1/scans/' + id + '/geo?limit=500'), landGeo()]);
    if (id !== state.selected) return;
    if (g.source === 'none') {
      $('geo-box').hidden = false;
      $('geo-map').hidden = true;
      $('geo-table').hidden = true;
      $('geo-countries').hidden = true;
      $('geo-info').textContent = 'No locations: scan with --geo GeoLite2-City.mmdb, or start the server with --geo.';
      return;
    }
    $('geo-box').hidden = false;
    // nothing located (a database that covers none of the addresses): the sentence, no empty map
    $('geo-map').hidden = g.located === 0;
    const located = g.places.filter((p) => p.lat !== null && p.lon !== null);
    drawMap($('geo-map'), land, {
      nodes: located.map((p, i) => ({ id: i, lat: p.lat, lon: p.lon, city: p.city || p.country || '', interfaces: p.domains })),
      edges: [],
    });
    $('geo-info').textContent = g.located + ' of ' + g.addresses + ' addresses located (' + g.located_pct + ' %, ' +
      (g.source === 'scan' ? 'stored with the scan' : "the server's geo database") + ') in ' + g.places_total + ' places, ' +
      g.countries.length + ' countries. Dot size: domains served from there.';
    const asLinks = (asns) => {
      const td = el('td');
      asns.slice(0, 5).forEach((a, i) => { if (i) td.append(', '); td.append(link('AS' + a, { lookup: 'AS' + a })); });
      if (asns.length > 5) td.append(' +' + (asns.length - 5));
      return td;
    };
    const row = (name, p) => {
      const tr = el('tr');
      tr.append(el('td', name), el('td', p.domains), el('td', p.web), el('td', p.ns), el('td', p.mx), el('td', p.addresses), asLinks(p.asns));
      return tr;
    };
    $('geo-table').hidden = g.places.length === 0;
    $('geo-table').querySelector('tbody').replaceChildren(...g.places.slice(0, 25).map((p) => row((p.city ? p.city + ', ' : '') + (p.country || '?'), p)));
    $('geo-countries').hidden = g.countries.length === 0;
    $('geo-countries').querySelector('tbody').replaceChildren(...g.countries.map((p) => row(p.country || '(unknown)', p)));
  } catch (e) {
    $('geo-box').hidden = false;
    $('geo-info').textContent = 'map: ' + e.message;
  }
}

// --- DNS resilience (GET /api/v1/scans/{id}/resilience) ---
function num(v, digits) { return v === null || v === undefined ? '–' : Number(v).toFixed(digits); }

function failureRows(t2) {
  const rows = [];
  for (const r of t2.hosting || []) rows.push({ name: 'AS' + r.asn, why: 'hosts ' + r.domains + ' domains', r });
  for (const r of t2.transit || []) rows.push({ name: 'AS' + r.asn, why: 'transit on ' + r.paths + ' paths', r });
  for (const r of t2.links || []) rows.push({ name: 'link ' + r.link, why: 'on ' + r.paths + ' paths', r });
  for (const r of t2.ixps || []) rows.push({ name: 'IXP ' + r.ixp, why: r.links_failed + ' peer links', r });
  return rows;
}

async function loadResilience() {
  const id = state.selected;
  if (id === null) { message('res-message', 'Select a scan first (in the scans table).', 'warning'); return; }
  $('res-scan').textContent = 'of scan ' + id;
  message('res-message', 'Computing every listed failure for scan ' + id + '…');
  $('res-go').disabled = true;
  try {
    const q = new URLSearchParams({ top: $('res-top').value || '10', peer_mode: $('res-peer').value });
    const { body: r } = await api('/api/v1/scans/' + id + '/resilience?' + q);
    const t1 = $('res-table1').querySelector('tbody');
    t1.replaceChildren(...(r.table1 || []).map((row) => {
      const tr = el('tr');
      tr.append(el('td', 'AS' + row.asn), el('td', row.unreachable_ases), el('td', row.unreachable_domains), el('td', num(row.mean_len, 2)));
      return tr;
    }));
    const rows = failureRows(r.table2 || {});
    $('res-table2').querySelector('tbody').replaceChildren(...rows.map(({ name, why, r: x }) => {
      const tr = el('tr');
      tr.append(el('td', name), el('td', why), el('td', x.res), el('td', num(x.mu_as, 1)), el('td', num(x.mu_dom, 1)), el('td', num(x.mu_path, 2)));
      return tr;
    }));
    const hit = rows.filter((x) => x.r.res > 0).slice(0, 15);
    $('res-chart-box').hidden = hit.length === 0 || !window.Chart;
    if (hit.length > 0 && window.Chart) {
      chart('chart-res', {
        type: 'bar',
        data: { labels: hit.map((x) => x.name), datasets: [{ label: 'μ domains cut off', data: hit.map((x) => x.r.mu_dom), backgroundColor: '#dc2626' }] },
        options: {
          animation: false, maintainAspectRatio: false, indexAxis: 'y',
          scales: { y: { ticks: { autoSkip: false } }, x: { beginAtZero: true } },
          plugins: { legend: { display: false }, title: { display: true, text: 'Failures that cut resolvers off (μ domains per affected resolver)' } },
        },
      });
    }
    const d = r.domains || {};
    const e = r.exposure || {};
    message('res-message', (r.sources || []).length + ' resolver ASes, ' + d.with_routed_name_server + ' domains with a routed name server (' +
      d.without_routed_name_server + ' without), graph of ' + r.graph.ases + ' ASes; μ path ' + num(r.mu_path, 2) +
      '; ' + num(r.seconds, 2) + ' s' + ((r.sources_not_in_graph || []).length ? '; not in the graph: AS' + r.sources_not_in_graph.join(', AS') : ''),
    (r.sources_not_in_graph || []).length ? 'warning' : false);
    $('res-exposure').textContent = 'Exposure: ' + e.all_name_servers_in_one_as + ' of ' + e.domains +
      ' domains have all their name servers in one AS; ' + e.behind_one_transit_as + ' sit behind one single transit AS.';
  } catch (err) {
    message('res-message', 'resilience: ' + err.message, 'error');
  } finally {
    $('res-go').disabled = false;
  }
}
$('res-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadResilience(); });

// --- compare ---
function fillCompare(list) {
  for (const id of ['compare-a', 'compare-b']) {
    const sel = $(id);
    const keep = sel.dataset.want || sel.value;
    sel.replaceChildren();
    for (const s of list) {
      const o = el('option', '#' + s.id + ' ' + s.started_at + ' ' + (s.notes || ''));
      o.value = s.id;
      sel.append(o);
    }
    if (keep && list.some((s) => String(s.id) === String(keep))) sel.value = keep;
    else if (list.length) sel.value = list[id === 'compare-a' ? Math.max(0, list.length - 2) : list.length - 1].id;
  }
}

const changeNames = {
  a_added: 'A record added', a_removed: 'A record removed', aaaa_added: 'AAAA record added',
  aaaa_removed: 'AAAA record removed', asn_changed: 'origin AS changed', prefix_changed: 'prefix changed',
  org_changed: 'organisation changed', ns_added: 'name server added', ns_removed: 'name server removed',
  mx_added: 'mail host added', mx_removed: 'mail host removed', mx_preference_changed: 'MX preference changed',
  cname_changed: 'CNAME changed', status_changed: 'status changed', rpki_changed: 'RPKI state changed', provider_shift: 'provider share moved',
};

/// The old or new side of a change; a provider shift's is the provider's share of the list.
function sideText(c, side) {
  if (c.type !== 'provider_shift') return valueText(c.type, c[side]);
  const [share, domains] = side === 'from' ? [c.share_a, c.domains_a] : [c.share_b, c.domains_b];
  return share + ' % of the list (' + domains + ' domains)';
}

function valueText(type, v) {
  if (v === null || v === undefined) return type === 'status_changed' ? '(not in scan)' : type === 'asn_changed' || type === 'prefix_changed' ? 'unrouted' : '—';
  if (type === 'asn_changed') return 'AS' + v;
  if (Array.isArray(v)) return v.length ? v.join(' → ') : '(none)';
  if (typeof v === 'object') return (v.host || '') + ' preference ' + (Array.isArray(v.preference) ? v.preference.join(', ') : v.preference);
  return String(v);
}

function whereText(c) {
  if (c.type === 'provider_shift') return c.level === 'as' ? 'AS' + c.asn + (c.name ? ' (' + c.name + ')' : '') : 'organisation ' + (c.name || '(unknown)');
  if (!c.address) return '';
  const owner = c.role === 'ns' ? 'name server ' + c.host : c.role === 'mx' ? 'mail host ' + c.host : 'the domain';
  return c.address + ' (' + c.record + ' of ' + owner + ')';
}

async function compare(a, b) {
  const tbody = $('compare-table').querySelector('tbody');
  tbody.replaceChildren();
  message('compare-summary', 'comparing…');
  try {
    const { body } = await api('/api/v1/diff?' + new URLSearchParams({ a, b, limit: 500 }));
    const s = body.summary;
    const used = body.scans ? ' (' + body.scans.a + ' → ' + body.scans.b + ')' : '';
    message('compare-summary', 'scan ' + s.scan_a + ' → ' + s.scan_b + used + ': ' + s.domains_compared + ' compared, ' +
      s.domains_changed + ' changed, ' + s.domains_only_in_a + ' only in A, ' + s.domains_only_in_b + ' only in B, ' +
      s.changes + ' changes' + (body.truncated ? ' (first 500 listed)' : ''));
    for (const c of body.changes) {
      const tr = el('tr');
      const domain = el('td');
      domain.append(link(c.domain, { scan: s.scan_b, domain: c.domain, a, b }));
      tr.append(domain, el('td', changeNames[c.type] || c.type), el('td', c.severity, 'severity-' + c.severity),
        el('td', whereText(c)), el('td', valueText(c.type, c.from)), el('td', valueText(c.type, c.to)));
      tbody.append(tr);
    }
  } catch (e) {
    message('compare-summary', e.message, true);
  }
}

$('compare-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  delete $('compare-a').dataset.want;
  delete $('compare-b').dataset.want;
  go({ a: $('compare-a').value, b: $('compare-b').value });
});

// --- lookup ---
function facts(pairs) {
  const dl = el('dl', null, 'facts');
  for (const [k, v] of pairs) {
    dl.append(el('dt', k));
    const dd = el('dd');
    if (v instanceof Node) dd.append(v); else dd.textContent = v;
    dl.append(dd);
  }
  return dl;
}

/// A list of links separated by commas (a span), or a dash.
function linkList(items) {
  if (items.length === 0) return '—';
  const span = el('span');
  items.forEach((a, i) => { if (i > 0) span.append(', '); span.append(a); });
  return span;
}

/// An AS and its organisation (GET /api/v1/as/{asn}): siblings, registry, the domains of the
/// selected scan (else the newest) hosted in it and in its siblings.
async function asView(asn) {
  const scanParam = state.selected !== null ? '?scan=' + state.selected : '';
  const { body: a } = await api('/api/v1/as/' + asn + scanParam);
  const org = a.org ? link((a.org.name || a.org.id) + ' (' + a.org.id + (a.org.country ? ', ' + a.org.country : '') + ')', { lookup: a.org.id })
    : a.as2org ? 'not in the loaded AS-organisation file' : 'unknown: the server has no AS-organisation file (serve --as2org FILE)';
  const siblings = linkList((a.siblings || []).map((s) => link('AS' + s.asn + (s.name ? ' ' + s.name : ''), { lookup: 'AS' + s.asn })));
  const rows = [['Organisation', org], ['Country', a.country || '—'], ['Registry', a.registry || '—'], ['Sibling ASes', siblings]];
  const r = a.routes;
  if (r) {
    let routes = r.total + ' prefixes in the loaded table (' + r.ipv4 + ' IPv4, ' + r.ipv6 + ' IPv6)';
    if (r.rpki) routes += '; RPKI: ' + r.rpki.valid + ' valid, ' + r.rpki.invalid + ' invalid, ' + r.rpki.not_found + ' not-found';
    rows.push(['Routes', routes]);
  }
  const parts = [el('h3', 'AS' + a.asn + (a.name ? ' ' + a.name : ''))];
  if (a.scan) {
    const sc = a.scan;
    rows.push(['Domains hosted here', sc.domains_total + ' in scan ' + sc.id]);
    if (sc.roles) rows.push(['Roles', sc.roles.web + ' domains by their own addresses, ' + sc.roles.ns + ' by a name server, ' + sc.roles.mx + ' by a mail host']);
    rows.push(['Domains of the organisation', sc.organisation_domains_total + ' over ' + (sc.by_as || []).length + ' of its ASes (' +
      (sc.by_as || []).map((b) => 'AS' + b.asn + ': ' + b.domains).join(', ') + ')']);
    parts.push(facts(rows));
    if (sc.domains.length > 0) {
      parts.push(el('p', 'Domains of scan ' + sc.id + ' with an address (own, name server or mail host) in AS' + a.asn +
        (sc.domains.length < sc.domains_total ? ' (first ' + sc.domains.length + ')' : '') + ':', 'hint small'));
      parts.push(linkList(sc.domains.map((d) => link(d, { scan: sc.id, domain: d }))));
    }
  } else {
    rows.push(['Domains hosted here', 'no scan stored yet']);
    parts.push(facts(rows));
  }
  if (r && r.prefixes.length) {
    parts.push(el('p', 'Routes of AS' + a.asn + (r.prefixes.length < r.total ? ' (first ' + r.prefixes.length + ' of ' + r.total + ')' : '') + ':', 'hint small'),
      routeTable('as-routes', r.prefixes));
  }
  return parts;
}

/// A route of the table as a row: its prefix (a link to its view), origins, RPKI state.
function routeRow(p) {
  const tr = el('tr');
  const prefix = el('td');
  prefix.append(link(p.prefix, { lookup: p.prefix }));
  const origins = el('td');
  p.origins.forEach((o, i) => { if (i) origins.append(', '); origins.append(link('AS' + o, { lookup: 'AS' + o })); });
  tr.append(prefix, origins, el('td', p.org || '—'),
    el('td', p.rpki ? p.rpki + (p.rpki_reason ? ' (' + p.rpki_reason + ')' : '') : '—', p.rpki ? 'rpki-' + p.rpki : null));
  return tr;
}

function routeTable(id, routes) {
  const table = el('table', null, 'small');
  table.id = id;
  const head = el('tr');
  head.append(el('th', 'Prefix'), el('th', 'Origins'), el('th', 'Organisation'), el('th', 'RPKI'));
  const thead = el('thead');
  thead.append(head);
  const body = el('tbody');
  body.append(...routes.map(routeRow));
  table.append(thead, body);
  return table;
}

/// A prefix (GET /api/v1/prefix/{prefix}): its route, the covering one, the more specific ones,
/// and the domains of the selected (else the newest) scan with an address inside.
async function prefixView(q) {
  const scanParam = state.selected !== null ? '?scan=' + state.selected : '';
  const { body: p } = await api('/api/v1/prefix/' + q.split('/').map(encodeURIComponent).join('/') + scanParam);
  const parts = [el('h3', 'Prefix ' + p.prefix)];
  const routes = [p.route, p.covering].filter(Boolean);
  const rows = [['Route', p.route ? 'in the table' : p.covering ? 'not in the table; covered by ' + p.covering.prefix : 'not routed in the loaded table'],
    ['More specific', p.more_specifics.total + ' prefixes' + (p.more_specifics.rpki ? ' (RPKI: ' + p.more_specifics.rpki.valid + ' valid, ' + p.more_specifics.rpki.invalid + ' invalid, ' + p.more_specifics.rpki.not_found + ' not-found)' : '')]];
  if (p.scan) rows.push(['Domains', p.scan.domains_total + ' in scan ' + p.scan.id + ' (' + p.scan.roles.web + ' own addresses, ' + p.scan.roles.ns + ' name servers, ' + p.scan.roles.mx + ' mail hosts; ' + p.scan.addresses_total + ' addresses)']);
  parts.push(facts(rows));
  if (routes.length) parts.push(routeTable('prefix-route', routes));
  if (p.more_specifics.prefixes.length) {
    parts.push(el('p', 'More specific routes:', 'hint small'), routeTable('prefix-more', p.more_specifics.prefixes));
  }
  if (p.scan && p.scan.domains.length) {
    parts.push(el('p', 'Domains with an address in ' + p.prefix + ':', 'hint small'));
    parts.push(linkList(p.scan.domains.map((d) => link(d.domain + ' (' + d.roles.join(', ') + ')', { scan: p.scan.id, domain: d.domain }))));
  }
  return parts;
}

/// An organisation (GET /api/v1/org/{id}): its ASes with their routes and domains.
async function orgView(q) {
  const scanParam = state.selected !== null ? '?scan=' + state.selected : '';
  const { body: o } = await api('/api/v1/org/' + encodeURIComponent(q) + scanParam);
  const ases = linkList(o.ases.map((a) => link('AS' + a.asn + (a.name ? ' ' + a.name : '') + (a.domains !== null ? ' (' + a.domains + ' domains)' : ''), { lookup: 'AS' + a.asn })));
  const rows = [['Id', o.id], ['Country', o.country || '—'], ['Registry', o.source || '—'], ['ASes', ases]];
  if (o.scan) rows.push(['Domains', o.scan.domains_total + ' in scan ' + o.scan.id]);
  const parts = [el('h3', o.name || o.id), facts(rows)];
  if (o.scan && o.scan.domains.length) parts.push(linkList(o.scan.domains.map((d) => link(d, { scan: o.scan.id, domain: d }))));
  return parts;
}

async function lookup(q) {
  const out = $('lookup-output');
  out.replaceChildren(el('p', 'looking up ' + q + '…', 'hint'));
  const asMatch = /^(?:AS)?(\d{1,10})$/i.exec(q);
  const prefixMatch = !asMatch && /^[0-9a-f.:]+\/\d{1,3}$/i.test(q);
  const isIp = !asMatch && !prefixMatch && (/^[0-9.]+$/.test(q) || q.includes(':'));
  const isOrg = !asMatch && !prefixMatch && !isIp && (/^(ORG-|@)/i.test(q) || /\s/.test(q));
  try {
    if (asMatch) {
      out.replaceChildren(...(await asView(asMatch[1])));
    } else if (prefixMatch) {
      out.replaceChildren(...(await prefixView(q)));
    } else if (isOrg) {
      out.replaceChildren(...(await orgView(q)));
    } else if (isIp) {
      const { body: m } = await api('/api/v1/ip/' + encodeURIComponent(q));
      const asn = m.asn === null ? 'none: not routed in the loaded table'
        : state.selected !== null ? link('AS' + m.asn, { scan: state.selected, asn: m.asn }) : 'AS' + m.asn;
      out.replaceChildren(el('h3', m.ip), facts([
        ['Prefix', m.prefix === null ? 'none' : link(m.prefix, { lookup: m.prefix })],
        ['Origin AS', asn],
        ['All origins', (m.origins || []).length ? m.origins.map((o) => 'AS' + o).join(', ') : '—'],
        ['Organisation', m.org || 'unknown'],
        ['RPKI', m.rpki ? m.rpki + (m.rpki_reason ? ' (' + m.rpki_reason + ')' : '') : '—'],
        ['Location', m.geo ? [m.geo.city, m.geo.country].filter(Boolean).join(', ') + (m.geo.lat !== null ? ' (' + m.geo.lat + ', ' + m.geo.lon + ')' : '') : '—'],
      ]));
    } else {
      const body = await domainHistory(q);
      const last = body.latest.result;
      out.replaceChildren(el('h3', body.domain), facts([
        ['Newest result', 'scan ' + body.latest.scan_id + ': ' + last.status],
        ['Addresses', addresses(last).map(mappingText).join(', ') || '—'],
        ['Name servers', (last.ns || []).map((h) => hostText(h, false)).join('; ') || '—'],
        ['Mail hosts', (last.mx || []).map((h) => hostText(h, true)).join('; ') || '—'],
      ]), el('p', 'In ' + body.history.length + ' scan(s):', 'hint small'), resultTable(body.history.slice().reverse()));
    }
  } catch (e) {
    out.replaceChildren(el('p', 'error: ' + e.message, 'message error'));
  }
}

$('lookup-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('lookup-input').value.trim();
  if (q) go({ lookup: q });
});

// --- reverse DNS sweeps (#ptr=ID) ---
const ptrState = { selected: null, offset: 0, limit: 50, status: '', done: -1 };

async function refreshSweeps() {
  let list;
  try { list = (await api('/api/v1/ptr/sweeps')).body; } catch (e) { return 0; }
  const tbody = $('ptr-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const s of list.slice().reverse()) {
    const tr = el('tr', null, 'selectable');
    tr.dataset.id = s.id;
    tr.tabIndex = 0;
    tr.setAttribute('aria-label', 'sweep ' + s.id + ', ' + s.status);
    if (s.id === ptrState.selected) tr.classList.add('selected');
    const td = el('td');
    const bar = el('progress');
    bar.max = Math.max(s.addresses_total || 0, 1);
    bar.value = Math.min(s.addresses_done, bar.max);
    td.append(bar, el('span', ' ' + s.addresses_done + ' / ' + s.addresses_total));
    tr.append(el('td', s.id), el('td', s.status, 'status-' + s.status), td, el('td', s.source), el('td', s.notes));
    const open = () => go({ ptr: s.id });
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } });
    tbody.append(tr);
    if (s.id === ptrState.selected && (s.addresses_done !== ptrState.done || s.status !== ptrState.status0)) {
      ptrState.done = s.addresses_done;
      ptrState.status0 = s.status;
      showSweepReport(s);
      loadSweepResults();
    }
  }
  $('ptr-empty').hidden = list.length > 0;
  return list.filter((s) => s.status === 'running').length;
}

function showSweepReport(s) {
  const r = s.report;
  if (!r || !r.after_repair) { $('ptr-report').textContent = s.status === 'running' ? 'running…' : ''; return; }
  const parts = Object.entries(r.after_repair).map(([k, v]) => k + ' ' + v);
  const before = Object.entries(r.main_pass || {}).map(([k, v]) => k + ' ' + v);
  $('ptr-report').textContent = 'after repair: ' + parts.join(', ') + (r.repair_names ? ' (main pass: ' + before.join(', ') + '; ' + r.repair_recovered + ' of ' + r.repair_names + ' recovered by the repair pass)' : '');
}

async function loadSweepResults() {
  const id = ptrState.selected;
  if (id === null) return;
  const q = new URLSearchParams({ limit: ptrState.limit, offset: ptrState.offset });
  if (ptrState.status) q.set('status', ptrState.status);
  let got;
  try { got = await api('/api/v1/ptr/sweeps/' + id + '/results?' + q); } catch (e) { message('ptr-message', e.message, true); return; }
  const tbody = $('ptr-result-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const r of got.body) {
    const tr = el('tr');
    tr.append(el('td', r.ip), el('td', r.status + (r.main_status ? ' (was ' + r.main_status + ')' : ''), 'status-' + r.status),
      el('td', (r.names || []).join(' ')), el('td', r.cname || ''), el('td', r.resolver), el('td', r.attempts));
    tbody.append(tr);
  }
  const total = Number(got.headers.get('X-Total-Count') || 0);
  $('ptr-page-info').textContent = total ? (ptrState.offset + 1) + '–' + Math.min(total, ptrState.offset + ptrState.limit) + ' of ' + total : 'no results';
  $('ptr-prev').disabled = ptrState.offset === 0;
  $('ptr-next').disabled = ptrState.offset + ptrState.limit >= total;
}

function applyPtrHash() {
  const p = hashParams();
  const id = p.has('ptr') ? Number(p.get('ptr')) : null;
  if (id === ptrState.selected) return;
  ptrState.selected = id;
  ptrState.offset = 0;
  ptrState.done = -1;
  $('ptr-results').hidden = id === null;
  $('ptr-results-id').textContent = id === null ? '' : id;
  $('ptr-map').hidden = true;
  $('ptr-map-table').hidden = true;
  $('ptr-map-info').textContent = '';
  if (id !== null) refreshSweeps();
}
window.addEventListener('hashchange', applyPtrHash);

$('ptr-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const list = $('ptr-list').value;
  if (!list.trim()) { message('ptr-message', 'Paste prefixes or addresses first.', true); return; }
  const body = { notes: $('ptr-notes').value };
  body[$('ptr-kind').value] = list;
  const resolvers = $('ptr-resolvers').value.split(/[\s,]+/).filter(Boolean);
  if (resolvers.length) body.resolvers = resolvers;
  const rate = $('ptr-rate').value.trim();
  if (rate) body.rate = Number(rate);
  try {
    const got = (await api('/api/v1/ptr/sweeps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).body;
    message('ptr-message', 'Sweep ' + got.id + ' started over ' + got.addresses + ' addresses' + (got.invalid_lines ? '; ' + got.invalid_lines + ' invalid lines skipped' : '') + '.');
    go({ ptr: got.id });
    refreshSweeps();
  } catch (e) {
    message('ptr-message', 'could not start: ' + e.message, true);
  }
});
$('ptr-filter').addEventListener('submit', (ev) => { ev.preventDefault(); ptrState.status = $('ptr-status').value; ptrState.offset = 0; loadSweepResults(); });
$('ptr-prev').addEventListener('click', () => { ptrState.offset = Math.max(0, ptrState.offset - ptrState.limit); loadSweepResults(); });
$('ptr-next').addEventListener('click', () => { ptrState.offset += ptrState.limit; loadSweepResults(); });

// The city map of a sweep (GET /api/v1/ptr/sweeps/{id}/topology) on the world's land outlines
// (vendor/land-110m.geo.json, built from world-atlas by build.mjs): equirectangular, no tiles.
let landOutlines = null;
async function landGeo() {
  if (!landOutlines) {
    const r = await fetch('vendor/land-110m.geo.json');
    landOutlines = r.ok ? await r.json() : { features: [] };
  }
  return landOutlines;
}

function drawMap(canvas, geo, topo) {
  const ctx = canvas.getContext('2d');
  const W = canvas.width;
  const H = canvas.height;
  const css = getComputedStyle(document.documentElement);
  const x = (lon) => (lon + 180) / 360 * W;
  const y = (lat) => (90 - lat) / 180 * H;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = css.getPropertyValue('--line').trim() || '#e3e6ea';
  for (const f of geo.features || []) {
    const g = f.geometry;
    for (const poly of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) {
      ctx.beginPath();
      for (const ring of poly) {
        // a ring crossing the antimeridian jumps across the map: that edge is not drawn
        ring.forEach(([lon, lat], i) => (i && Math.abs(lon - ring[i - 1][0]) <= 180 ? ctx.lineTo(x(lon), y(lat)) : ctx.moveTo(x(lon), y(lat))));
        ctx.closePath();
      }
      ctx.fill('evenodd');
    }
  }
  const nodes = new Map(topo.nodes.map((n) => [n.id, n]));
  const most = Math.max(1, ...topo.edges.map((e) => e.links));
  ctx.strokeStyle = '#dc2626';
  for (const e of topo.edges) {
    const a = nodes.get(e.source);
    const b = nodes.get(e.target);
    if (!a || !b) continue;
    ctx.lineWidth = 1 + 3 * e.links / most;
    ctx.beginPath();
    ctx.moveTo(x(a.lon), y(a.lat));
    ctx.lineTo(x(b.lon), y(b.lat));
    ctx.stroke();
  }
  ctx.font = '11px sans-serif';
  for (const n of topo.nodes) {
    ctx.fillStyle = '#2563eb';
    ctx.beginPath();
    ctx.arc(x(n.lon), y(n.lat), 3 + Math.min(5, Math.sqrt(n.interfaces)), 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = css.getPropertyValue('--fg').trim() || '#1d2430';
    ctx.fillText(n.city, x(n.lon) + 6, y(n.lat) - 4);
  }
}

async function drawSweepMap() {
  const id = ptrState.selected;
  if (id === null) return;
  $('ptr-map-info').textContent = 'decoding the names of sweep ' + id + '…';
  try {
    const [{ body: topo }, geo] = await Promise.all([api('/api/v1/ptr/sweeps/' + id + '/topology?pairs=' + encodeURIComponent($('ptr-map-pairs').value)), landGeo()]);
    $('ptr-map').hidden = false;
    drawMap($('ptr-map'), geo, topo);
    const names = new Map(topo.nodes.map((n) => [n.id, n.city + (n.country ? ', ' + n.country : '')]));
    $('ptr-map-table').hidden = topo.edges.length === 0;
    $('ptr-map-table').querySelector('tbody').replaceChildren(...topo.edges.slice().sort((a, b) => b.links - a.links).map((e) => {
      const tr = el('tr');
      tr.append(el('td', names.get(e.source)), el('td', names.get(e.target)), el('td', e.links), el('td', e.operators.join(', ')));
      return tr;
    }));
    $('ptr-map-info').textContent = topo.nodes.length + ' cities, ' + topo.edges.length + ' links from ' + topo.pairs +
      ' point-to-point pairs (' + topo.left_out_low_confidence + ' left out: a place missing or unsure; ' + topo.same_city + ' inside one city)';
  } catch (e) {
    $('ptr-map-info').textContent = 'map: ' + e.message;
  }
}
$('ptr-map-go').addEventListener('click', drawSweepMap);

// --- watches: #watch=NAME (a watch), #watch=NAME&alert=ID (one of its alerts) ---
const watchState = { selected: null, alert: null, detail: null, chart: null, trendFor: '' };

async function refreshWatches() {
  let list;
  try { list = (await api('/api/v1/watches')).body; } catch (e) { return; }
  const tbody = $('watch-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const w of list) {
    const tr = el('tr', null, 'selectable');
    tr.tabIndex = 0;
    tr.dataset.name = w.name;
    tr.setAttribute('aria-label', 'watch ' + w.name);
    if (w.name === watchState.selected) tr.classList.add('selected');
    const name = el('td');
    name.append(link(w.name, { watch: w.name }));
    const last = w.last_run;
    tr.append(name, el('td', w.every), el('td', w.next_run_at), el('td', w.runs),
      el('td', last ? 'scan ' + last.scan_id + ': ' + last.changes + ' changes, ' + last.alerts + ' alerts' : '—'),
      el('td', (w.alerts || []).join(' ') || '—'));
    tr.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') go({ watch: w.name, alert: null }); });
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go({ watch: w.name, alert: null }); }
    });
    tbody.append(tr);
  }
  $('watches-empty').hidden = list.length > 0;
}

function alertRow(a) {
  const c = a.change || {};
  const tr = el('tr', null, 'selectable');
  tr.tabIndex = 0;
  tr.dataset.id = a.id;
  if (a.id === watchState.alert) tr.classList.add('selected');
  const domain = el('td');
  domain.append(link(a.domain || '(the whole list)', { watch: a.watch, alert: a.id }));
  tr.append(domain, el('td', changeNames[c.type] || c.type), el('td', a.severity, 'severity-' + a.severity),
    el('td', whereText(c)), el('td', sideText(c, 'from')), el('td', sideText(c, 'to')), el('td', a.created_at));
  const open = () => go({ watch: a.watch, alert: a.id });
  tr.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') open(); });
  tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } });
  return tr;
}

/// One alert: what changed, where, and deep links to the domain in its scan, the ASes involved and
/// the comparison of the two runs.
function showAlert(a, runs) {
  const box = $('alert-detail');
  if (!a) { box.hidden = true; box.replaceChildren(); return; }
  const c = a.change || {};
  const run = runs.find((r) => r.scan_id === a.scan_id);
  const links = el('p', null, 'links');
  links.append(a.domain ? link('the domain in scan ' + a.scan_id, { scan: a.scan_id, domain: a.domain }) : link('scan ' + a.scan_id, { scan: a.scan_id }));
  for (const asn of c.type === 'asn_changed' ? [c.from, c.to] : c.type === 'provider_shift' ? [c.asn] : []) {
    if (asn !== null && asn !== undefined) { links.append(' · '); links.append(link('AS' + asn, { lookup: 'AS' + asn })); }
  }
  if (run && run.previous_scan) { links.append(' · '); links.append(link('all changes of this run', { a: run.previous_scan, b: a.scan_id })); }
  box.replaceChildren(el('h4', 'Alert ' + a.id), facts([
    ['Domain', a.domain || '(the whole list)'], ['Change', changeNames[c.type] || c.type], ['Severity', a.severity],
    ['Where', whereText(c) || '—'], ['From', sideText(c, 'from')], ['To', sideText(c, 'to')],
    ['Run', 'scan ' + a.scan_id + (run && run.previous_scan ? ' compared with scan ' + run.previous_scan : '')],
    ['Created', a.created_at],
  ]), links, el('pre', JSON.stringify(a, null, 2), 'small'));
  box.hidden = false;
}

async function loadWatch() {
  const name = watchState.selected;
  if (name === null) return;
  let w;
  try { w = (await api('/api/v1/watches/' + encodeURIComponent(name))).body; } catch (e) { message('watch-message', e.message, true); return; }
  if (name !== watchState.selected) return;
  watchState.detail = w;
  $('watch-info').textContent = 'list ' + w.domains + ' · every ' + w.every + ' · next run ' + w.next_run_at +
    ' · ' + w.alerts_total + ' alerts · rules: ' + (w.rules ? w.rules.trim().replace(/\n/g, '; ') : 'every change');
  const runs = $('watch-runs').querySelector('tbody');
  runs.replaceChildren();
  for (const r of w.runs) {
    const tr = el('tr');
    const scan = el('td');
    scan.append(link(r.scan_id, { scan: r.scan_id }));
    const prev = el('td');
    if (r.previous_scan) prev.append(link('scan ' + r.previous_scan, { a: r.previous_scan, b: r.scan_id })); else prev.textContent = '— (first run)';
    tr.append(scan, el('td', r.status || '', 'status-' + (r.status || '')), prev, el('td', r.changes), el('td', r.alerts), el('td', r.started_at));
    runs.append(tr);
  }
  const alerts = $('watch-alerts').querySelector('tbody');
  alerts.replaceChildren(...w.alerts.map(alertRow));
  showAlert(w.alerts.find((a) => a.id === watchState.alert), w.runs);
  loadWatchTrend(w);
}

/// The diversity score and Gini coefficient of the watch's complete runs (analytics of each scan).
async function loadWatchTrend(w) {
  const done = w.runs.filter((r) => r.status === 'complete').slice(0, 30).reverse();
  const key = w.name + ':' + done.map((r) => r.scan_id).join(',');
  if (key === watchState.trendFor || typeof Chart === 'undefined') return;
  watchState.trendFor = key;
  if (!done.length) { $('watch-chart-box').hidden = true; return; }
  const stats = await Promise.all(done.map((r) => api('/api/v1/scans/' + r.scan_id + '/analytics?top=1').then((x) => x.body.diversity || {}).catch(() => ({}))));
  if (watchState.chart) watchState.chart.destroy();
  $('watch-chart-box').hidden = false;
  watchState.chart = new Chart($('chart-watch'), {
    type: 'line',
    data: {
      labels: done.map((r) => 'scan ' + r.scan_id),
      datasets: [
        { label: 'AS diversity score (0–100, higher is better)', data: stats.map((d) => d.diversity_score), yAxisID: 'y' },
        { label: 'Gini coefficient (0–1, higher is more concentrated)', data: stats.map((d) => d.gini_coefficient), yAxisID: 'y1' },
      ],
    },
    options: { animation: false, scales: { y: { min: 0, max: 100 }, y1: { min: 0, max: 1, position: 'right' } } },
  });
}

function applyWatchHash() {
  const p = hashParams();
  const name = p.get('watch');
  const alert = p.get('alert');
  const changed = name !== watchState.selected;
  watchState.selected = name;
  watchState.alert = alert;
  $('watch-detail').hidden = name === null;
  $('watch-detail-name').textContent = name || '';
  if (name === null) return;
  if (changed) { watchState.trendFor = ''; refreshWatches(); loadWatch(); } else if (watchState.detail) {
    for (const tr of $('watch-alerts').querySelectorAll('tbody tr')) tr.classList.toggle('selected', tr.dataset.id === alert);
    showAlert(watchState.detail.alerts.find((a) => a.id === alert), watchState.detail.runs);
  }
  if (alert) $('alert-detail').scrollIntoView({ block: 'nearest' });
}
window.addEventListener('hashchange', applyWatchHash);

$('watch-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const domains = $('watch-domains').value.split(/\r?\n/).map((x) => x.trim()).filter((x) => x && !x.startsWith('#'));
  const body = { name: $('watch-name').value.trim(), every: $('watch-every').value.trim() || '1d', domains };
  const alerts = $('watch-sinks').value.split(/\s+/).filter(Boolean);
  if (alerts.length) body.alerts = alerts;
  const resolvers = $('watch-resolvers').value.split(/[\s,]+/).filter(Boolean);
  if (resolvers.length) body.resolvers = resolvers;
  const rules = $('watch-rules').value.trim();
  if (rules) body.rules = rules.replace(/;\s*/g, '\n') + '\n';
  try {
    const w = (await api('/api/v1/watches', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).body;
    go({ watch: w.name, alert: null }); // shows it (and refreshes the list)
    message('watch-message', 'Watch ' + w.name + ' added: ' + domains.length + ' domains every ' + w.every + '; its first run is due now.');
  } catch (e) {
    message('watch-message', e.message, true);
  }
});

$('watch-run').addEventListener('click', async () => {
  if (watchState.selected === null) return;
  try {
    await api('/api/v1/watches/' + encodeURIComponent(watchState.selected) + '/run', { method: 'POST' });
    message('watch-message', 'Watch ' + watchState.selected + ' is due now: the server runs it within seconds.');
  } catch (e) {
    message('watch-message', e.message, true);
  }
});

// --- live updates: GET /api/v1/events (Server-Sent Events, read with fetch so that the API token
// goes in a header, never in the address) ---
const live = { lastId: '', backoff: 1000 };

function setLive(text, ok) {
  $('live').textContent = text;
  $('live').className = 'badge ' + (ok ? 'ok' : 'bad');
}

function onEvent(type, data) {
  if (type === 'alert') {
    if (data.watch === watchState.selected) loadWatch();
    refreshWatches();
  } else if (type === 'run') {
    refreshWatches();
    if (data.watch === watchState.selected) loadWatch();
  } else if (type === 'scan') {
    refreshScans();
    if (watchState.selected !== null && data.notes === 'watch ' + watchState.selected) loadWatch();
  }
}

async function listen() {
  const headers = { Accept: 'text/event-stream' };
  const token = $('token').value.trim();
  if (token) headers.Authorization = 'Bearer ' + token;
  if (live.lastId) headers['Last-Event-ID'] = live.lastId;
  try {
    const res = await fetch('/api/v1/events', { headers });
    if (!res.ok || !res.body) throw new Error(res.status + ' ' + res.statusText);
    setLive('live', true);
    live.backoff = 1000;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
          else if (line.startsWith('id: ')) live.lastId = line.slice(4);
        }
        if (data) { try { onEvent(type, JSON.parse(data)); } catch (e) { /* a damaged event */ } }
      }
    }
  } catch (e) {
    setLive('offline', false);
    live.backoff = Math.min(live.backoff * 2, 30000);
  }
  setTimeout(listen, live.backoff);
}

async function tickSweeps() {
  const running = await refreshSweeps();
  setTimeout(tickSweeps, running ? 1000 : 5000);
}

// --- polling ---
async function tick() {
  const running = await refreshScans();
  setTimeout(tick, running ? 1000 : 4000);
}
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { if (state.selected !== null) loadCharts(); });
refreshReady();
setInterval(refreshReady, 10000);
tick();
applyPtrHash();
tickSweeps();
refreshWatches();
applyWatchHash();
listen();
