// The reviewer page (/ui/) end to end in a real browser.
//
// Starts the real steadfast-sandbox (PSP) and a real `steadfast serve` (temp
// SQLite file, loopback, port 0) with two principals: alex (operator +
// reviewer) who asks for the refund, and rita (reviewer). A reservation
// refund over the review threshold is held for approval; then, in headless
// Debian Chromium driven by playwright-core:
//   1. alex opens /ui/, enters his token, sees the held refund, opens it and
//      tries to approve: the page shows the four-eyes refusal;
//   2. rita, in another tab, enters her token (the token is kept per tab),
//      sees the refund with its amount, opens it, sees the graph (review
//      waiting) and the history, approves with a comment, and the page
//      follows the workflow to `completed`;
//   3. alex, in his now stale tab, tries again: the page shows that rita
//      already decided (409 already_decided).
// Then the API must agree: the instance completed; its history has rita's
// decision with her comment (shown as text, never as markup) and no
// decision by alex; the sandbox PSP holds exactly one refund for the charge.
// Screenshots go to --out (the meson log dir).
//
// usage: node reviewer_ui.test.mjs --steadfast BIN --sandbox BIN --source ROOT --out DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CHROMIUM, http, launchBrowser, loadPlaywright, parseArgs, runBrowserTest, seedCharge, signIn, startSandbox, startServe,
  waitForStatus } from './harness.mjs';

const ALEX = { name: 'alex', token: 'alex-token-5d1e9a77c3', roles: 'operator, reviewer' };
const RITA = { name: 'rita', token: 'rita-token-90b4f2e6a8', roles: 'reviewer' };
const INSTANCE = 'wf-ui-refund-1';
const CHARGE = 'ch_ui_1';
const COMMENT = 'Illness documented; <b>ok</b> to refund';
const STEP_TIMEOUT_MS = 20000;

// "78500" minor units of a 2-digit currency -> "785.00 EUR", by string arithmetic (as the page must).
function expectedMoney(minor, currency) {
  const digits = String(minor).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${whole}.${digits.slice(-2)} ${currency}`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CHROMIUM)) throw new Error(CHROMIUM + ' is missing: install the Debian package chromium');
  const { chromium } = await loadPlaywright();
  fs.mkdirSync(args.out, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steadfast-ui-'));
  const children = [];
  let browser = null;
  let profile = null;
  try {
    // The PSP sandbox, with the charge the refund goes back to, and the engine with its HTTP API.
    const { psp } = await startSandbox(dir, args, children);
    await seedCharge(psp, CHARGE, 78500, 'EUR');
    const base = await startServe(dir, args, children, psp, [ALEX, RITA], 'browser-ui-serve.log');

    // alex asks for a refund large enough to be held for a reviewer.
    const input = JSON.parse(fs.readFileSync(path.join(args.source, 'workflows/examples/reservation_large.json'), 'utf8'));
    input.reservation.payment.charge = CHARGE;
    const started = await http(base, 'POST', '/v1/workflows', { token: ALEX.token,
      body: { workflow: 'reservation_refund', id: INSTANCE, input } });
    assert.equal(started.status, 201, 'start: ' + started.text);
    const held = await waitForStatus(base, RITA.token, INSTANCE, 'waiting_approval', STEP_TIMEOUT_MS);
    assert.equal(held.requested_by, 'alex');
    const refund = held.waiting_for.context.refund;
    assert.equal(refund.currency, 'EUR');
    const amountText = expectedMoney(refund.minor, refund.currency);

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'steadfast-chromium-'));
    browser = await launchBrowser(chromium, profile, STEP_TIMEOUT_MS);
    const pageErrors = [];

    // 1. The requester may look but not decide (four-eyes).
    const alexPage = await browser.newPage();
    alexPage.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(alexPage, base, ALEX);
    await alexPage.click(`#held tr[data-id="${INSTANCE}"] a`);
    await alexPage.locator('#decide').waitFor({ state: 'visible' });
    await alexPage.fill('#comment', 'my own refund');
    await alexPage.click('#approve');
    const refusal = alexPage.locator('#decision-error');
    await refusal.waitFor({ state: 'visible' });
    assert.match(await refusal.textContent(), /Four-eyes rule/);
    await alexPage.screenshot({ path: path.join(args.out, 'browser-ui-four-eyes.png'), fullPage: true });

    // 2. The reviewer, in her own tab: the token is kept per tab, so she signs in herself.
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, base, RITA);
    const row = page.locator(`#held tr[data-id="${INSTANCE}"]`);
    await row.waitFor({ state: 'visible' });
    assert.equal((await row.locator('td.amount .money').textContent()).trim(), amountText);
    assert.match(await row.textContent(), /alex/);  // the requester
    assert.match(await row.textContent(), /rental: /);  // a policy breakdown line
    assert.match(await row.locator('td.amount').textContent(), /above the review threshold/);  // why it is held
    await page.screenshot({ path: path.join(args.out, 'browser-ui-queue.png'), fullPage: true });

    await row.locator('a').click();
    await page.locator('#detail').waitFor({ state: 'visible' });
    assert.equal((await page.locator('dd[data-fact="refund"]').textContent()).trim(), amountText);
    // The graph: the approval is where the instance waits; earlier steps completed.
    await page.locator('#graph svg .node.current[data-step="review"][data-state="waiting"]').waitFor();
    await page.locator('#graph svg [data-step="amount"][data-state="completed"]').waitFor();
    assert.ok(await page.locator('#graph svg .node.compensation').count() > 0, 'compensations are drawn');
    // The history timeline.
    await page.locator('#history li[data-type="wait_started"]').waitFor();
    assert.ok(await page.locator('#history li[data-type="workflow_started"]').count() === 1);
    await page.screenshot({ path: path.join(args.out, 'browser-ui-held.png'), fullPage: true });

    await page.fill('#comment', COMMENT);
    await page.click('#approve');
    const ok = page.locator('#decision-ok');
    await ok.waitFor({ state: 'visible' });
    await page.locator('#decision-ok', { hasText: 'is now completed' }).waitFor({ timeout: 30000 });
    // The graph redraws on the page's next refresh: as slow as a loaded runner.
    await page.locator('#graph svg [data-step="review"][data-state="completed"]').waitFor({ timeout: 30000 });
    await page.locator('#graph svg [data-step="end"][data-state="completed"]').waitFor({ timeout: 30000 });
    const decided = page.locator('#history li[data-type="approval_decided"]');
    await decided.waitFor();
    assert.match(await decided.textContent(), /approve by rita: “Illness documented; <b>ok<\/b> to refund”/);
    assert.equal(await page.locator('#history b').count(), 0, 'a comment is text, never markup');
    // The facts stay readable after the decision, with the decision itself.
    assert.equal((await page.locator('dd[data-fact="refund"]').textContent()).trim(), amountText);
    assert.match(await page.locator('dd[data-fact="decision"]').textContent(), /^approve by rita: /);
    await page.screenshot({ path: path.join(args.out, 'browser-ui-approved.png'), fullPage: true });
    // alex's tab still shows the form; deciding now is refused with the decision that closed the step.
    await alexPage.click('#approve');
    await alexPage.locator('#decision-error', { hasText: 'Already decided: approve by rita' }).waitFor();
    assert.match(await alexPage.locator('#decision-error').textContent(), /<b>ok<\/b> to refund/);
    assert.deepEqual(pageErrors, [], 'no script errors on the page');

    // 3. The API agrees.
    const done = await waitForStatus(base, RITA.token, INSTANCE, 'completed', STEP_TIMEOUT_MS);
    assert.equal(done.output.review, 'approve');
    const history = await http(base, 'GET', `/v1/workflows/${INSTANCE}/history?limit=1000`, { token: RITA.token });
    assert.equal(history.status, 200);
    const decisions = history.json.items.filter((e) => e.type === 'approval_decided');
    assert.equal(decisions.length, 1, 'exactly one decision: ' + JSON.stringify(decisions));
    assert.equal(decisions[0].data.principal, 'rita');
    assert.equal(decisions[0].data.decision, 'approve');
    assert.equal(decisions[0].data.comment, COMMENT);
    const stats = await http(psp, 'GET', '/sandbox/stats');
    const byCharge = stats.json.refunds.by_charge[CHARGE];
    assert.equal(byCharge.count, 1, 'one refund at the PSP: ' + stats.text);
    assert.equal(byCharge.amount_refunded, done.output.refund_total.minor);
    console.log(`ok: ${INSTANCE} held for ${amountText}, four-eyes refused alex, rita approved, completed; ` +
      `screenshots in ${args.out}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    for (const c of children.reverse()) await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  }
}

runBrowserTest(main);
