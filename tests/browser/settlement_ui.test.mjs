// The claims and settlement views (/ui/#/claims) end to end in a real browser.
//
// Starts the real steadfast-sandbox (PSP) and a real `steadfast serve` (temp
// SQLite file, loopback, port 0) with two principals: rita (reviewer) and
// ana (admin). Over the API, a reservation (r-2002) is settled with its host
// payout refused by the PSP (a closed account), and a host's two-item claim
// against another reservation (r-3001) waits for its review. Then, in
// headless Debian Chromium driven by playwright-core:
//   1. rita opens Claims & settlement: the claim is listed; its view shows
//      both items, the host's message (as text, never markup) and the
//      settlement preview; r-2002's transactions show the snapshot and the
//      failed payout, with no Execute button for her (read-only note shown);
//   2. ana opens the same transactions, executes the failed payout with a
//      reason and a new account: the page says the PSP completed it, and
//      the row shows completed, executed by ana.
// Then the API must agree: the payout completed, executed_by ana; the
// sandbox holds exactly one transfer to the new account.
// Screenshots go to --out (the meson log dir).
//
// usage: node settlement_ui.test.mjs --steadfast BIN --sandbox BIN --source ROOT --out DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CHROMIUM, http, launchBrowser, loadPlaywright, parseArgs, runBrowserTest, seedCharge, signIn, startSandbox,
  startServe, waitForStatus } from './harness.mjs';

const RITA = { name: 'rita', token: 'rita-token-2e81c0d7f5', roles: 'reviewer' };
const ANA = { name: 'ana', token: 'ana-token-b7d94a3e16', roles: 'admin' };
const PAID = 27000;  // workflows/examples/settlement.json: 210 + 30 - 20 + 22 + 28 EUR
const MESSAGE = 'photos of the <b>lamp</b> attached';
const STEP_TIMEOUT_MS = 20000;

function example(source, reservation, charge, account) {
  const input = JSON.parse(fs.readFileSync(path.join(source, 'workflows/examples/settlement.json'), 'utf8'));
  input.reservation.id = reservation;
  input.reservation.payment.charge = charge;
  input.reservation.host.account = account;
  input.cancel_at = '2026-12-13T09:30:00+01:00';
  return input;
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
    const { psp } = await startSandbox(dir, args, children);
    await seedCharge(psp, 'ch_r2002', PAID, 'EUR');
    await seedCharge(psp, 'ch_r3001', PAID, 'EUR');
    const base = await startServe(dir, args, children, psp, [RITA, ANA], 'settlement-ui-serve.log');

    // r-2002 settled; the PSP refuses the host payout (a closed account).
    const settle = example(args.source, 'r-2002', 'ch_r2002', 'acct_closed_h9');
    let r = await http(base, 'POST', '/v1/workflows', { token: ANA.token,
      body: { workflow: 'reservation_settlement', id: 'wf-ui-s2', input: settle } });
    assert.equal(r.status, 201, 'start settlement: ' + r.text);
    await waitForStatus(base, ANA.token, 'wf-ui-s2', 'completed', STEP_TIMEOUT_MS);
    // r-3001: a host's claim waiting for its review.
    const claim = example(args.source, 'r-3001', 'ch_r3001', 'acct_host5');
    delete claim.reason;
    claim.requested_by = 'host-3';
    claim.opened_by = 'host-3';
    claim.items = [{ id: 'lamp', description: 'broken floor lamp', amount: '80.00 EUR' },
      { id: 'cleaning', description: 'extra cleaning', amount: '40.00 EUR' }];
    claim.messages = [{ author: 'host-3', text: MESSAGE }];
    r = await http(base, 'POST', '/v1/workflows', { token: ANA.token,
      body: { workflow: 'claim_settlement', id: 'wf-ui-c1', input: claim } });
    assert.equal(r.status, 201, 'start claim: ' + r.text);
    await waitForStatus(base, ANA.token, 'wf-ui-c1', 'waiting_approval', STEP_TIMEOUT_MS);
    const txns = await http(base, 'GET', '/v1/plugins/refund/transactions?reservation=r-2002&kind=hostpayout',
      { token: ANA.token });
    assert.equal(txns.status, 200, txns.text);
    const payout = txns.json.transactions[0];
    assert.equal(payout.status, 'failed', txns.text);

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'steadfast-chromium-'));
    browser = await launchBrowser(chromium, profile, STEP_TIMEOUT_MS);
    const pageErrors = [];

    // 1. The reviewer reads the claim and the transactions.
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, base, RITA);
    await page.click('#tab-claims');
    const claimRow = page.locator('#claims-list tbody tr', { hasText: 'r-3001' });
    await claimRow.waitFor({ state: 'visible' });
    assert.match(await claimRow.textContent(), /open/);
    assert.match(await claimRow.textContent(), /120\.00 EUR/);
    await page.screenshot({ path: path.join(args.out, 'settlement-ui-claims.png'), fullPage: true });
    await claimRow.locator('a').first().click();
    await page.locator('#claim').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#claim-items tbody tr').count(), 2);
    assert.match(await page.locator('#claim-items tr[data-item="lamp"]').textContent(), /broken floor lamp.*80\.00 EUR/);
    const message = page.locator('#claim-messages li');
    assert.equal(await message.count(), 1);
    assert.match(await message.textContent(), /host-3/);
    assert.match(await message.textContent(), /photos of the <b>lamp<\/b> attached/);
    assert.equal(await page.locator('#claim-messages b').count(), 0, 'a message is text, never markup');
    assert.match(await page.locator('#claim-basis').textContent(), /preview, if approved as asked/);
    const claimPayout = page.locator('#claim-settlement tr[data-line="claim_payout"]');
    await claimPayout.waitFor();
    assert.match(await claimPayout.textContent(), /Claim payout\s*[0-9,]+\.[0-9]{2} EUR/);
    await page.screenshot({ path: path.join(args.out, 'settlement-ui-claim.png'), fullPage: true });

    await page.click('#tab-claims');
    await page.fill('#t-reservation', 'r-2002');
    await page.click('#txns-open button[type=submit]');
    await page.locator('#txns').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#txns-list tbody tr').count(), 3);
    assert.equal(await page.locator('#snapshots tbody tr').count(), 1);
    assert.match(await page.locator('#snapshots tbody tr').textContent(), /270\.00 EUR/);
    const failedRow = page.locator(`#txns-list tr[data-id="${payout.id}"]`);
    assert.match(await failedRow.textContent(), /failed/);
    assert.match(await failedRow.textContent(), /account_closed/);
    assert.equal(await page.locator('#txns-list [data-execute]').count(), 0, 'no Execute for a reviewer');
    await page.locator('#txns-readonly').waitFor({ state: 'visible' });
    await page.screenshot({ path: path.join(args.out, 'settlement-ui-transactions-reviewer.png'), fullPage: true });

    // 2. The admin executes the failed payout to the host's new account.
    const admin = await browser.newPage();
    admin.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(admin, base, ANA);
    await admin.goto(base + '/ui/#/reservation/r-2002');
    const execute = admin.locator(`#txns-list [data-execute="${payout.id}"]`);
    await execute.waitFor({ state: 'visible' });
    assert.equal(await admin.locator('#txns-list [data-execute]').count(), 1, 'only the failed payout is executable');
    await execute.click();
    await admin.locator('#execute').waitFor({ state: 'visible' });
    await admin.locator('#execute-destination-box').waitFor({ state: 'visible' });
    await admin.fill('#execute-reason', 'host gave a new account');
    await admin.fill('#execute-destination', 'acct_host9');
    await admin.click('#execute-confirm');
    await admin.locator('#txns-ok', { hasText: 'completed by the PSP' }).waitFor();
    const doneRow = admin.locator(`#txns-list tr[data-id="${payout.id}"]`);
    await admin.locator(`#txns-list tr[data-id="${payout.id}"] .status-completed`).waitFor();
    assert.match(await doneRow.textContent(), /ana/);
    assert.equal(await admin.locator('#txns-list [data-execute]').count(), 0, 'nothing left to execute');
    await admin.screenshot({ path: path.join(args.out, 'settlement-ui-executed.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'no script errors on the page');

    // 3. The API and the PSP agree.
    const after = await http(base, 'GET', '/v1/plugins/refund/transactions?reservation=r-2002&kind=hostpayout',
      { token: RITA.token });
    assert.equal(after.json.transactions[0].status, 'completed', after.text);
    assert.equal(after.json.transactions[0].executed_by, 'ana', after.text);
    const stats = await http(psp, 'GET', '/sandbox/stats');
    const to = stats.json.transfers.by_destination.acct_host9;
    assert.equal(to && to.count, 1, 'one transfer to the new account: ' + stats.text);
    console.log(`ok: claim and transactions shown to rita read-only; ana executed ${payout.id} once; ` +
      `screenshots in ${args.out}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    for (const c of children.reverse()) await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  }
}

runBrowserTest(main);
