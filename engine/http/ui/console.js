// The operator console: the activity holds (the kill switch), finding
// instances (by id, search key and every GET /v1/workflows filter), the
// failed / paused / stuck lists, acting on one instance (pause, resume,
// retry from a step, cancel) and on every match of a filter (a bulk
// operation: dry run first, then confirm, then its progress), all through
// the /v1 API with the signed-in bearer token (docs/ui.md, "Operations").
//
// Loaded after app.js, whose helpers it uses ($, el, clear, show, api,
// ApiError, explain, handleError, showAlert, formatTime, formatAge, may);
// the same rules hold: data goes into the page as text only, never as
// markup. What the token's roles do not allow is not offered (GET
// /v1/session); the server checks every call all the same.
'use strict';

const OPS_PAGE = 50;
const BULK_POLL_MS = 400;
const STUCK_MINUTES = 15;
const FINISHED = ['completed', 'failed', 'compensated', 'cancelled', 'continued'];

// One line for an operator, for any refusal: the server's code and message
// are always shown, with what it means first.
function explainOp(e) {
  if (!(e instanceof ApiError)) return String(e);
  const what = e.status ? ' (' + e.status + ' ' + e.code + ': ' + e.message + ')' : '';
  switch (e.code) {
    case 'forbidden':
      return 'Your token may not do this: it needs the operator or admin role.' + what;
    case 'invalid_state':
      return 'Not possible in the instance\'s current state.' + what;
    case 'invalid_step':
      return 'Cannot retry from that step.' + what;
    case 'invalid_field':
    case 'invalid_query':
      return 'Refused (' + e.status + ' ' + e.code + '): ' + e.message;
    case 'not_found':
      return 'Not found.' + what;
    default:
      return explain(e);
  }
}

// ---------------------------------------------------------------- holds

let holdsRequest = 0;  // only the newest request may fill the holds

async function loadHolds() {
  const request = ++holdsRequest;
  let data;
  try {
    data = await api('GET', '/v1/activity-holds?log=10');
    if (request !== holdsRequest) return;
  } catch (e) {
    if (request !== holdsRequest) return;
    $('holds-error').textContent = explainOp(e);
    show('holds-error', true);
    return;
  }
  show('holds-error', false);
  const canHold = may('hold_activities');
  const tbody = $('holds').querySelector('tbody');
  clear(tbody);
  for (const h of data.items || []) {
    const release = el('button', { type: 'button', class: 'release', 'data-activity': h.activity }, 'Release');
    release.hidden = !canHold;
    release.addEventListener('click', () => onRelease(h.activity));
    tbody.append(el('tr', { 'data-activity': h.activity },
      el('td', {}, el('code', {}, h.activity), h.activity === '*' ? el('div', { class: 'muted' }, 'every activity') : null),
      el('td', {}, h.reason),
      el('td', {}, h.held_by),
      el('td', { title: h.held_at ? formatTime(h.held_at) : '' }, h.held_at ? formatAge(h.held_at) + ' ago' : '—'),
      el('td', {}, release)));
  }
  const held = (data.items || []).length;
  $('holds-count').textContent = held ? '(' + held + ' held)' : '';
  $('holds-box').classList.toggle('held', held > 0);
  show('holds', held > 0);
  show('holds-none', held === 0);
  const log = $('holds-log');
  clear(log);
  for (const ev of data.log || []) {
    log.append(el('li', {}, el('time', { datetime: ev.at }, formatTime(ev.at)), ' ',
      ev.action + ' ', el('code', {}, ev.activity), ' by ' + ev.principal + (ev.reason ? ': ' + ev.reason : '')));
  }
  show('holds-log-box', (data.log || []).length > 0);
}

async function onHold(event) {
  event.preventDefault();
  const activity = $('hold-activity').value.trim();
  const reason = $('hold-reason').value.trim();
  show('holds-error', false);
  try {
    await api('POST', '/v1/activity-holds', { activity, reason });
    $('hold-activity').value = '';
    $('hold-reason').value = '';
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return handleError(e);
    $('holds-error').textContent = explainOp(e);
    show('holds-error', true);
    return;
  }
  await loadHolds();
}

async function onRelease(activity) {
  const reason = $('hold-reason').value.trim();
  show('holds-error', false);
  try {
    await api('POST', '/v1/activity-holds/' + encodeURIComponent(activity) + '/release', reason ? { reason } : {});
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return handleError(e);
    $('holds-error').textContent = explainOp(e);
    show('holds-error', true);
  }
  await loadHolds();
}

// ---------------------------------------------------------------- filters

// datetime-local value (the browser's time zone) -> RFC 3339 UTC, or ''.
function rfc3339(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

// The filter form as GET /v1/workflows parameters (docs/http.md, "List and
// filter"). The Find box holds search keys `name=value` separated by spaces.
function opsFilterParams() {
  const params = new URLSearchParams();
  for (const part of $('f-q').value.trim().split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq > 0) params.append('key.' + part.slice(0, eq), part.slice(eq + 1));
  }
  const text = { workflow: 'f-workflow', version: 'f-version', step: 'f-step', error_code: 'f-error',
    requested_by: 'f-requester' };
  for (const [name, id] of Object.entries(text)) {
    const v = $(id).value.trim();
    if (v) params.set(name, v);
  }
  if ($('f-status').value) params.set('status', $('f-status').value);
  const createdAfter = rfc3339($('f-created-after').value);
  if (createdAfter) params.set('created_after', createdAfter);
  const createdBefore = rfc3339($('f-created-before').value);
  if (createdBefore) params.set('created_before', createdBefore);
  const stale = Number($('f-stale').value);
  if ($('f-stale').value !== '' && stale >= 0) {
    params.set('updated_before', new Date(Date.now() - stale * 60000).toISOString());
  }
  return params;
}

// The same criteria as the body of a bulk operation: {"key.reservation_id": ..., "status": ...}.
function opsFilterObject() {
  const filter = {};
  for (const [name, value] of opsFilterParams()) filter[name] = value;
  return filter;
}

// A single word without '=' in the Find box is an instance id: open it.
function lookedUpId() {
  const q = $('f-q').value.trim();
  return q && !/\s/.test(q) && q.indexOf('=') < 0 ? q : '';
}

function clearFilters() {
  for (const id of ['f-q', 'f-workflow', 'f-version', 'f-step', 'f-error', 'f-requester', 'f-created-after',
    'f-created-before', 'f-stale', 'f-status']) {
    $(id).value = '';
  }
}

// The quick lists: failed, paused, stuck (running, no change for a while), all.
function setQuick(kind) {
  clearFilters();
  $('f-status').value = { failed: 'failed', paused: 'paused', stuck: 'running' }[kind] || '';
  if (kind === 'stuck') $('f-stale').value = String(STUCK_MINUTES);
  for (const b of document.querySelectorAll('[data-quick]')) b.classList.toggle('active', b.dataset.quick === kind);
}

// ---------------------------------------------------------------- the list

let opsCursor = null;
let opsRequest = 0;  // only the newest list request may fill the table

function instanceRow(inst) {
  const link = el('a', { href: '#/wf/' + encodeURIComponent(inst.id) }, inst.id);
  const keys = Object.entries(inst.search || {}).map(([k, v]) => k + '=' + v).join(' ');
  const row = el('tr', { 'data-id': inst.id, 'data-status': inst.status },
    el('td', {}, link, el('div', { class: 'muted' }, inst.workflow + ' v' + inst.version)),
    el('td', { class: 'keys' }, keys || '—'),
    el('td', {}, el('span', { class: 'status status-' + inst.status }, inst.status.replace(/_/g, ' '))),
    el('td', {}, inst.current_step || '—'),
    el('td', {}, inst.error ? el('span', { title: inst.error.message || '' }, inst.error.code) : '—'),
    el('td', {}, inst.requested_by || '—'),
    el('td', { title: formatTime(inst.updated_at) }, formatAge(inst.updated_at) + ' ago'));
  row.addEventListener('click', (ev) => {
    if (ev.target.tagName !== 'A') location.hash = '#/wf/' + encodeURIComponent(inst.id);
  });
  return row;
}

async function loadOps(append) {
  clearTimeout(listTimer);
  show('queue', false);
  show('detail', false);
  show('ops', true);
  const canBulk = may('bulk');
  show('bulk', canBulk);
  show('bulk-readonly', !canBulk);
  show('hold-form', may('hold_activities'));
  if (!append) loadHolds();
  const tbody = $('instances').querySelector('tbody');
  const params = opsFilterParams();
  params.set('limit', String(OPS_PAGE));
  if (append && opsCursor) params.set('cursor', opsCursor);
  const request = ++opsRequest;
  $('instances').setAttribute('aria-busy', 'true');  // until the newest request has filled the table
  let page;
  try {
    page = await api('GET', '/v1/workflows?' + params.toString());
    if (request !== opsRequest) return;
  } catch (e) {
    if (request !== opsRequest) return;
    $('instances').setAttribute('aria-busy', 'false');
    if (e instanceof ApiError && e.status === 401) return handleError(e);
    $('ops-error').textContent = explainOp(e);
    show('ops-error', true);
    return;
  }
  show('ops-error', false);
  showAlert('');
  if (!append) clear(tbody);
  for (const inst of page.items || []) tbody.append(instanceRow(inst));
  opsCursor = page.next_cursor || null;
  const shown = tbody.childNodes.length;
  $('ops-count').textContent = '(' + shown + (opsCursor ? '+' : '') + ')';
  show('ops-empty', shown === 0);
  show('ops-more', !!opsCursor);
  $('instances').setAttribute('aria-busy', 'false');
}

async function onOpsSearch(event) {
  event.preventDefault();
  resetBulk();
  const id = lookedUpId();
  if (id) {
    location.hash = '#/wf/' + encodeURIComponent(id);
    return;
  }
  for (const b of document.querySelectorAll('[data-quick]')) b.classList.remove('active');
  loadOps(false);
}

// ---------------------------------------------------------------- bulk

// The action and filter the last dry run counted. Confirming applies exactly
// these (a stuck filter's cutoff time included); any change to the form drops
// them, so nothing is applied that was not previewed.
let bulkPreview = null;

const ACTION_DONE = { pause: 'paused', resume: 'resumed', retry: 'retried', cancel: 'cancelled' };

function bulkRequest() {
  return { action: $('bulk-action').value, filter: opsFilterObject(), reason: $('bulk-reason').value.trim() };
}

function resetBulk() {
  bulkPreview = null;
  $('bulk-run').disabled = true;
  $('bulk-run').textContent = 'Confirm';
  clear($('bulk-result'));
  show('bulk-progress', false);
  show('bulk-error', false);
}

function setBulkBusy(busy) {
  for (const b of $('bulk').querySelectorAll('button')) b.disabled = busy;
  if (!busy && !bulkPreview) $('bulk-run').disabled = true;
}

function bulkCounts(op) {
  return op.done + ' done, ' + op.skipped + ' skipped, ' + op.failed + ' failed of ' + op.total;
}

function showBulkProgress(op) {
  const bar = $('bulk-bar');
  bar.max = Math.max(op.total, 1);
  bar.value = op.total ? op.done + op.skipped + op.failed : 1;
  $('bulk-state').textContent = 'Operation ' + op.id + ': ' + op.state + ' — ' + bulkCounts(op) + '.';
  $('bulk-progress').dataset.state = op.state;
  show('bulk-progress', true);
}

async function onBulkDryRun(event) {
  event.preventDefault();
  const request = bulkRequest();
  resetBulk();
  setBulkBusy(true);
  try {
    const preview = await api('POST', '/v1/bulk-operations', { ...request, dry_run: true, sample: 10 });
    const out = $('bulk-result');
    out.append(el('span', { id: 'bulk-total' }, String(preview.total)),
      ' instance' + (preview.total === 1 ? '' : 's') + ' would be ' + ACTION_DONE[request.action] + '.');
    if ((preview.sample || []).length) {
      const ul = el('ul', { id: 'bulk-sample', class: 'plain' });
      for (const id of preview.sample) ul.append(el('li', {}, el('a', { href: '#/wf/' + encodeURIComponent(id) }, id)));
      out.append(el('div', { class: 'muted' }, 'For example:'), ul);
    }
    bulkPreview = { action: request.action, filter: request.filter };
    $('bulk-run').textContent = 'Confirm: ' + request.action + ' ' + preview.total;
    setBulkBusy(false);
    $('bulk-run').disabled = preview.total === 0;
  } catch (e) {
    setBulkBusy(false);
    if (e instanceof ApiError && e.status === 401) return handleError(e);
    $('bulk-error').textContent = explainOp(e);
    show('bulk-error', true);
  }
}

async function onBulkConfirm() {
  if (!bulkPreview) {
    resetBulk();
    $('bulk-error').textContent = 'The action or the filter changed since the dry run: run it again.';
    show('bulk-error', true);
    return;
  }
  const request = { ...bulkPreview, reason: $('bulk-reason').value.trim() };
  setBulkBusy(true);
  try {
    let op = await api('POST', '/v1/bulk-operations', request);
    bulkPreview = null;  // applied: a second one needs a new dry run (a refused one may be confirmed again)
    show('bulk-error', false);
    showBulkProgress(op);
    while (op.state === 'running') {
      await new Promise((r) => setTimeout(r, BULK_POLL_MS));
      op = await api('GET', '/v1/bulk-operations/' + encodeURIComponent(op.id));
      showBulkProgress(op);
    }
    for (const f of op.failures || []) {
      $('bulk-result').append(el('div', { class: 'failure' }, f.instance_id + ': ' + f.reason));
    }
    loadOps(false);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return handleError(e);
    $('bulk-error').textContent = explainOp(e);
    show('bulk-error', true);
  } finally {
    setBulkBusy(false);
  }
}

// ---------------------------------------------------------------- one instance

// The operator's buttons in app.js's detail view: only those the instance's
// state and the token's roles allow.
function renderActions(inst, graph) {
  const s = inst.status;
  const stopping = !!inst.cancellation;
  const canPause = may('pause') && ['running', 'waiting_signal', 'waiting_approval', 'sleeping', 'waiting_child'].includes(s) && !stopping &&
    !inst.pausing;
  const canResume = may('resume') && (s === 'paused' || !!inst.pausing);
  const canRetry = may('retry') && (s === 'paused' || s === 'failed');
  const canCancel = may('cancel') && !FINISHED.includes(s) && s !== 'compensating' && !stopping;
  show('actions', canPause || canResume || canRetry || canCancel);
  show('act-pause', canPause);
  show('act-resume', canResume);
  show('retry-box', canRetry);
  show('act-cancel', canCancel);
  show('action-error', false);
  if (!canRetry) return;
  // From the step it stopped at (the default), or from an earlier step it reached.
  const states = (graph && graph.steps) || {};
  const order = ((graph && graph.graph && graph.graph.nodes) || [])
    .filter((n) => n.step && n.kind !== 'compensation' && states[n.step]).map((n) => n.step);
  const stopped = inst.current_step || order.find((st) => states[st].state === 'failed') || '';
  const select = $('retry-step');
  clear(select);
  select.append(el('option', { value: '' }, 'where it stopped' + (stopped ? ' (' + stopped + ')' : '')));
  for (const st of order) {
    if (st === stopped) break;
    select.append(el('option', { value: st }, st));
  }
}

const ACTION_PAST = { pause: 'Pause requested', resume: 'Resumed', retry: 'Retry started', cancel: 'Cancel requested' };

async function onAction(event) {
  const action = event.target.dataset && event.target.dataset.action;
  if (!action || !current) return;
  const id = current.id;
  const body = {};
  const reason = $('action-reason').value.trim();
  if (reason) body.reason = reason;
  if (action === 'retry' && $('retry-step').value) body.from_step = $('retry-step').value;
  show('action-error', false);
  show('action-ok', false);
  for (const b of $('actions').querySelectorAll('button')) b.disabled = true;
  try {
    const inst = await api('POST', '/v1/workflows/' + encodeURIComponent(id) + '/' + action, body);
    $('action-reason').value = '';
    await loadDetail(id);
    $('action-ok').textContent = ACTION_PAST[action] + ' — the instance is now ' +
      inst.status.replace(/_/g, ' ') + '.';
    show('action-ok', true);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return handleError(e);
    $('action-error').textContent = explainOp(e);
    show('action-error', true);
  } finally {
    for (const b of $('actions').querySelectorAll('button')) b.disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('ops-filter').addEventListener('submit', onOpsSearch);
  $('ops-more').addEventListener('click', () => loadOps(true));
  $('bulk').addEventListener('submit', onBulkDryRun);
  $('bulk-run').addEventListener('click', onBulkConfirm);
  $('hold-form').addEventListener('submit', onHold);
  for (const b of document.querySelectorAll('[data-quick]')) {
    b.addEventListener('click', () => {
      setQuick(b.dataset.quick);
      resetBulk();
      loadOps(false);
    });
  }
  $('actions').addEventListener('click', onAction);
  $('actions').addEventListener('submit', (e) => e.preventDefault());
  // A changed filter or action needs a new dry run before anything is applied.
  for (const node of $('ops-filter').querySelectorAll('input, select')) node.addEventListener('input', resetBulk);
  $('bulk-action').addEventListener('input', resetBulk);
});
