// The domaingraph dashboard: plain JS over the REST API (docs/api.md). Every string from the
// server or the user goes into the page through textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { scans: [], selected: null, offset: 0, limit: 50, rows: [], sortKey: 'domain', sortDir: 1, charts: {} };

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

function message(id, text, isError) {
  $(id).textContent = text;
  $(id).classList.toggle('error', !!isError);
}

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

$('start').addEventListener('click', async () => {
  const domains = $('domains').value.split(/\r?\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  if (!domains.length) { message('start-message', 'paste or upload at least one domain', true); return; }
  const body = { domains };
  const resolvers = $('resolvers').value.split(/[\s,]+/).filter(Boolean);
  if (resolvers.length) body.resolvers = resolvers;
  if ($('notes').value) body.notes = $('notes').value;
  try {
    const { body: r } = await api('/api/v1/scans', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    message('start-message', 'scan ' + r.id + ' started');
    state.selected = r.id;
    await refreshScans();
  } catch (e) {
    message('start-message', 'could not start: ' + e.message, true);
  }
});

// --- scans ---
async function refreshScans() {
  let list;
  try { list = (await api('/api/v1/scans')).body; } catch (e) { return; }
  state.scans = list;
  const running = list.filter((s) => s.status === 'running');
  const progress = {};
  await Promise.all(running.map(async (s) => {
    try { progress[s.id] = (await api('/api/v1/scans/' + s.id)).body; } catch (e) { /* gone */ }
  }));
  const tbody = $('scan-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const s of list.slice().reverse()) {
    const tr = el('tr', null, 'selectable');
    tr.dataset.id = s.id;
    if (s.id === state.selected) tr.classList.add('selected');
    tr.append(el('td', s.id), el('td', s.status, 'status-' + s.status));
    const td = el('td');
    const bar = el('progress');
    const total = s.domains_total || 0;
    bar.max = Math.max(total, 1);
    bar.value = s.status === 'complete' ? bar.max : Math.min(s.domains_done, bar.max);
    td.append(bar, el('span', ' ' + s.domains_done + ' / ' + total));
    const live = progress[s.id] && progress[s.id].progress;
    if (live && live.repairing) td.append(el('span', ' (repair pass)'));
    tr.append(td, el('td', s.started_at), el('td', s.notes));
    tr.addEventListener('click', () => selectScan(s.id));
    tbody.append(tr);
  }
  fillCompare(list);
  if (state.selected !== null) {
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

function selectScan(id) {
  state.selected = id;
  state.offset = 0;
  state.selectedStatus = null;
  for (const tr of $('scan-table').querySelectorAll('tbody tr')) tr.classList.toggle('selected', Number(tr.dataset.id) === id);
  refreshScans();
}

// --- results ---
function cellText(r, key) {
  switch (key) {
    case 'a': return (r.a || []).concat(r.aaaa || []).map((x) => x.ip).join(' ');
    case 'asn': return Array.from(new Set((r.a || []).concat(r.aaaa || []).map((x) => x.asn).filter((x) => x !== null))).join(' ');
    case 'org': return Array.from(new Set((r.a || []).concat(r.aaaa || []).map((x) => x.org).filter(Boolean))).join('; ');
    case 'ns': return (r.ns || []).map((x) => x.host).join(' ');
    case 'mx': return (r.mx || []).map((x) => x.preference + ' ' + x.host).join(' ');
    default: return r[key] === undefined || r[key] === null ? '' : String(r[key]);
  }
}

function renderResults() {
  const needle = $('filter-text').value.trim().toLowerCase();
  const keys = ['domain', 'status', 'a', 'asn', 'org', 'ns', 'mx'];
  let rows = state.rows.filter((r) => !needle || keys.some((k) => cellText(r, k).toLowerCase().includes(needle)));
  rows = rows.slice().sort((x, y) => cellText(x, state.sortKey).localeCompare(cellText(y, state.sortKey), undefined, { numeric: true }) * state.sortDir);
  const tbody = $('result-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const r of rows) {
    const tr = el('tr');
    for (const k of keys) tr.append(el('td', cellText(r, k)));
    tbody.append(tr);
  }
}

async function loadResults() {
  if (state.selected === null) return;
  const id = state.selected;
  $('results-scan').textContent = 'of scan ' + id;
  const params = new URLSearchParams({ limit: state.limit, offset: state.offset });
  if ($('filter-domain').value.trim()) params.set('domain', $('filter-domain').value.trim());
  if ($('filter-asn').value.trim()) params.set('asn', $('filter-asn').value.trim());
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  $('export-link').href = '/api/v1/scans/' + id + '/export?format=jsonl';
  $('export-csv').href = '/api/v1/scans/' + id + '/export?format=csv';
  try {
    const { body, headers } = await api('/api/v1/scans/' + id + '/results?' + params);
    state.rows = body;
    state.total = Number(headers.get('X-Total-Count') || body.length);
    $('page-info').textContent = ' ' + (state.total ? state.offset + 1 : 0) + '–' + (state.offset + body.length) + ' of ' + state.total + ' ';
    renderResults();
  } catch (e) {
    $('page-info').textContent = e.message;
  }
}

$('filter-text').addEventListener('input', renderResults);
$('apply-filters').addEventListener('click', () => { state.offset = 0; loadResults(); });
$('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); loadResults(); });
$('next').addEventListener('click', () => { if (state.offset + state.limit < (state.total || 0)) { state.offset += state.limit; loadResults(); } });
for (const th of $('result-table').querySelectorAll('th[data-sort]')) {
  th.addEventListener('click', () => {
    const key = th.dataset.sort;
    state.sortDir = state.sortKey === key ? -state.sortDir : 1;
    state.sortKey = key;
    renderResults();
  });
}

// --- charts ---
function chart(id, config) {
  if (state.charts[id]) state.charts[id].destroy();
  state.charts[id] = new window.Chart($(id), config);
}

async function loadCharts() {
  const id = state.selected;
  if (id === null || !window.Chart) return;
  $('charts-scan').textContent = 'of scan ' + id;
  try {
    const [{ body: scan }, { body: stats }] = await Promise.all([api('/api/v1/scans/' + id), api('/api/v1/scans/' + id + '/analytics?top=10')]);
    const counts = scan.results || {};
    chart('chart-status', {
      type: 'doughnut',
      data: { labels: Object.keys(counts), datasets: [{ data: Object.values(counts) }] },
      options: { animation: false, plugins: { title: { display: true, text: 'DNS status' } } },
    });
    const top = stats.top_asns || [];
    chart('chart-asn', {
      type: 'bar',
      data: {
        labels: top.map((a) => 'AS' + a.asn + (a.org ? ' ' + a.org : '')),
        datasets: [{ label: 'IP mappings', data: top.map((a) => a.ip_count) }],
      },
      options: { animation: false, indexAxis: 'y', plugins: { title: { display: true, text: 'Top ASes' } } },
    });
    const d = stats.diversity || {};
    const i = d.interpretation || {};
    $('diversity').textContent = 'AS diversity score ' + d.diversity_score + ' (' + i.diversity + '), Gini ' +
      d.gini_coefficient + ' (' + i.concentration + '), ' + stats.total_unique_asns + ' ASes, ' + stats.unique_ips + ' addresses';
  } catch (e) {
    $('diversity').textContent = 'analytics: ' + e.message;
  }
}

// --- compare ---
function fillCompare(list) {
  for (const id of ['compare-a', 'compare-b']) {
    const sel = $(id);
    const keep = sel.value;
    sel.replaceChildren();
    for (const s of list) {
      const o = el('option', '#' + s.id + ' ' + s.started_at + ' ' + (s.notes || ''));
      o.value = s.id;
      sel.append(o);
    }
    if (keep) sel.value = keep;
    else if (list.length) sel.value = list[id === 'compare-a' ? Math.max(0, list.length - 2) : list.length - 1].id;
  }
}

$('compare-go').addEventListener('click', async () => {
  const a = $('compare-a').value;
  const b = $('compare-b').value;
  const tbody = $('compare-table').querySelector('tbody');
  tbody.replaceChildren();
  try {
    const { body } = await api('/api/v1/diff?' + new URLSearchParams({ a, b, limit: 500 }));
    const s = body.summary;
    message('compare-summary', 'scan ' + s.scan_a + ' → ' + s.scan_b + ': ' + s.domains_compared + ' compared, ' +
      s.domains_changed + ' changed, ' + s.domains_only_in_a + ' only in A, ' + s.domains_only_in_b + ' only in B, ' +
      s.changes + ' changes' + (body.truncated ? ' (first 500 listed)' : ''));
    for (const c of body.changes) {
      const tr = el('tr');
      tr.append(el('td', c.domain), el('td', c.type), el('td', c.severity),
        el('td', c.from === null ? '' : JSON.stringify(c.from)), el('td', c.to === null ? '' : JSON.stringify(c.to)));
      tbody.append(tr);
    }
  } catch (e) {
    message('compare-summary', e.message, true);
  }
});

// --- lookup ---
$('lookup-go').addEventListener('click', async () => {
  const q = $('lookup-input').value.trim();
  if (!q) return;
  const isIp = /^[0-9.]+$/.test(q) || q.includes(':');
  try {
    const { body } = await api((isIp ? '/api/v1/ip/' : '/api/v1/domain/') + encodeURIComponent(q));
    $('lookup-output').textContent = JSON.stringify(body, null, 2);
  } catch (e) {
    $('lookup-output').textContent = 'error: ' + e.message;
  }
});

// --- polling ---
async function tick() {
  const running = await refreshScans();
  setTimeout(tick, running ? 1000 : 4000);
}
refreshReady();
setInterval(refreshReady, 10000);
tick();
