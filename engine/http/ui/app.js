// The reviewer page: held refunds, their detail, graph and history, and the
// approve / reject decision, all through the /v1 API with the reviewer's
// bearer token (docs/ui.md).
//
// Rules this file keeps: every text that comes from data is put in the page
// with textContent or createTextNode (never parsed as markup), so a comment or an
// id cannot inject markup; the token lives in sessionStorage (this tab only)
// and is sent only as an Authorization header to this origin; money is
// formatted from integer minor units by string arithmetic, never floats.
'use strict';

const TOKEN_KEY = 'steadfast.token';
const LIST_REFRESH_MS = 15000;

// ------------------------------------------------------------------ helpers

const $ = (id) => document.getElementById(id);

// el('td', {class: 'num', title: t}, child, 'text', ...): text children become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function show(id, visible) {
  $(id).hidden = !visible;
}

// Minor units of a currency: 2 for EUR, 0 for JPY, 3 for BHD (ISO 4217, as the browser's ICU knows it).
function currencyExponent(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch (e) {
    return 2;
  }
}

function isMoney(v) {
  return v && typeof v === 'object' && Number.isInteger(v.minor) && typeof v.currency === 'string';
}

// {minor: 78500, currency: "EUR"} -> "785.00 EUR"; string arithmetic on the integer.
function formatMoney(m) {
  if (!isMoney(m)) return '—';
  const exp = currencyExponent(m.currency);
  const negative = m.minor < 0;
  let digits = String(Math.abs(m.minor)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = exp > 0 ? '.' + digits.slice(digits.length - exp) : '';
  return (negative ? '−' : '') + whole + frac + ' ' + m.currency;
}

function formatAge(fromIso) {
  const ms = Date.now() - Date.parse(fromIso);
  if (!Number.isFinite(ms)) return '?';
  const min = Math.max(0, Math.floor(ms / 60000));
  if (min < 1) return 'just now';
  if (min < 60) return min + ' min';
  const h = Math.floor(min / 60);
  if (h < 48) return h + ' h ' + (min % 60) + ' min';
  return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
}

function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

function truncate(s, n) {
  s = String(s);
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

// ---------------------------------------------------------------- the API

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body || {};
  }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + token(), Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'the server did not answer (' + e.message + ')');
  }
  let data = null;
  if ((res.headers.get('content-type') || '').startsWith('application/json')) {
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText, err);
  }
  return data;
}

// One line a reviewer can act on, for any API error.
function explain(e) {
  switch (e.code) {
    case 'four_eyes':
      return 'Four-eyes rule: you took part in requesting this refund, or you already approved it — another reviewer must ' +
        'decide. (' + e.message + ')';
    case 'already_decided': {
      const d = e.body.decision || {};
      let s = 'Already decided: ' + (d.decision || '?') + ' by ' + (d.principal || '?');
      if (d.at) s += ' at ' + formatTime(d.at);
      if (d.comment) s += ' — “' + d.comment + '”';
      return s + '.';
    }
    case 'forbidden':
      return 'Your token may not do this: deciding needs the reviewer or admin role. (' + e.message + ')';
    case 'invalid_state':
      return 'This step is not waiting for a decision any more. (' + e.message + ')';
    case 'unauthenticated':
      return 'The token was not accepted; enter it again.';
    case 'rate_limited':
      return 'Too many requests; wait a moment and try again.';
    case 'not_found':
      return 'Not found: ' + e.message;
    default: {
      // Server-side errors carry an id that finds the cause in the server log.
      const id = e.body && e.body.error_id ? ' (error id ' + e.body.error_id + ')' : '';
      return (e.status ? 'HTTP ' + e.status + ' ' : '') + e.code + ': ' + e.message + id;
    }
  }
}

function showAlert(text) {
  const a = $('alert');
  a.textContent = text;
  a.hidden = !text;
}

function handleError(e) {
  if (e instanceof ApiError && e.status === 401) {
    signOut(explain(e));
    return;
  }
  showAlert(e instanceof ApiError ? explain(e) : String(e));
}

// ---------------------------------------------------------------- sign-in

// Who the token is and what its roles allow (GET /v1/session), asked once
// per sign-in: the page offers only those actions. null = not asked yet.
let session = null;

function may(action) {
  return !!session && session.may.has(action);
}

async function loadSession() {
  const s = await api('GET', '/v1/session');
  session = { principal: s.principal, roles: s.roles || [], may: new Set(s.may || []) };
  $('whoami').textContent = session.principal + ' (' + session.roles.join(', ') + ')';
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  session = null;
  show('session', false);
  show('queue', false);
  show('detail', false);
  show('ops', false);
  hideSettlement();
  show('tabs', false);
  show('login', true);
  showAlert(message || '');
  $('token').value = '';
  $('token').focus();
}

function onLogin(event) {
  event.preventDefault();
  const t = $('token').value.trim();
  if (!t) return;
  sessionStorage.setItem(TOKEN_KEY, t);
  $('token').value = '';
  showAlert('');
  route();
}

// ---------------------------------------------------------------- the queue

// The refund's context as the reservation_refund workflow states it; other
// workflows show their context as JSON in the detail view.
function refundOf(inst) {
  const ctx = (inst.waiting_for && inst.waiting_for.context) || {};
  for (const key of ['refund', 'amount', 'refund_total']) {
    if (isMoney(ctx[key])) return ctx[key];
  }
  return null;
}

function breakdownLines(ctx) {
  return Array.isArray(ctx.lines) ? ctx.lines.filter((l) => l && isMoney(l.refund)) : [];
}

function riskCell(ctx) {
  const cell = el('td', { class: 'risk' });
  if (typeof ctx.risk_score === 'number') {
    cell.append(el('span', { class: 'score ' + (ctx.risk_score >= 0.7 ? 'high' : 'low') }, ctx.risk_score.toFixed(2)));
  }
  const reasons = Array.isArray(ctx.risk_reasons) ? ctx.risk_reasons : [];
  if (reasons.length) {
    const ul = el('ul', { class: 'plain' });
    for (const r of reasons) ul.append(el('li', {}, (r && (r.rule || r.detail)) || JSON.stringify(r)));
    cell.append(ul);
  } else if (typeof ctx.risk_score === 'number') {
    cell.append(el('div', { class: 'muted' }, 'no risk signals'));
  }
  return cell;
}

function breakdownCell(ctx) {
  const cell = el('td', {});
  const policy = [ctx.policy, ctx.window && 'window ' + ctx.window].filter(Boolean).join(', ');
  if (policy) cell.append(el('div', { class: 'muted' }, policy));
  const ul = el('ul', { class: 'plain lines' });
  for (const l of breakdownLines(ctx)) {
    if (l.refund.minor === 0 && (!isMoney(l.paid) || l.paid.minor === 0)) continue;
    ul.append(el('li', {}, String(l.kind).replace(/_/g, ' ') + ': ' + formatMoney(l.refund) +
      (l.basis ? ' (' + l.basis + ')' : '')));
  }
  if (ul.childNodes.length) cell.append(ul);
  return cell;
}

let listTimer = null;

async function loadQueue() {
  show('detail', false);
  show('ops', false);
  show('queue', true);
  const tbody = $('held').querySelector('tbody');
  let page;
  try {
    page = await api('GET', '/v1/workflows?waiting=approval&limit=200');
  } catch (e) {
    handleError(e);
    return;
  }
  showAlert('');
  clear(tbody);
  const items = page.items || [];
  $('count').textContent = '(' + items.length + (page.next_cursor ? '+' : '') + ')';
  show('empty', items.length === 0);
  show('more', !!page.next_cursor);
  // Oldest first: the API lists in start order, which is what a queue wants.
  for (const inst of items) {
    const ctx = (inst.waiting_for && inst.waiting_for.context) || {};
    const link = el('a', { href: '#/wf/' + encodeURIComponent(inst.id) }, inst.id);
    const refund = refundOf(inst);
    const row = el('tr', { 'data-id': inst.id },
      el('td', {}, link, el('div', { class: 'muted' }, inst.workflow + ' · step ' + (inst.current_step || '?'))),
      el('td', { class: 'num amount' }, el('span', { class: 'money' }, refund ? formatMoney(refund) : '—'),
        ctx.review_reason ? el('div', { class: 'why' }, ctx.review_reason) : null),
      breakdownCell(ctx),
      riskCell(ctx),
      el('td', {}, inst.requested_by || '—',
        inst.input && inst.input.requested_by ? el('div', { class: 'muted' }, 'for ' + inst.input.requested_by) : null),
      el('td', { title: formatTime(inst.created_at) }, formatAge(inst.created_at)));
    row.addEventListener('click', (ev) => {
      if (ev.target.tagName !== 'A') location.hash = '#/wf/' + encodeURIComponent(inst.id);
    });
    tbody.append(row);
  }
  clearTimeout(listTimer);
  listTimer = setTimeout(() => {
    if (!$('queue').hidden && token()) loadQueue();
  }, LIST_REFRESH_MS);
}

// ---------------------------------------------------------------- the detail

const STATES = [
  ['pending', 'not reached'], ['running', 'running'], ['waiting', 'waiting'], ['completed', 'completed'],
  ['skipped', 'skipped'], ['failed', 'failed'], ['rejected', 'rejected'], ['timed_out', 'timed out'],
  ['compensated', 'compensated'], ['cancelled', 'cancelled'],
];

let current = null;  // {id, instance} of the open detail view

async function loadDetail(id) {
  clearTimeout(listTimer);
  show('queue', false);
  show('ops', false);
  // The view still holds the instance shown before: hidden until this one is
  // rendered, so nobody reads (or clicks) the other instance's state and buttons.
  if ($('detail').dataset.id !== id) show('detail', false);
  let inst, history, graph;
  try {
    // The instance first, then its history and graph: they are then at least
    // as new as the status it shows, so a follow-up that stops at a finished
    // status never leaves the graph drawn from a moment before.
    inst = await api('GET', '/v1/workflows/' + encodeURIComponent(id));
    [history, graph] = await Promise.all([
      api('GET', '/v1/workflows/' + encodeURIComponent(id) + '/history?limit=1000'),
      api('GET', '/v1/workflows/' + encodeURIComponent(id) + '/graph'),
    ]);
  } catch (e) {
    handleError(e);
    return;
  }
  showAlert('');
  if (!current || current.id !== id) show('decision-ok', false);
  current = { id, instance: inst };
  renderSummary(inst, history.items || []);
  renderDecision(inst);
  renderActions(inst, graph);
  renderGraph(graph);
  renderHistory(history.items || [], history.next_after);
  $('detail').dataset.id = id;
  show('detail', true);
}

// What the reviewer saw: the waiting step's context, or after the decision
// the context recorded when the approval started waiting (its history event).
function reviewContext(inst, events) {
  if (inst.waiting_for && inst.waiting_for.context) return inst.waiting_for.context;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'wait_started' && e.data && e.data.kind === 'approval' && e.data.context) return e.data.context;
  }
  return {};
}

// A link to another instance's detail (a child workflow, its parent).
function instanceLink(id) {
  return el('a', { href: '#/wf/' + encodeURIComponent(id), 'data-instance': id }, id);
}

// The child workflow(s) a waiting instance waits for, as links with where each stands.
function childrenFact(w) {
  if (w.kind === 'child') return el('span', {}, instanceLink(w.child), ' (' + w.workflow + ')');
  if (w.kind === 'elements') {
    return w.workflow + ' for each element: ' + w.completed + ' of ' + w.total + ' completed, ' + w.running +
      ' running (at most ' + w.concurrency + ')' + (w.failed ? ', ' + w.failed + ' failed' : '');
  }
  if (w.kind !== 'children') return null;
  const span = el('span', { class: 'children' }, 'join ' + w.join + ': ');
  (w.branches || []).forEach((b, i) => {
    if (i > 0) span.append('; ');
    span.append(b.branch + ' ', instanceLink(b.child), ' ' + b.status);
  });
  return span;
}

function renderSummary(inst, events) {
  $('detail-title').textContent = inst.workflow + ' · ' + inst.id;
  const w = inst.waiting_for || {};
  const ctx = reviewContext(inst, events);
  const refund = refundOf({ waiting_for: { context: ctx } });
  const decisions = events.filter((e) => e.type === 'approval_decided').map((e) =>
    e.data.decision + ' by ' + e.data.principal + (e.data.comment ? ': “' + e.data.comment + '”' : ''));
  const facts = [
    ['Status', inst.status + (inst.current_step ? ' at ' + inst.current_step : '')],
    ['Refund', refund ? formatMoney(refund) : null],
    ['Paid', isMoney(ctx.paid_total) ? formatMoney(ctx.paid_total) : null],
    ['Reservation', ctx.reservation_id],
    ['Policy', [ctx.policy, ctx.window && 'window ' + ctx.window].filter(Boolean).join(', ') || null],
    ['Why held', ctx.review_reason],
    ['Requested by', inst.requested_by + (inst.input && inst.input.requested_by ? ' for ' + inst.input.requested_by : '')],
    ['Started by', inst.started_by && inst.started_by !== inst.requested_by ? inst.started_by : null],
    ['Started', formatTime(inst.created_at) + ' (' + formatAge(inst.created_at) + ' ago)'],
    ['Decide by', w.timeout_at ? formatTime(w.timeout_at) : null],
    ['Decision', decisions.length ? decisions.join('; ') : null],
    ['Finished', ['completed', 'failed', 'compensated', 'cancelled', 'continued'].includes(inst.status)
      ? formatTime(inst.updated_at) : null],
    ['Parent', inst.parent ? el('span', {}, instanceLink(inst.parent.id), ' at step ' + inst.parent.step) : null],
    ['Waiting for', childrenFact(w)],
    ['Run', inst.run ? inst.run.number + ' (since ' + formatTime(inst.run.started_at) + '; the last one is ' +
      inst.run.previous + ')' : null],
    ['Version', 'v' + inst.version + ' · ' + String(inst.definition_hash || '').slice(0, 12)],
  ];
  if (inst.error) facts.push(['Error', inst.error.code + ': ' + inst.error.message]);
  const dl = $('summary');
  clear(dl);
  for (const [k, v] of facts) {
    if (v === null || v === undefined || v === '') continue;
    dl.append(el('dt', {}, k), el('dd', { 'data-fact': k.toLowerCase().replace(/ /g, '_') }, v));
  }

  const lines = breakdownLines(ctx);
  const tbody = $('lines').querySelector('tbody');
  clear(tbody);
  for (const l of lines) {
    tbody.append(el('tr', {}, el('td', {}, String(l.kind).replace(/_/g, ' ')),
      el('td', { class: 'num' }, formatMoney(l.paid)), el('td', { class: 'num' }, formatMoney(l.refund)),
      el('td', { class: 'muted' }, l.basis || '')));
  }
  show('breakdown-box', lines.length > 0);

  const hasRisk = typeof ctx.risk_score === 'number';
  show('risk-box', hasRisk);
  if (hasRisk) {
    $('risk-score').textContent = 'Score ' + ctx.risk_score.toFixed(2) + (ctx.risk_score >= 0.7 ? ' — high' : '');
    const ul = $('risk-reasons');
    clear(ul);
    for (const r of Array.isArray(ctx.risk_reasons) ? ctx.risk_reasons : []) {
      const text = r && typeof r === 'object'
        ? [r.rule, typeof r.score === 'number' ? '+' + r.score.toFixed(2) : null, r.detail].filter(Boolean).join(' · ')
        : String(r);
      ul.append(el('li', {}, text));
    }
    if (!ul.childNodes.length) ul.append(el('li', { class: 'muted' }, 'no risk signals'));
  }

  // Whatever else the workflow shows its reviewers.
  const known = new Set(['refund', 'amount', 'lines', 'risk_score', 'risk_reasons', 'policy', 'window',
    'paid_total', 'reservation_id', 'review_reason']);
  const rest = Object.fromEntries(Object.entries(ctx).filter(([k]) => !known.has(k)));
  show('context-box', Object.keys(rest).length > 0);
  $('context').textContent = JSON.stringify(rest, null, 2);
}

function renderDecision(inst) {
  const w = inst.waiting_for;
  const open = inst.status === 'waiting_approval' && w && w.kind === 'approval' && may('decide');
  show('decide', open);
  show('decision-error', false);
  if (!open) return;
  $('decide-step').textContent = w.step;
  const approvals = Array.isArray(w.approvals) ? w.approvals : [];
  const need = w.required_approvals || 1;
  let progress = need > 1 ? approvals.length + ' of ' + need + ' approvals so far' : '';
  if (approvals.length) progress += (progress ? ': ' : '') + approvals.map((a) => a.principal).join(', ');
  $('decide-progress').textContent = progress;
  show('decide-progress', !!progress);
}

async function onDecide(event) {
  event.preventDefault();
  if (!current) return;
  const decision = event.submitter && event.submitter.value === 'reject' ? 'reject' : 'approve';
  const step = current.instance.waiting_for && current.instance.waiting_for.step;
  const comment = $('comment').value.trim();
  show('decision-error', false);
  show('decision-ok', false);
  for (const b of $('decide').querySelectorAll('button')) b.disabled = true;
  try {
    const after = await api('POST', '/v1/workflows/' + encodeURIComponent(current.id) + '/approvals/' +
      encodeURIComponent(step), { decision, comment });
    $('comment').value = '';
    const ok = $('decision-ok');
    ok.textContent = (decision === 'approve' ? 'Approved' : 'Rejected') + ' — recorded with your comment.';
    show('decision-ok', true);
    await followUp(current.id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      handleError(e);
    } else {
      const box = $('decision-error');
      box.textContent = e instanceof ApiError ? explain(e) : String(e);
      show('decision-error', true);
    }
  } finally {
    for (const b of $('decide').querySelectorAll('button')) b.disabled = false;
  }
}

// After a decision the workflow moves on by itself: follow it for a few
// seconds so the reviewer sees where it went.
async function followUp(id) {
  for (let i = 0; i < 20; i++) {
    await loadDetail(id);
    if (!current || current.id !== id) return;
    const s = current.instance.status;
    if (s !== 'running' && s !== 'compensating') {
      $('decision-ok').textContent += ' The workflow went on and is now ' + s + '.';
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  $('decision-ok').textContent += ' The workflow is still running; refresh to follow it.';
}

// ---------------------------------------------------------------- the graph

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

// Steps top to bottom in written order; an edge to the next row is a short
// straight arrow, a longer jump an arc on the left (wider the further it
// goes), each compensation a dashed box to the right of its step.
function renderGraph(data) {
  const box = $('graph');
  clear(box);
  const g = data.graph;
  const states = data.steps || {};
  const W = 230, H = 52, ROW = 78, LEFT = 190, TOP = 14, COMP_X = LEFT + W + 50, COMP_W = 210;
  const main = g.nodes.filter((n) => n.kind !== 'compensation');
  const row = new Map(main.map((n, i) => [n.id, i]));
  const comp = new Map(g.nodes.filter((n) => n.kind === 'compensation').map((n) => [n.id, n]));
  const height = TOP * 2 + main.length * ROW;
  const width = COMP_X + (comp.size ? COMP_W + 10 : 0);
  const root = svg('svg', { viewBox: `0 0 ${Math.max(width, LEFT + W + 20)} ${height}`, role: 'img',
    'aria-label': 'steps of ' + g.workflow, class: 'steps' });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
  defs.append(marker);
  root.append(defs);

  const finished = ['completed', 'failed', 'compensated', 'cancelled', 'continued'].includes(data.status);
  const stateOf = (n) => {
    if (n.kind === 'end') return data.status === 'completed' ? 'completed' : 'pending';
    if (n.kind === 'fail') return data.status === 'failed' ? 'failed' : 'pending';
    if (n.kind === 'start') return 'completed';
    if (n.kind === 'compensation') return (states[n.step] || {}).state === 'compensated' ? 'compensated' : 'pending';
    return (states[n.step] || {}).state || 'pending';
  };
  const yOf = (id) => TOP + row.get(id) * ROW;
  const terminal = (id) => ['start', 'end', 'fail'].includes(main[row.get(id)].kind);
  const xOf = (id) => (terminal(id) ? LEFT + W / 2 - 40 : LEFT);  // a box's left side

  // Edges first, so boxes sit on top of them.
  const edgesLayer = svg('g', { class: 'edges' });
  const labels = svg('g', { class: 'edge-labels' });
  const lanes = new Map();
  const pairs = new Map();  // edges between the same two nodes get their labels stacked
  for (const e of g.edges) {
    if (e.kind === 'compensate') {
      const y = yOf(e.from) + H / 2;
      edgesLayer.append(svg('path', { d: `M ${LEFT + W} ${y} L ${COMP_X} ${y}`, class: 'edge compensate',
        'marker-end': 'url(#arrow)' }));
      continue;
    }
    if (!row.has(e.from) || !row.has(e.to)) continue;
    const a = row.get(e.from), b = row.get(e.to);
    const cls = 'edge ' + e.kind;
    if (b === a + 1) {
      const x = LEFT + W / 2 + (e.kind === 'next' ? 0 : 46);
      const y1 = yOf(e.from) + H, y2 = yOf(e.to);
      edgesLayer.append(svg('path', { d: `M ${x} ${y1} L ${x} ${y2}`, class: cls, 'marker-end': 'url(#arrow)' }));
      if (e.label) labels.append(svg('text', { x: x + 6, y: (y1 + y2) / 2 + 4, class: 'edge-label' }, e.label));
    } else {
      const span = Math.abs(b - a);
      const lane = (lanes.get(span) || 0);
      lanes.set(span, lane + 1);
      const pairKey = e.from + '>' + e.to;
      const stacked = pairs.get(pairKey) || 0;
      pairs.set(pairKey, stacked + 1);
      const bow = Math.min(LEFT - 20, 26 + span * 12 + lane * 14);
      const x1 = xOf(e.from), x2 = xOf(e.to);
      const y1 = yOf(e.from) + H / 2, y2 = yOf(e.to) + H / 2;
      edgesLayer.append(svg('path', { d: `M ${x1} ${y1} C ${LEFT - bow} ${y1}, ${LEFT - bow} ${y2}, ${x2} ${y2}`,
        class: cls, 'marker-end': 'url(#arrow)' }));
      if (e.label) {
        labels.append(svg('text', { x: LEFT - bow * 0.75 - 4, y: (y1 + y2) / 2 + 4 + stacked * 14,
          class: 'edge-label', 'text-anchor': 'end' }, truncate(e.label, 22)));
      }
    }
  }
  root.append(edgesLayer);

  for (const n of main) {
    const y = yOf(n.id);
    const state = stateOf(n);
    const here = !finished && data.current_step && n.step === data.current_step;
    const grp = svg('g', { class: `node ${n.kind} state-${state}${here ? ' current' : ''}`, 'data-step': n.step || n.kind,
      'data-state': state });
    const tip = [n.step || n.kind, n.detail, n.when && ((n.kind === 'approval' ? 'holds when ' : 'when ') + n.when),
      state + ((states[n.step] || {}).detail ? ': ' + states[n.step].detail : '')].filter(Boolean).join('\n');
    grp.append(svg('title', {}, tip));
    if (n.kind === 'start' || n.kind === 'end' || n.kind === 'fail') {
      grp.append(svg('rect', { x: LEFT + W / 2 - 40, y: y + 10, width: 80, height: H - 20, rx: 16, class: 'box' }));
      grp.append(svg('text', { x: LEFT + W / 2, y: y + H / 2 + 5, 'text-anchor': 'middle', class: 'title' }, n.kind));
    } else {
      grp.append(svg('rect', { x: LEFT, y, width: W, height: H, rx: n.kind === 'activity' ? 6 : 18, class: 'box' }));
      grp.append(svg('text', { x: LEFT + 10, y: y + 17, class: 'title' }, truncate(n.step, 26) + (n.when ? '  ◇' : '')));
      grp.append(svg('text', { x: LEFT + 10, y: y + 32, class: 'detail' }, truncate(n.detail, 34)));
      const sd = (states[n.step] || {}).detail;
      grp.append(svg('text', { x: LEFT + 10, y: y + 46, class: 'state' },
        truncate(state.replace('_', ' ') + (sd ? ' · ' + sd : ''), 36)));
      if (here) {
        grp.append(svg('text', { x: LEFT + W - 8, y: y + 17, 'text-anchor': 'end', class: 'here' }, '● now'));
      }
    }
    root.append(grp);

    for (const c of comp.values()) {
      if (c.step !== n.step) continue;
      const cs = stateOf(c);
      const cg = svg('g', { class: `node compensation state-${cs}`, 'data-step': c.id, 'data-state': cs });
      cg.append(svg('title', {}, 'runs if a later step fails for good: ' + c.detail));
      cg.append(svg('rect', { x: COMP_X, y: y + 6, width: COMP_W, height: H - 12, rx: 6, class: 'box' }));
      cg.append(svg('text', { x: COMP_X + 8, y: y + 21, class: 'detail' }, truncate(c.detail, 29)));
      cg.append(svg('text', { x: COMP_X + 8, y: y + 36, class: 'state' },
        cs === 'compensated' ? 'undo · ran' : 'undo · only if a later step fails'));
      root.append(cg);
    }
  }
  root.append(labels);
  box.append(root);

  const legend = $('legend');
  clear(legend);
  for (const [state, label] of STATES) {
    legend.append(el('li', {}, el('span', { class: 'swatch state-' + state }), label));
  }
}

// ---------------------------------------------------------------- the history

function eventSummary(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'workflow_started':
      return 'requested by ' + (d.requested_by || '?');
    case 'approval_decided':
      return d.decision + ' by ' + d.principal + (d.comment ? ': “' + d.comment + '”' : '');
    case 'approval_not_required':
      return 'condition false: ' + (d.when || '');
    case 'wait_started':
      return d.kind === 'approval' ? 'waiting for a decision' : 'waiting for signal ' + d.signal;
    case 'workflow_continued_as_new':
      return 'run ' + d.next_run + ' goes on as ' + d.continued_as;
    case 'run_started':
      return 'run ' + d.run + ' (the last one is ' + d.previous_run + ')';
    case 'sleep_started':
      return 'until ' + formatTime(d.wake_at);
    case 'child_started':
      return d.workflow + ' v' + d.version + ' as ' + d.child;
    case 'child_completed':
      return d.child + ' completed';
    case 'child_failed':
      return d.child + ' ended ' + d.status + (d.code ? ' (' + d.code + ': ' + (d.message || '') + ')' : '');
    case 'child_cancel_requested':
      return d.child + ' cancelled: ' + ({ stop: 'this instance is being stopped', joined: 'the join is reached',
        branch_failed: 'a sibling branch failed' }[d.why] || d.why);
    case 'sleep_ended':
      return d.late_ms > 1000 ? 'woke ' + Math.round(d.late_ms / 1000) + ' s after its time' : 'woke';
    case 'signal_received':
      return d.signal + (d.principal ? ' from ' + d.principal : '');
    case 'attempt_failed':
    case 'step_failed':
    case 'compensation_failed':
    case 'workflow_failed':
      return (d.code || '') + ': ' + (d.message || '');
    case 'attempt_succeeded':
      return typeof d.duration_ms === 'number' ? d.duration_ms + ' ms' : '';
    case 'retry_scheduled':
      return 'in ' + d.delay_ms + ' ms';
    case 'step_skipped':
      return 'when false: ' + (d.when || '');
    case 'workflow_cancelled':
      return 'by ' + d.principal + (d.reason ? ': ' + d.reason : '');
    case 'workflow_paused':
      return d.principal ? 'by ' + d.principal + (d.reason ? ': ' + d.reason : '')
        : (d.code || '') + ': ' + (d.message || '');
    case 'pause_requested':
      return 'by ' + d.principal + (d.reason ? ': ' + d.reason : '') + ' (waits for the attempt in flight)';
    case 'workflow_resumed':
      return (d.principal ? 'by ' + d.principal : '') + (d.reason ? ': ' + d.reason : '');
    case 'workflow_retried':
      return 'from ' + d.from_step + ' by ' + d.principal + (d.reason ? ': ' + d.reason : '') +
        (Array.isArray(d.discarded) && d.discarded.length ? ' (discarded ' + d.discarded.join(', ') + ')' : '');
    default:
      return '';
  }
}

function renderHistory(items, nextAfter) {
  const ol = $('history');
  clear(ol);
  for (const e of items) {
    const li = el('li', { class: 'event ' + e.type, 'data-type': e.type },
      el('span', { class: 'seq' }, '#' + e.seq),
      el('time', { datetime: e.at }, formatTime(e.at)),
      el('span', { class: 'type' }, e.type.replace(/_/g, ' ')),
      e.step ? el('span', { class: 'step' }, e.step + (e.attempt ? ' (attempt ' + e.attempt + ')' : '')) : null,
      el('span', { class: 'what' }, eventSummary(e)));
    if (e.data && Object.keys(e.data).length) {
      li.append(el('details', {}, el('summary', {}, 'data'), el('pre', {}, JSON.stringify(e.data, null, 2))));
    }
    ol.append(li);
  }
  if (nextAfter !== null && nextAfter !== undefined) {
    ol.append(el('li', { class: 'muted' }, 'Older events beyond the first 1000 are not shown; use steadfast history.'));
  }
}

// ---------------------------------------------------------------- routing

async function route() {
  if (!token()) {
    signOut('');
    showAlert('');
    return;
  }
  if (!session) {
    try {
      await loadSession();
    } catch (e) {
      handleError(e);
      if (!token()) return;
    }
  }
  show('login', false);
  show('session', true);
  show('tabs', true);
  // The refund plugin's claims and settlement views (settlement.js).
  if (routeSettlement(location.hash)) {
    show('queue', false);
    show('detail', false);
    show('ops', false);
    $('tab-review').classList.remove('active');
    $('tab-ops').classList.remove('active');
    return;
  }
  const m = location.hash.match(/^#\/wf\/(.+)$/);
  // Someone who cannot decide has no queue of their own: the console is their start page.
  const ops = location.hash.startsWith('#/ops') || (!m && location.hash !== '#/' && session && !may('decide'));
  $('tab-review').classList.toggle('active', !m && !ops);
  $('tab-ops').classList.toggle('active', ops);
  if (m) {
    loadDetail(decodeURIComponent(m[1]));
    return;
  }
  current = null;
  // The detail's back link returns to the list it was opened from.
  $('back').textContent = ops ? '← Operations' : '← All held refunds';
  $('back').setAttribute('href', ops ? '#/ops' : '#/');
  if (ops) {
    loadOps(false);
  } else {
    loadQueue();
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', onLogin);
  $('sign-out').addEventListener('click', () => signOut('Token forgotten.'));
  $('refresh').addEventListener('click', () => loadQueue());
  $('decide').addEventListener('submit', onDecide);
  window.addEventListener('hashchange', route);
  route();
});
