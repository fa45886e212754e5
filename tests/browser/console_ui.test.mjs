// The operator console (/ui/#/ops) end to end in a real browser.
//
// Starts the real steadfast-sandbox (PSP) and a real `steadfast serve` (temp
// SQLite file, loopback, port 0) on two small workflows of this test: a
// refund that pauses when the PSP call exhausts its retries, and one that
// fails (its first step is a plain echo, so it can be retried from there).
// The sandbox answers every refund with a 500 (a PSP outage), which parks
// six refunds paused and fails one. Then, in headless Debian Chromium driven
// by playwright-core:
//   1. ops (operator) signs in and lands on the console: the Paused list
//      holds the six, Failed the one; a search by key
//      (reservation_id=R-4403) finds exactly that refund, whose detail shows
//      the pause in its timeline and offers resume and retry, not pause;
//   2. rita (reviewer) sees the same console read-only: no bulk form, no
//      hold form, no actions on an instance;
//   3. ops holds refund.psp_refund (first without a reason: the server's 400
//      is shown), the hold shows in the console and on /metrics; the PSP
//      recovers; a refund started now waits (running, nothing at the PSP,
//      listed as stuck) until ops releases the hold in the console, then
//      completes;
//   4. a bulk resume of the paused refunds: the dry run shows the count (6)
//      and a sample and changes nothing; confirmed, the page follows the
//      operation to completed; every refund completes with exactly one
//      refund at the sandbox;
//   5. ops retries the failed instance from its first step (first without a
//      reason: the server's 400 is shown): it completes, its history names
//      the retry, and the sandbox holds exactly one refund for it.
// Screenshots go to --out (the meson log dir).
//
// usage: node console_ui.test.mjs --steadfast BIN --sandbox BIN --source ROOT --out DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CHROMIUM, http, launchBrowser, loadPlaywright, parseArgs, runBrowserTest, seedCharge, signIn, sleep, startSandbox,
  startServe, waitForStatus } from './harness.mjs';

const OPS = { name: 'ops', token: 'ops-token-3c1f7a92d4', roles: 'operator' };
const RITA = { name: 'rita', token: 'rita-token-90b4f2e6a8', roles: 'reviewer' };
const PARKED = 6;
const STEP_TIMEOUT_MS = 20000;
const PSP_ACTIVITY = 'refund.psp_refund';

// Just the PSP call, with a short retry budget that parks the refund.
const OUTAGE_YAML = `name: outage_refund
version: 1
input: { reservation_id: string, customer_id: string, charge: string, amount: int }
search:
  reservation_id: "\${input.reservation_id}"
  customer_id: "\${input.customer_id}"
steps:
  - id: psp
    activity: ${PSP_ACTIVITY}
    with:
      charge: "\${input.charge}"
      amount: { minor: "\${input.amount}", currency: EUR }
      reservation_id: "\${input.reservation_id}"
    retry: { max_attempts: 2, initial_interval: 20ms, on_exhausted: pause }
`;

// A step before the PSP call, and a PSP call that fails the instance for good.
const STRICT_YAML = `name: strict_refund
version: 1
input: { reservation_id: string, charge: string, amount: int }
search:
  reservation_id: "\${input.reservation_id}"
steps:
  - id: prepare
    activity: std.echo
    with: { charge: "\${input.charge}" }
  - id: psp
    activity: ${PSP_ACTIVITY}
    with:
      charge: "\${input.charge}"
      amount: { minor: "\${input.amount}", currency: EUR }
      reservation_id: "\${input.reservation_id}"
    retry: { max_attempts: 2, initial_interval: 20ms, on_exhausted: fail }
`;

const outageId = (i) => 'wf-outage-' + i;
const outageCharge = (i) => 'ch_console_' + i;
const outageAmount = (i) => 1000 + i;
const STRICT_ID = 'wf-strict-1';
const STRICT_CHARGE = 'ch_console_strict';
const HELD_ID = 'wf-held-1';
const HELD_CHARGE = 'ch_console_held';

async function faults(psp, errorRate) {
  const r = await http(psp, 'POST', '/sandbox/faults', { body: { error_rate: errorRate, scope: ['/v1/refunds'] } });
  assert.ok(r.status < 300, 'sandbox faults: ' + r.text);
}

async function refundsAt(psp, charge) {
  const stats = await http(psp, 'GET', '/sandbox/stats');
  assert.equal(stats.status, 200, stats.text);
  return stats.json.refunds.by_charge[charge] || { count: 0, amount_refunded: 0 };
}

async function listIds(base, query) {
  const r = await http(base, 'GET', '/v1/workflows?limit=500&' + query, { token: OPS.token });
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((i) => i.id);
}

async function waitForCount(base, query, count, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let ids = [];
  while (Date.now() < deadline) {
    ids = await listIds(base, query);
    if (ids.length === count) return ids;
    await sleep(100);
  }
  throw new Error(`${query}: expected ${count} instances, have ${ids.length}: ${ids.join(', ')}`);
}

async function start(base, id, workflow, input) {
  const r = await http(base, 'POST', '/v1/workflows', { token: OPS.token, body: { workflow, id, input } });
  assert.equal(r.status, 201, 'start ' + id + ': ' + r.text);
}

// The rows the console's instance table shows, as ids, once the newest list
// request has filled it (the page marks the table aria-busy until then).
async function shownIds(page) {
  await page.locator('#instances[aria-busy="false"]').waitFor({ state: 'attached' });
  return page.locator('#instances tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
}

const started = Date.now();
// Where the time goes, in the test log.
const phase = (name) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CHROMIUM)) throw new Error(CHROMIUM + ' is missing: install the Debian package chromium');
  const { chromium } = await loadPlaywright();
  fs.mkdirSync(args.out, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steadfast-console-'));
  const children = [];
  let browser = null;
  let profile = null;
  try {
    const workflowsDir = path.join(dir, 'workflows');
    fs.mkdirSync(workflowsDir);
    fs.writeFileSync(path.join(workflowsDir, 'outage_refund.yaml'), OUTAGE_YAML);
    fs.writeFileSync(path.join(workflowsDir, 'strict_refund.yaml'), STRICT_YAML);

    // The PSP with the charges the refunds go back to, in an outage: every refund call answers 500.
    const { psp } = await startSandbox(dir, args, children);
    for (let i = 0; i < PARKED; i++) await seedCharge(psp, outageCharge(i), 50000, 'EUR');
    await seedCharge(psp, STRICT_CHARGE, 50000, 'EUR');
    await seedCharge(psp, HELD_CHARGE, 50000, 'EUR');
    await faults(psp, 1.0);
    // No circuit breaker in the way: every failed call is the PSP's 500 (psp_unavailable).
    const base = await startServe(dir, args, children, psp, [OPS, RITA], 'console-ui-serve.log',
      { workflowsDir, pspOptions: ', breaker_failures: 1000' });

    for (let i = 0; i < PARKED; i++) {
      await start(base, outageId(i), 'outage_refund', { reservation_id: 'R-' + (4400 + i),
        customer_id: 'guest-' + i, charge: outageCharge(i), amount: outageAmount(i) });
    }
    await start(base, STRICT_ID, 'strict_refund', { reservation_id: 'R-4500', charge: STRICT_CHARGE, amount: 2500 });
    const parkedQuery = 'workflow=outage_refund&status=paused&error_code=psp_unavailable';
    await waitForCount(base, parkedQuery, PARKED, STEP_TIMEOUT_MS);
    await waitForStatus(base, OPS.token, STRICT_ID, 'failed', STEP_TIMEOUT_MS);

    phase('outage parked the refunds');
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'steadfast-chromium-'));
    browser = await launchBrowser(chromium, profile, STEP_TIMEOUT_MS);
    const pageErrors = [];

    // 1. The operator lands on the console; the paused and failed lists; a search by key.
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, base, OPS, '#ops');
    assert.match(await page.locator('#whoami').textContent(), /ops \(operator\)/);
    await page.click('[data-quick="paused"]');
    assert.deepEqual((await shownIds(page)).sort(), Array.from({ length: PARKED }, (_, i) => outageId(i)).sort());
    assert.equal(await page.locator('#instances tbody tr[data-status="paused"]').count(), PARKED);
    await page.click('[data-quick="failed"]');
    assert.deepEqual(await shownIds(page), [STRICT_ID]);

    await page.click('[data-quick="all"]');
    await page.fill('#f-q', 'reservation_id=R-4403');
    await page.click('#ops-filter button[type=submit]');
    assert.deepEqual(await shownIds(page), ['wf-outage-3']);
    assert.match(await page.locator('#instances tbody tr td.keys').textContent(), /reservation_id=R-4403/);
    await page.click('#instances tr[data-id="wf-outage-3"] a');
    await page.locator('#detail').waitFor({ state: 'visible' });
    // The instance's timeline: its failed attempts and the pause they ended in.
    await page.locator('#history li[data-type="workflow_paused"]').waitFor();
    assert.equal(await page.locator('#history li[data-type="attempt_failed"]').count(), 2);
    await page.locator('#act-resume').waitFor({ state: 'visible' });
    await page.locator('#retry-box').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#act-pause').isHidden(), 'a paused instance offers no pause');
    assert.equal(await page.locator('#back').getAttribute('href'), '#/ops');

    phase('1 done: lists, search, timeline');
    // 2. A reviewer reads the console but is offered no action.
    const ritaPage = await browser.newPage();
    ritaPage.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(ritaPage, base, RITA, '#queue');
    await ritaPage.click('#tab-ops');
    await ritaPage.locator('#bulk-readonly').waitFor({ state: 'visible' });
    assert.ok(await ritaPage.locator('#bulk').isHidden(), 'no bulk form for a reviewer');
    assert.ok(await ritaPage.locator('#hold-form').isHidden(), 'no hold form for a reviewer');
    await ritaPage.goto(base + '/ui/#/wf/wf-outage-3');
    await ritaPage.locator('#history li[data-type="workflow_paused"]').waitFor();
    assert.ok(await ritaPage.locator('#actions').isHidden(), 'no instance actions for a reviewer');
    // A background tab gets no animation frames, and Playwright waits for them: back to ops' tab.
    await ritaPage.close();
    await page.bringToFront();

    phase('2 done: reviewer read-only');
    // 3. The kill switch: hold the PSP call; a refund started now waits; release it.
    await page.goto(base + '/ui/#/ops');
    await page.locator('#hold-form').waitFor({ state: 'visible' });
    await page.fill('#hold-activity', PSP_ACTIVITY);
    await page.click('#hold');  // no reason: the server refuses, and the page says why
    await page.locator('#holds-error', { hasText: '400 invalid_field' }).waitFor();
    assert.match(await page.locator('#holds-error').textContent(), /reason/);
    await page.fill('#hold-reason', 'PSP incident INC-7');
    await page.click('#hold');
    const holdRow = page.locator(`#holds tr[data-activity="${PSP_ACTIVITY}"]`);
    await holdRow.waitFor();
    assert.match(await holdRow.textContent(), /PSP incident INC-7/);
    assert.match(await holdRow.textContent(), /ops/);
    const holds = await http(base, 'GET', '/v1/activity-holds', { token: RITA.token });
    assert.deepEqual(holds.json.items.map((h) => h.activity), [PSP_ACTIVITY]);
    const metrics = await http(base, 'GET', '/metrics');
    assert.match(metrics.text, /steadfast_activity_held\{activity="refund\.psp_refund"\} 1/);
    await page.screenshot({ path: path.join(args.out, 'console-ui-held.png'), fullPage: true });

    await faults(psp, 0.0);  // the PSP recovers
    await start(base, HELD_ID, 'outage_refund', { reservation_id: 'R-4600', customer_id: 'guest-held',
      charge: HELD_CHARGE, amount: 3000 });
    await sleep(1200);
    const waiting = await http(base, 'GET', '/v1/workflows/' + HELD_ID, { token: OPS.token });
    assert.equal(waiting.json.status, 'running', 'held, the refund waits: ' + waiting.text);
    assert.equal((await refundsAt(psp, HELD_CHARGE)).count, 0, 'nothing reaches the PSP while it is held');
    // It shows as stuck: running, and not changed for a while (here: a second).
    await page.click('[data-quick="stuck"]');
    await page.fill('#f-stale', '0.015');
    await page.click('#ops-filter button[type=submit]');
    assert.deepEqual(await shownIds(page), [HELD_ID]);

    await page.fill('#hold-reason', 'PSP recovered');
    await holdRow.locator('button.release').click();
    await page.locator('#holds-none').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#holds tbody tr').count(), 0);
    await page.locator('#holds-log-box summary').click();
    await page.locator('#holds-log li', { hasText: 'release' }).waitFor();
    await waitForStatus(base, OPS.token, HELD_ID, 'completed', STEP_TIMEOUT_MS);
    assert.equal((await refundsAt(psp, HELD_CHARGE)).count, 1);

    phase('3 done: hold and release');
    // 4. Bulk resume: the dry run first (count and sample), then confirm, then progress to the end.
    await page.click('[data-quick="paused"]');
    await page.fill('#f-workflow', 'outage_refund');
    await page.fill('#f-error', 'psp_unavailable');
    await page.click('#ops-filter button[type=submit]');
    assert.equal((await shownIds(page)).length, PARKED);
    await page.selectOption('#bulk-action', 'resume');
    await page.fill('#bulk-reason', 'PSP outage INC-7 is over');
    assert.ok(await page.locator('#bulk-run').isDisabled(), 'nothing to confirm before a dry run');
    await page.click('#bulk-dry');
    await page.locator('#bulk-total').waitFor();
    assert.equal(await page.locator('#bulk-total').textContent(), String(PARKED));
    assert.equal(await page.locator('#bulk-sample li').count(), PARKED);
    assert.match(await page.locator('#bulk-result').textContent(), /would be resumed/);
    assert.equal((await listIds(base, parkedQuery)).length, PARKED, 'a dry run changes nothing');
    await page.screenshot({ path: path.join(args.out, 'console-ui-dry-run.png'), fullPage: true });
    await page.click('#bulk-run');
    await page.locator('#bulk-progress[data-state="completed"]').waitFor({ timeout: 30000 });
    assert.match(await page.locator('#bulk-state').textContent(), new RegExp(`${PARKED} done, 0 skipped, 0 failed of ${PARKED}`));
    const ops = await http(base, 'GET', '/v1/bulk-operations', { token: RITA.token });
    assert.equal(ops.json.items.length, 1, 'one bulk operation: ' + ops.text);
    assert.equal(ops.json.items[0].requested_by, 'ops');
    assert.equal(ops.json.items[0].reason, 'PSP outage INC-7 is over');
    await waitForCount(base, 'workflow=outage_refund&status=completed', PARKED + 1, STEP_TIMEOUT_MS);
    for (let i = 0; i < PARKED; i++) {
      const at = await refundsAt(psp, outageCharge(i));
      assert.equal(at.count, 1, 'one refund at the PSP for ' + outageCharge(i));
      assert.equal(at.amount_refunded, outageAmount(i));
    }

    phase('4 done: bulk resume');
    // 5. Retry the failed instance from its first step.
    await page.click('[data-quick="failed"]');
    assert.deepEqual(await shownIds(page), [STRICT_ID]);
    await page.locator(`#instances tr[data-id="${STRICT_ID}"] a`).click();
    await page.locator(`#detail[data-id="${STRICT_ID}"]`).waitFor({ state: 'visible' });
    await page.locator('#retry-box').waitFor({ state: 'visible' });
    assert.deepEqual(await page.locator('#retry-step option').evaluateAll((o) => o.map((x) => x.value)), ['', 'prepare']);
    await page.selectOption('#retry-step', 'prepare');
    await page.click('#act-retry');  // no reason: the server refuses, and the page says why
    await page.locator('#action-error', { hasText: '400 invalid_field' }).waitFor();
    await page.fill('#action-reason', 'charge checked with the PSP');
    await page.click('#act-retry');
    await page.locator('#action-ok', { hasText: 'Retry started' }).waitFor();
    await waitForStatus(base, OPS.token, STRICT_ID, 'completed', STEP_TIMEOUT_MS);
    const history = await http(base, 'GET', `/v1/workflows/${STRICT_ID}/history?limit=1000`, { token: OPS.token });
    const retried = history.json.items.filter((e) => e.type === 'workflow_retried');
    assert.equal(retried.length, 1, 'one retry: ' + JSON.stringify(retried));
    assert.equal(retried[0].data.from_step, 'prepare');
    assert.equal(retried[0].data.principal, 'ops');
    assert.equal(retried[0].data.reason, 'charge checked with the PSP');
    const strictAt = await refundsAt(psp, STRICT_CHARGE);
    assert.equal(strictAt.count, 1, 'one refund at the PSP for the retried instance');
    assert.equal(strictAt.amount_refunded, 2500);
    // The timeline in the page shows the retry.
    await page.reload();
    await page.locator('#history li[data-type="workflow_retried"]', { hasText: 'from prepare by ops' }).waitFor();
    await page.screenshot({ path: path.join(args.out, 'console-ui-retried.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'no script errors on the page');
    console.log(`ok: ${PARKED} refunds parked by the outage, found by key, held and released, bulk resumed ` +
      `with one refund each, one retried from a step; ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `screenshots in ${args.out}`);
  } finally {
    phase('5 done: retry; stopping');
    if (browser) await browser.close().catch(() => {});
    for (const c of children.reverse()) await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    phase('stopped');
  }
}

runBrowserTest(main);
