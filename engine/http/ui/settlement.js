// Claims and settlement: the refund plugin's reservation claims (a claim's
// items, messages, decisions and settlement preview) and a reservation's
// settlement transactions with its CancellationDetails snapshots, and the
// admin's Execute of a pending or failed guest refund / host payout, all
// through the refund plugin's routes (/v1/plugins/refund/..., docs/http.md)
// with the signed-in bearer token (docs/ui.md, "Claims and settlement").
//
// Loaded after app.js, whose helpers it uses ($, el, clear, show, api,
// ApiError, explain, handleError, showAlert, formatMoney, formatTime, may);
// the same rules hold: data goes into the page as text only, never as
// markup; money is formatted from integer minor units. Execute is offered
// only to a token whose roles allow it (`plugin_admin` in GET /v1/session);
// the server checks every call all the same.
'use strict';

const SETTLEMENT_SECTIONS = ['claims', 'claim', 'txns'];
const REFUND_ROUTES = '/v1/plugins/refund';

function hideSettlement() {
  for (const id of SETTLEMENT_SECTIONS) show(id, false);
}

// One line for a person, for any refusal of these routes.
function explainSettlement(e) {
  if (!(e instanceof ApiError)) return String(e);
  const what = e.status ? ' (' + e.status + ' ' + e.code + ': ' + e.message + ')' : '';
  switch (e.code) {
    case 'forbidden':
      return 'Your token may not do this: executing a transaction needs the admin role.' + what;
    case 'not_found':
      return 'Not found.' + what;
    case 'invalid_state':
      return 'Not possible in the transaction\'s current state.' + what;
    case 'invalid_field':
    case 'invalid_query':
    case 'invalid_argument':
      return 'Refused (' + e.status + ' ' + e.code + '): ' + e.message;
    default:
      return explain(e);
  }
}

function settlementError(id, e) {
  if (e instanceof ApiError && e.status === 401) {
    handleError(e);
    return;
  }
  $(id).textContent = explainSettlement(e);
  show(id, true);
}

function statusBadge(status) {
  return el('span', { class: 'status status-' + status }, status);
}

// ---------------------------------------------------------------- claims

async function loadClaims() {
  show('claims', true);
  const params = new URLSearchParams();
  if ($('c-reservation').value.trim()) params.set('reservation', $('c-reservation').value.trim());
  if ($('c-status').value) params.set('status', $('c-status').value);
  let data;
  try {
    data = await api('GET', REFUND_ROUTES + '/claims' + (params.toString() ? '?' + params : ''));
  } catch (e) {
    settlementError('claims-error', e);
    return;
  }
  show('claims-error', false);
  const claims = data.claims || [];
  $('claims-count').textContent = '(' + claims.length + ')';
  show('claims-empty', claims.length === 0);
  const tbody = $('claims-list').querySelector('tbody');
  clear(tbody);
  for (const c of claims) {
    const href = '#/claim/' + encodeURIComponent(c.id);
    const row = el('tr', { 'data-id': c.id },
      el('td', {}, el('a', { href }, c.id), el('div', { class: 'muted' }, c.workflow_id || '')),
      el('td', {}, c.reservation_id, c.host_id ? el('div', { class: 'muted' }, 'host ' + c.host_id) : null),
      el('td', {}, statusBadge(c.status)),
      el('td', { class: 'num' }, formatMoney(c.claimed)),
      el('td', { class: 'num' }, c.status === 'open' ? '—' : formatMoney(c.decided)),
      el('td', {}, c.opened_by || '—'));
    row.addEventListener('click', (ev) => {
      if (ev.target.tagName !== 'A') location.hash = href;
    });
    tbody.append(row);
  }
}

const PAYOUT_LINES = [
  ['already_refunded', 'Refunded before'], ['remaining', 'Remaining to settle'], ['claim_payout', 'Claim payout'],
  ['uncovered', 'Claim not covered'], ['guest_refund', 'Refund to guest'], ['host_payout', 'Payout to host'],
];

const DEPOSIT_LINES = [['held', 'Deposit held'], ['claimed', 'From the deposit'], ['returned', 'Deposit returned']];

async function loadClaim(id) {
  if ($('claim').dataset.id !== id) show('claim', false);
  let c;
  try {
    c = await api('GET', REFUND_ROUTES + '/claims/' + encodeURIComponent(id));
  } catch (e) {
    handleError(e);
    return;
  }
  showAlert('');
  $('claim-title').textContent = 'Claim ' + c.id + ' · reservation ' + c.reservation_id;
  const facts = [
    ['Status', statusBadge(c.status)],
    ['Decision', c.decision],
    ['Reservation', c.reservation_id],
    ['Host', c.host_id],
    ['Opened by', c.opened_by],
    ['Claimed', formatMoney(c.claimed)],
    ['Decided', c.status === 'open' ? null : formatMoney(c.decided)],
    ['Workflow', c.workflow_id ? el('a', { href: '#/wf/' + encodeURIComponent(c.workflow_id) }, c.workflow_id) : null],
  ];
  const dl = $('claim-facts');
  clear(dl);
  for (const [k, v] of facts) {
    if (v === null || v === undefined || v === '') continue;
    dl.append(el('dt', {}, k), el('dd', { 'data-fact': k.toLowerCase().replace(/ /g, '_') }, v));
  }

  const items = $('claim-items').querySelector('tbody');
  clear(items);
  for (const i of c.items || []) {
    items.append(el('tr', { 'data-item': i.id },
      el('td', {}, i.description || i.id, el('div', { class: 'muted' }, i.id)),
      el('td', { class: 'num' }, formatMoney(i.amount)),
      el('td', {}, i.status),
      el('td', { class: 'num' }, i.decided_amount ? formatMoney(i.decided_amount) : '—'),
      el('td', {}, i.decided_by || '—')));
  }

  const settlement = $('claim-settlement').querySelector('tbody');
  clear(settlement);
  $('claim-basis').textContent = c.settlement_basis ? '(' + c.settlement_basis + ')' : '';
  show('claim-no-preview', !c.settlement);
  if (c.settlement) {
    for (const [key, label] of PAYOUT_LINES) {
      settlement.append(el('tr', { 'data-line': key }, el('td', {}, label),
        el('td', { class: 'num' }, formatMoney(c.settlement[key]))));
    }
    // A security deposit: drawn by the claim first, the rest returned.
    const deposit = c.settlement.deposit;
    for (const [key, label] of deposit ? DEPOSIT_LINES : []) {
      settlement.append(el('tr', { 'data-line': 'deposit_' + key }, el('td', {}, label),
        el('td', { class: 'num' }, formatMoney(deposit[key]))));
    }
  }

  const messages = $('claim-messages');
  clear(messages);
  for (const m of c.messages || []) {
    messages.append(el('li', {}, el('span', { class: 'seq' }, '#' + m.seq), el('time', {}, formatTime(m.at)),
      el('span', { class: 'type' }, m.author), el('span', { class: 'text' }, m.text)));
  }
  show('claim-no-messages', !(c.messages || []).length);
  $('claim-txns').setAttribute('href', '#/reservation/' + encodeURIComponent(c.reservation_id));
  $('claim').dataset.id = id;
  show('claim', true);
}

// ---------------------------------------------------------------- transactions

let executing = null;  // the transaction the Execute form is open for

function executable(t) {
  const moves = t.kind === 'guestrefund' || t.kind === 'hostpayout' || t.kind === 'depositreturn';
  return moves && (t.status === 'pending' || t.status === 'failed');
}

async function loadTransactions(reservation) {
  if ($('txns').dataset.id !== reservation) {
    show('txns', false);
    show('txns-ok', false);
    closeExecute();
  }
  let data;
  try {
    data = await api('GET', REFUND_ROUTES + '/transactions?reservation=' + encodeURIComponent(reservation));
  } catch (e) {
    handleError(e);
    return;
  }
  showAlert('');
  show('txns-error', false);
  $('txns-title').textContent = 'Settlement of reservation ' + reservation;

  const snapshots = data.snapshots || [];
  const sbody = $('snapshots').querySelector('tbody');
  clear(sbody);
  for (const d of snapshots) {
    sbody.append(el('tr', {},
      el('td', {}, el('a', { href: '#/wf/' + encodeURIComponent(d.workflow_id) }, d.workflow_id)),
      el('td', { class: 'num' }, formatMoney(d.refund_to_guest)),
      el('td', { class: 'num', title: 'part of the refund to the guest, counted once' },
        formatMoney(d.guest_service_fee)),
      el('td', { class: 'num' }, formatMoney(d.payout_to_host)),
      el('td', { class: 'num' }, formatMoney(d.host_service_fee)),
      el('td', { class: 'num' }, formatMoney(d.total)),
      el('td', {}, [d.policy, d.refund_method].filter(Boolean).join(', ')),
      el('td', {}, d.created_at ? formatTime(d.created_at) : '—')));
  }
  show('snapshots-box', snapshots.length > 0);

  const canExecute = may('plugin_admin');
  const txns = data.transactions || [];
  const tbody = $('txns-list').querySelector('tbody');
  clear(tbody);
  for (const t of txns) {
    let action = null;
    if (canExecute && executable(t)) {
      action = el('button', { type: 'button', class: 'danger', 'data-execute': t.id },
        t.status === 'failed' ? 'Execute again' : 'Execute');
      action.addEventListener('click', () => openExecute(t));
    }
    tbody.append(el('tr', { 'data-id': t.id, 'data-kind': t.kind },
      el('td', {}, t.id, el('div', { class: 'muted' }, t.psp_idempotency_key || '')),
      el('td', {}, t.kind),
      el('td', {}, statusBadge(t.status)),
      el('td', { class: 'num' }, formatMoney(t.amount)),
      el('td', {}, t.provider_id || '—'),
      el('td', {}, t.executed_by || '—', t.executed_at ? el('div', { class: 'muted' }, formatTime(t.executed_at)) : null),
      el('td', {}, t.failure ? t.failure.code + ': ' + t.failure.message : '—'),
      el('td', {}, action)));
  }
  show('txns-empty', txns.length === 0);
  show('txns-readonly', !canExecute && txns.some(executable));
  $('txns').dataset.id = reservation;
  show('txns', true);
}

function openExecute(t) {
  executing = t;
  $('execute-title').textContent = 'Execute ' + t.id + ': ' + t.kind + ' of ' + formatMoney(t.amount) +
    (t.status === 'failed' ? ' (failed before: sent again under a new PSP key)' : ' (sent under its PSP key)');
  // A new account is only for a host payout the PSP refused.
  show('execute-destination-box', t.kind === 'hostpayout' && t.status === 'failed');
  $('execute-destination').value = '';
  $('execute-reason').value = '';
  show('txns-ok', false);
  show('txns-error', false);
  show('execute', true);
  $('execute-reason').focus();
}

function closeExecute() {
  executing = null;
  show('execute', false);
}

async function onExecute(event) {
  event.preventDefault();
  if (!executing) return;
  const t = executing;
  const body = { reason: $('execute-reason').value.trim() };
  const destination = $('execute-destination').value.trim();
  if (destination && !$('execute-destination-box').hidden) body.destination = destination;
  const button = $('execute-confirm');
  button.disabled = true;
  let answer;
  try {
    answer = await api('POST', REFUND_ROUTES + '/transactions/' + encodeURIComponent(t.id) + '/execute', body);
  } catch (e) {
    settlementError('txns-error', e);
    return;
  } finally {
    button.disabled = false;
  }
  closeExecute();
  const said = {
    completed: 'completed by the PSP (' + (answer.provider_id || '?') + ')',
    already_completed: 'was completed already: nothing was sent',
    failed: 'refused by the PSP' + (answer.failure ? ' (' + answer.failure.code + ': ' + answer.failure.message + ')' : ''),
    'still pending': 'still pending: the PSP did not answer for sure; execute again to resend under the same key',
  }[answer.outcome] || answer.outcome;
  $('txns-ok').textContent = t.id + ' ' + said + '.';
  show('txns-ok', true);
  loadTransactions(t.reservation_id);
}

// ---------------------------------------------------------------- routing

// Shows the view for `hash` when it is one of these (#/claims,
// #/claim/<id>, #/reservation/<id>) and says so; otherwise hides them.
function routeSettlement(hash) {
  hideSettlement();
  $('tab-claims').classList.remove('active');
  let m;
  if (hash === '#/claims') {
    loadClaims();
  } else if ((m = hash.match(/^#\/claim\/(.+)$/))) {
    loadClaim(decodeURIComponent(m[1]));
  } else if ((m = hash.match(/^#\/reservation\/(.+)$/))) {
    loadTransactions(decodeURIComponent(m[1]));
  } else {
    return false;
  }
  $('tab-claims').classList.add('active');
  return true;
}

document.addEventListener('DOMContentLoaded', () => {
  $('claims-filter').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadClaims();
  });
  $('txns-open').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const r = $('t-reservation').value.trim();
    if (r) location.hash = '#/reservation/' + encodeURIComponent(r);
  });
  $('execute').addEventListener('submit', onExecute);
  $('execute-cancel').addEventListener('click', closeExecute);
});
