// framestore session explorer: plain ES module, no framework, no build. Uses only the public HTTP API (§6).
// The API lives one level above the page (/ui/ → /), so the explorer also works when the app is mounted under a prefix.

const API = new URL('../', location.href);
const PAGE_ROWS = 100;
const LIST_ROWS = 25;
const SAMPLE_MS = 5000;
const TOKEN_KEY = 'framestore.apiToken';
const ARROW_TYPE = 'application/vnd.apache.arrow.stream';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const $ = (id) => document.getElementById(id);
const state = { cursors: [undefined], sessions: [], id: undefined, info: undefined, offset: 0, total: 0 };
state.fields = [];
state.marks = new Map();
state.samples = [];

// ---- HTTP: one place adds the token and, on a 401, asks for it once and retries -----------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let tokenRequest;
function askToken(refused) {
  tokenRequest ??= new Promise((resolve, reject) => {
    const dialog = $('token-dialog');
    $('token-title').textContent = refused
      ? 'That token was refused: try again'
      : 'This service needs its API token';
    $('token-input').value = '';
    const done = () => {
      dialog.removeEventListener('close', done);
      tokenRequest = undefined;
      const token = $('token-input').value.trim();
      if (dialog.returnValue === 'ok' && token !== '') {
        sessionStorage.setItem(TOKEN_KEY, token);
        resolve();
      } else reject(new ApiError(401, 'UNAUTHORIZED', 'an API token is needed'));
    };
    dialog.returnValue = '';
    dialog.addEventListener('close', done);
    dialog.showModal();
    $('token-input').focus();
  });
  return tokenRequest;
}

async function api(path, init = {}) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const headers = new Headers(init.headers);
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token !== null) headers.set('Authorization', `Bearer ${token}`);
    const res = await fetch(new URL(path, API), { ...init, headers });
    if (res.status !== 401) return res;
    if (token !== null) sessionStorage.removeItem(TOKEN_KEY);
    await askToken(token !== null);
  }
  throw new ApiError(401, 'UNAUTHORIZED', 'the API token was refused');
}

/** Like api(), but a non-2xx answer throws its §3 error. */
async function call(path, init) {
  const res = await api(path, init);
  if (res.ok) return res;
  const body = await res.json().catch(() => ({}));
  throw new ApiError(
    res.status,
    body.error?.code ?? 'HTTP_' + res.status,
    body.error?.message ?? res.statusText,
  );
}
const getJson = async (path) => (await call(path)).json();
const postJson = async (path, body) =>
  (
    await call(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    })
  ).json();
const sid = () => encodeURIComponent(state.id);

// ---- small helpers -----------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}
function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
function ttlLeft(expiresAt) {
  const seconds = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m`;
  return `${seconds}s`;
}
const time = (iso) => new Date(iso).toLocaleString();
function setStatus(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}
/** Runs an action from a control: errors go to the status line, never to an unhandled rejection. */
const guard = (fn) => (event) => {
  event?.preventDefault?.();
  Promise.resolve(fn(event)).catch((error) => setStatus(`${error.code ?? 'ERROR'}: ${error.message}`, true));
};
function confirmDialog(text) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }),
  );
}

// ---- sessions list -------------------------------------------------------------------------------------

async function loadSessions(page = state.cursors.length - 1) {
  const cursor = state.cursors[page];
  const query = new URLSearchParams({ limit: String(LIST_ROWS) });
  if (cursor !== undefined) query.set('cursor', cursor);
  const body = await getJson(`sessions?${query}`);
  state.cursors = state.cursors.slice(0, page + 1);
  if (body.next_cursor) state.cursors.push(body.next_cursor);
  state.page = page;
  state.sessions = body.sessions;
  renderSessions();
}

function renderSessions() {
  const needle = $('search').value.trim().toLowerCase();
  const shown = state.sessions.filter(
    (s) =>
      needle === '' ||
      s.session_id.toLowerCase().includes(needle) ||
      (s.filename ?? '').toLowerCase().includes(needle),
  );
  const rows = shown.map((s) =>
    el(
      'tr',
      {
        'data-testid': 'session-row',
        'data-session-id': s.session_id,
        class: s.session_id === state.id ? 'selected' : undefined,
      },
      el(
        'td',
        {},
        el('a', { href: `#${s.session_id}`, text: s.filename ?? '(no filename)' }),
        el('code', { class: 'id', text: s.session_id }),
      ),
      el('td', { text: `${s.rows} × ${s.columns}` }),
      el('td', { text: bytes(s.bytes) }),
      el('td', { text: String(s.version) }),
      el('td', { text: ttlLeft(s.expires_at) }),
      el('td', { text: s.last_user ?? '—' }),
      el(
        'td',
        {},
        el('button', {
          type: 'button',
          class: 'danger',
          'data-testid': 'delete-session',
          'aria-label': `Delete session ${s.filename ?? s.session_id}`,
          text: 'Delete',
          onclick: guard(() => deleteSession(s)),
        }),
      ),
    ),
  );
  if (rows.length === 0)
    rows.push(
      el(
        'tr',
        {},
        el('td', {
          colspan: 7,
          class: 'muted',
          text: needle ? 'No session matches.' : 'No sessions yet: upload a file.',
        }),
      ),
    );
  $('session-list').replaceChildren(...rows);
  $('sessions-first').disabled = state.page === 0;
  $('sessions-next').disabled = state.cursors.length <= state.page + 1;
}

async function search() {
  const needle = $('search').value.trim();
  // A whole id finds its session even when it is not on the loaded page.
  if (/^[A-Za-z0-9_-]{22}$/.test(needle) && !state.sessions.some((s) => s.session_id === needle)) {
    const res = await api(`sessions/${needle}`);
    if (res.ok) state.sessions = [await res.json(), ...state.sessions];
  }
  renderSessions();
}

async function deleteSession(s) {
  if (!(await confirmDialog(`Delete session ${s.filename ?? ''} (${s.session_id}) with all its versions?`)))
    return;
  await call(`sessions/${encodeURIComponent(s.session_id)}`, { method: 'DELETE' });
  setStatus(`Deleted ${s.filename ?? s.session_id}`);
  if (state.id === s.session_id) closeSession();
  await Promise.all([loadSessions(state.page), sample(), loadHealth()]);
}

// ---- uploads -------------------------------------------------------------------------------------------

async function upload(file) {
  const ext = file.name.toLowerCase().split('.').pop();
  const filename = encodeURIComponent(file.name);
  setStatus(`Uploading ${file.name}…`);
  if (ext === 'xlsx') {
    const up = await (
      await call(`uploads?filename=${filename}`, {
        method: 'POST',
        headers: { 'Content-Type': XLSX_TYPE },
        body: file,
      })
    ).json();
    if (up.sheets.length === 1) return promote(up.upload_id, up.sheets[0].name);
    state.upload = up;
    $('sheet-select').replaceChildren(
      ...up.sheets.map((sh) =>
        el('option', { value: sh.name, text: `${sh.name} (${sh.rows} × ${sh.columns})` }),
      ),
    );
    $('sheet-picker').hidden = false;
    $('sheet-select').focus();
    setStatus(`${file.name} has ${up.sheets.length} sheets: pick one`);
    return;
  }
  const type = ['arrow', 'arrows', 'feather'].includes(ext) ? ARROW_TYPE : 'text/csv';
  const info = await (
    await call(`sessions?filename=${filename}`, {
      method: 'POST',
      headers: { 'Content-Type': type },
      body: file,
    })
  ).json();
  await opened(info, file.name);
}

async function promote(uploadId, sheet) {
  const info = await postJson(
    `uploads/${encodeURIComponent(uploadId)}/sheets/${encodeURIComponent(sheet)}/promote`,
    {},
  );
  $('sheet-picker').hidden = true;
  state.upload = undefined;
  await opened(info, sheet);
}

async function opened(info, name) {
  setStatus(`${name}: ${info.rows} rows × ${info.columns} columns`);
  $('upload').value = '';
  await loadSessions(0);
  location.hash = info.session_id;
  await Promise.all([sample(), loadHealth()]);
}

// ---- one session ---------------------------------------------------------------------------------------

function closeSession() {
  state.id = undefined;
  $('session').hidden = true;
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
}

async function openSession(id) {
  state.id = id;
  state.offset = 0;
  state.fields = [];
  $('session').hidden = false;
  await refreshSession();
  renderSessions();
}

/** Everything about the session after a change: info, grid page, history, audit, marks, metadata. */
async function refreshSession() {
  const id = state.id;
  const info = await getJson(`sessions/${sid()}`);
  if (id !== state.id) return;
  state.info = info;
  $('session-title').textContent = info.filename ?? info.session_id;
  $('session-facts').textContent =
    `${info.session_id} · ${info.rows} rows × ${info.columns} columns · ${bytes(info.bytes)} stored · version ${info.version} · expires in ${ttlLeft(info.expires_at)}`;
  $('undo').disabled = !info.can_undo;
  $('redo').disabled = !info.can_redo;
  await Promise.all([loadMarks(), loadHistory(), loadAudit(), loadMetadata()]);
  await loadGrid();
  $('session').dataset.version = String(info.version);
}

/** Column names and Arrow types, from a zero-row Arrow read (the schema alone; decoded by apache-arrow's browser build). */
async function loadSchema() {
  const res = await call(`sessions/${sid()}/data?limit=0`, { headers: { Accept: ARROW_TYPE } });
  const table = globalThis.Arrow.tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  return table.schema.fields.map((field) => ({ name: field.name, type: String(field.type) }));
}

async function loadGrid() {
  const id = state.id;
  const [fields, res] = await Promise.all([
    loadSchema(),
    call(`sessions/${sid()}/data?offset=${state.offset}&limit=${PAGE_ROWS}&format=json`),
  ]);
  const rows = await res.json();
  if (id !== state.id) return;
  state.fields = fields;
  state.total = Number(res.headers.get('X-Total-Rows') ?? rows.length);
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', text: '#' }),
    ...fields.map((f) =>
      el('th', { scope: 'col' }, el('span', { text: f.name }), el('span', { class: 'type', text: f.type })),
    ),
  );
  const body = rows.map((row, i) => {
    const rowIndex = state.offset + i;
    return el(
      'tr',
      { 'data-testid': 'grid-row', 'data-row': rowIndex },
      el('th', { scope: 'row', text: String(rowIndex) }),
      ...fields.map((f) => cell(rowIndex, f.name, row[f.name])),
    );
  });
  const grid = $('grid');
  grid.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
  const last = state.offset + rows.length;
  $('grid-range').textContent =
    state.total === 0 ? 'no rows' : `rows ${state.offset}–${last - 1} of ${state.total}`;
  $('prev-page').disabled = state.offset === 0;
  $('next-page').disabled = last >= state.total;
  const picked = $('mark-column').value;
  $('mark-column').replaceChildren(...fields.map((f) => el('option', { value: f.name, text: f.name })));
  if (fields.some((f) => f.name === picked)) $('mark-column').value = picked;
  $('mark-row').max = String(Math.max(0, state.total - 1));
  grid.dataset.offset = String(state.offset);
  grid.dataset.version = String(state.info.version);
}

function cell(row, column, value) {
  const mark = state.marks.get(`${row}\u0000${column}`);
  const text =
    value === null || value === undefined
      ? '∅'
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  const td = el('td', {
    'data-column': column,
    class: [value === null ? 'null' : '', mark ? 'marked' : ''].join(' ').trim() || undefined,
    title: mark ? `marked missing${mark.reason ? `: ${mark.reason}` : ''}` : undefined,
    'data-marked': mark ? 'true' : undefined,
    text,
  });
  if (mark) td.append(el('span', { class: 'sr-only', text: ' (marked missing)' }));
  return td;
}

async function loadMarks() {
  const { marks } = await getJson(`sessions/${sid()}/missing`);
  state.marks = new Map(marks.map((m) => [`${m.row}\u0000${m.column}`, m]));
  $('marks').replaceChildren(
    ...(marks.length === 0
      ? [el('li', { class: 'muted', text: 'none' })]
      : marks.map((m) => el('li', { text: `row ${m.row}, ${m.column}${m.reason ? ` — ${m.reason}` : ''}` }))),
  );
}

async function loadHistory() {
  const { versions } = await getJson(`sessions/${sid()}/versions`);
  const newestFirst = [...versions].reverse();
  const current = el(
    'li',
    { class: 'current' },
    el('strong', { text: `v${state.info.version} · current` }),
    el('span', { class: 'muted', text: ` ${state.info.rows} rows × ${state.info.columns} cols` }),
  );
  $('history').replaceChildren(
    current,
    ...newestFirst.map((v) =>
      el(
        'li',
        { 'data-testid': 'history-item', 'data-version': v.version },
        el('strong', { text: `v${v.version}` }),
        el('span', {
          text: ` ${v.label ? `“${v.label}” · ` : ''}${v.operation ?? ''}${v.user ? ` · ${v.user}` : ''}`,
        }),
        el('span', { class: 'muted', text: ` · ${v.rows} rows × ${v.columns} cols · ${time(v.created_at)}` }),
        el(
          'span',
          { class: 'actions' },
          el('button', {
            type: 'button',
            'data-testid': 'restore',
            'aria-label': `Restore version ${v.version}`,
            text: 'Restore',
            onclick: guard(() => restore(v.version)),
          }),
          el('button', {
            type: 'button',
            'data-testid': 'history-diff',
            'aria-label': `Diff version ${v.version} with current`,
            text: 'Diff',
            onclick: guard(() => showDiff(v.version, 'current')),
          }),
        ),
      ),
    ),
  );
  const options = () => [
    el('option', { value: 'current', text: `current (v${state.info.version})` }),
    ...newestFirst.map((v) =>
      el('option', { value: v.version, text: `v${v.version} ${v.label ?? v.operation ?? ''}` }),
    ),
  ];
  $('diff-from').replaceChildren(...options());
  $('diff-to').replaceChildren(...options());
  if (newestFirst[0]) $('diff-from').value = String(newestFirst[0].version);
}

async function loadAudit() {
  const { entries } = await getJson(`sessions/${sid()}/audit`);
  const lastUser = entries.findLast((e) => e.user !== undefined)?.user;
  $('session-user').textContent = lastUser ? `last user: ${lastUser}` : 'no user recorded';
  $('audit').replaceChildren(
    ...[...entries].reverse().map((e) =>
      el(
        'li',
        { 'data-testid': 'audit-item', 'data-seq': e.seq },
        el('strong', { text: e.operation }),
        el('span', { text: e.user ? ` by ${e.user}` : '' }),
        el('span', {
          class: 'muted',
          text: ` · ${time(e.at)}${e.rows_before !== undefined || e.rows_after !== undefined ? ` · rows ${e.rows_before ?? '?'} → ${e.rows_after ?? '?'}` : ''}`,
        }),
        e.details ? el('code', { class: 'details', text: JSON.stringify(e.details) }) : undefined,
      ),
    ),
  );
}

async function loadMetadata() {
  $('metadata').textContent = JSON.stringify(await getJson(`sessions/${sid()}/metadata`), null, 2);
}

async function change(path, message) {
  const info = await postJson(`sessions/${sid()}/${path}`);
  setStatus(`${message}: version ${info.version}`);
  await refreshSession();
}
const restore = (v) => change(`versions/${v}/restore`, `Restored v${v}`);

async function showDiff(from, to) {
  const d = await getJson(`sessions/${sid()}/diff?from=${from}&to=${to}`);
  const list = (label, names, cls) =>
    el(
      'li',
      { class: cls },
      el('strong', { text: `${label} (${names.length}): ` }),
      el('span', { 'data-diff': cls, text: names.join(', ') || '—' }),
    );
  $('diff').replaceChildren(
    el('p', {
      text: `${d.from === 'current' ? 'current' : `v${d.from}`} → ${d.to === 'current' ? 'current' : `v${d.to}`}: rows ${d.rows_before} → ${d.rows_after}`,
    }),
    el(
      'ul',
      {},
      list('changed', d.columns_changed, 'changed'),
      list('added', d.columns_added, 'added'),
      list('removed', d.columns_removed, 'removed'),
      list('unchanged', d.columns_unchanged, 'unchanged'),
    ),
  );
  $('diff').dataset.from = String(d.from);
  $('diff').dataset.to = String(d.to);
}

async function markMissing() {
  const row = Number($('mark-row').value);
  const column = $('mark-column').value;
  const reason = $('mark-reason').value.trim();
  await postJson(`sessions/${sid()}/missing`, { row, column, ...(reason ? { reason } : {}) });
  setStatus(`Marked row ${row}, ${column} as intentionally missing`);
  $('mark-reason').value = '';
  await Promise.all([loadMarks(), loadAudit()]);
  await loadGrid();
}

/** Keyboard: the grid is one tab stop; arrows move the highlighted cell, Enter picks it for the mark form. */
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
function moveInGrid(event) {
  const rows = [...$('grid').querySelectorAll('tbody tr')];
  if (rows.length === 0) return;
  const current = $('grid').querySelector('td.active');
  if (event.key === 'Enter' && current) {
    event.preventDefault();
    pickCell(current);
    return;
  }
  const move = MOVES[event.key];
  if (!move) return;
  event.preventDefault();
  const r = current ? rows.indexOf(current.parentElement) : 0;
  const c = current ? [...current.parentElement.querySelectorAll('td')].indexOf(current) : 0;
  const row = rows[Math.min(rows.length - 1, Math.max(0, current ? r + move[0] : 0))];
  const cells = row.querySelectorAll('td');
  const next = cells[Math.min(cells.length - 1, Math.max(0, current ? c + move[1] : 0))];
  if (!next) return;
  current?.classList.remove('active');
  next.classList.add('active');
  next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  $('grid-range').dataset.cell = `row ${row.dataset.row}, ${next.dataset.column}`;
  $('grid-wrap').setAttribute(
    'aria-label',
    `cell row ${row.dataset.row}, column ${next.dataset.column}: ${next.textContent}`,
  );
}

function pickCell(td) {
  $('mark-row').value = td.parentElement.dataset.row;
  $('mark-column').value = td.dataset.column;
  $('mark-reason').focus();
}

// ---- the store -----------------------------------------------------------------------------------------

async function loadHealth() {
  const res = await api('health/storage');
  const h = await res.json();
  const checks = Object.entries(h.checks ?? {}).map(([name, c]) =>
    el(
      'li',
      { class: c.status },
      el('strong', { text: name }),
      el('span', {
        text: ` ${c.status}${c.latency_ms !== undefined ? ` · ${Math.round(c.latency_ms * 100) / 100} ms` : ''}${c.message ? ` · ${c.message}` : ''}`,
      }),
    ),
  );
  const nodes = (h.redis_info?.nodes ?? []).map((n) =>
    el('li', {
      text: `${n.address} ${n.role} ${n.status}${n.used_memory_bytes !== undefined ? ` · ${bytes(n.used_memory_bytes)}` : ''}${n.replication_lag_ms !== undefined ? ` · lag ${n.replication_lag_ms} ms` : ''}`,
    }),
  );
  const health = $('health');
  const parts = [
    el(
      'p',
      {},
      el('span', { class: `badge ${h.status}`, 'data-field': 'status', text: h.status }),
      el('span', { text: ' backend ' }),
      el('strong', { 'data-field': 'backend_type', text: h.backend_type }),
      el('span', {
        text: ` · redis enabled ${h.redis_enabled} · fallback ${h.fallback_active ? 'ACTIVE' : 'off'} · ${h.sessions?.active ?? '?'} sessions`,
      }),
    ),
    el('ul', { class: 'checks' }, ...checks),
    h.redis_info
      ? el('p', {
          class: 'muted',
          text: `Redis ${h.redis_info.version} ${h.redis_info.mode} · ${bytes(h.redis_info.used_memory_bytes)} · ${h.redis_info.maxmemory_policy} · ${h.redis_info.persistence}`,
        })
      : undefined,
    nodes.length > 0 ? el('ul', { class: 'nodes' }, ...nodes) : undefined,
  ];
  health.replaceChildren(...parts.filter((part) => part !== undefined));
  health.dataset.backend = h.backend_type;
  health.dataset.status = h.status;
}

const FIGURES = [
  ['framestore_sessions', 'sessions', String],
  ['framestore_bytes_stored', 'stored', bytes],
  ['framestore_temp_uploads', 'temporary uploads', String],
  ['framestore_cache_bytes', 'decoded-table cache', bytes],
  ['framestore_storage_errors_total', 'storage errors', String],
  ['framestore_http_request_duration_seconds_count', 'HTTP requests', String],
];

/** Sums each metric's series from the Prometheus text. */
function parseMetrics(text) {
  const sums = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.eE+-]+|NaN)$/.exec(line);
    if (m) sums.set(m[1], (sums.get(m[1]) ?? 0) + Number(m[2]));
  }
  return sums;
}

async function sample() {
  const sums = parseMetrics(await (await call('metrics')).text());
  $('figures').replaceChildren(
    ...FIGURES.flatMap(([name, label, fmt]) =>
      sums.has(name) ? [el('dt', { text: label }), el('dd', { text: fmt(sums.get(name)) })] : [],
    ),
  );
  state.samples.push({
    at: Date.now(),
    sessions: sums.get('framestore_sessions') ?? 0,
    bytes: sums.get('framestore_bytes_stored') ?? 0,
  });
  state.samples = state.samples.slice(-60);
  drawChart();
}

function drawChart() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = $('chart');
  const points = (key) => {
    const max = Math.max(1, ...state.samples.map((s) => s[key]));
    const n = Math.max(1, state.samples.length - 1);
    return state.samples
      .map((s, i) => `${((i / n) * 296 + 2).toFixed(1)},${(76 - (s[key] / max) * 66).toFixed(1)}`)
      .join(' ');
  };
  const line = (key, cls) => {
    const node = document.createElementNS(ns, 'polyline');
    node.setAttribute('points', points(key));
    node.setAttribute('class', cls);
    return node;
  };
  const label = (text, y, cls) => {
    const node = document.createElementNS(ns, 'text');
    node.setAttribute('x', '4');
    node.setAttribute('y', String(y));
    node.setAttribute('class', cls);
    node.textContent = text;
    return node;
  };
  const last = state.samples.at(-1);
  svg.replaceChildren(
    line('sessions', 'sessions'),
    line('bytes', 'bytes'),
    label(`sessions ${last?.sessions ?? 0}`, 9, 'sessions'),
    label(`stored ${bytes(last?.bytes ?? 0)}`, 19, 'bytes'),
  );
}

// ---- wiring --------------------------------------------------------------------------------------------

function onHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (/^[A-Za-z0-9_-]{22}$/.test(id)) guard(() => openSession(id))();
}

function wire() {
  $('upload').addEventListener(
    'change',
    guard(() => $('upload').files[0] && upload($('upload').files[0])),
  );
  $('refresh').addEventListener(
    'click',
    guard(() =>
      Promise.all([loadSessions(state.page), loadHealth(), state.id ? refreshSession() : undefined]),
    ),
  );
  $('search').addEventListener('input', guard(search));
  $('sessions-first').addEventListener(
    'click',
    guard(() => loadSessions(0)),
  );
  $('sessions-next').addEventListener(
    'click',
    guard(() => loadSessions(state.page + 1)),
  );
  $('sheet-picker').addEventListener(
    'submit',
    guard(() => promote(state.upload.upload_id, $('sheet-select').value)),
  );
  $('sheet-cancel').addEventListener(
    'click',
    guard(async () => {
      if (state.upload)
        await call(`uploads/${encodeURIComponent(state.upload.upload_id)}`, { method: 'DELETE' });
      state.upload = undefined;
      $('sheet-picker').hidden = true;
    }),
  );
  $('undo').addEventListener(
    'click',
    guard(() => change('undo', 'Undone')),
  );
  $('redo').addEventListener(
    'click',
    guard(() => change('redo', 'Redone')),
  );
  $('snapshot').addEventListener(
    'click',
    guard(async () => {
      await postJson(`sessions/${sid()}/versions`, {});
      setStatus('Saved a version');
      await refreshSession();
    }),
  );
  const page = (delta) => () => {
    state.offset = Math.max(0, state.offset + delta);
    return loadGrid();
  };
  $('prev-page').addEventListener('click', guard(page(-PAGE_ROWS)));
  $('next-page').addEventListener('click', guard(page(PAGE_ROWS)));
  $('grid').addEventListener('click', (event) => {
    const td = event.target.closest('td[data-column]');
    if (td) pickCell(td);
  });
  // A scrolling region must be reachable by keyboard (axe: scrollable-region-focusable); it is one tab stop.
  $('grid-wrap').tabIndex = 0;
  $('grid-wrap').addEventListener('keydown', moveInGrid);
  $('mark-form').addEventListener('submit', guard(markMissing));
  $('diff-form').addEventListener(
    'submit',
    guard(() => showDiff($('diff-from').value, $('diff-to').value)),
  );
  window.addEventListener('hashchange', onHash);
}

wire();
guard(async () => {
  await loadSessions(0);
  await Promise.all([loadHealth(), sample()]);
  onHash();
  setInterval(
    guard(() => Promise.all([sample(), loadHealth()])),
    SAMPLE_MS,
  );
  document.body.dataset.ready = 'true';
})();
