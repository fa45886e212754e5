// What the browser tests share: their arguments, the real processes they
// start (the sandbox PSP, `steadfast serve` with a config naming its
// principals), plain HTTP calls to the API, and the browser itself.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
// --disable-dev-shm-usage: shared memory in /tmp, not /dev/shm, which a
// container may cap at 64 MB (a full /dev/shm kills the browser).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
export const PSP_SECRET = 'sk_test_browser_0123456789';

export const sha256 = (s) => createHash('sha256').update(s).digest('hex');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// usage: node TEST.mjs --steadfast BIN --sandbox BIN --source ROOT --out DIR
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error('bad argument ' + argv[i]);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['steadfast', 'sandbox', 'source', 'out']) {
    if (!out[k]) throw new Error('missing --' + k);
  }
  return out;
}

export async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new Error('playwright-core is not installed in tests/browser/node_modules (' + e.message + '). ' +
      'Run `npm ci --prefix tests/browser` (tools/setup.sh does it).');
  }
}

// A child process whose output is kept (for the failure message) and
// searched for its "listening on" line.
export class Child {
  constructor(name, cmd, args, env, logFile) {
    this.name = name;
    this.output = '';
    this.log = fs.createWriteStream(logFile);
    this.proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.proc.stdout, this.proc.stderr]) {
      s.on('data', (d) => {
        this.output += d.toString();
        this.log.write(d);
      });
    }
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  async waitFor(regex, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = this.output.match(regex);
      if (m) return m;
      if (this.proc.exitCode !== null) break;
      await sleep(25);
    }
    throw new Error(`${this.name} did not print ${regex}; output:\n${this.output}`);
  }

  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    // A cleared timer, so a quick exit does not keep node waiting for it.
    let timer;
    const done = await Promise.race([this.exited,
      new Promise((resolve) => { timer = setTimeout(() => resolve(null), 10000); })]);
    clearTimeout(timer);
    if (!done) this.proc.kill('SIGKILL');
  }
}

export async function http(base, method, p, { token, body, headers } = {}) {
  const h = { ...(headers || {}) };
  if (token) h.Authorization = 'Bearer ' + token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch (e) {
    json = null;
  }
  return { status: res.status, json, text };
}

export async function waitForStatus(base, token, id, want, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    const r = await http(base, 'GET', '/v1/workflows/' + id, { token });
    last = r.json;
    if (r.status === 200 && r.json.status === want) return r.json;
    if (r.status === 200 && want !== 'paused' && ['completed', 'failed', 'compensated', 'cancelled'].includes(r.json.status)) break;
    await sleep(100);
  }
  throw new Error(`instance ${id} did not reach ${want}; last: ${JSON.stringify(last)}`);
}

// The sandbox PSP on a free loopback port; returns the child and its base URL.
export async function startSandbox(dir, args, children) {
  const sandbox = new Child('sandbox', args.sandbox, ['--port', '0', '--db', path.join(dir, 'sandbox.db'),
    '--secret-key', PSP_SECRET, '--seed', '7'], {}, path.join(dir, 'sandbox.log'));
  children.push(sandbox);
  const psp = 'http://127.0.0.1:' + (await sandbox.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 15000))[1];
  return { sandbox, psp };
}

// Seeds a charge the refunds go back to.
export async function seedCharge(psp, id, amount, currency) {
  const r = await http(psp, 'POST', '/sandbox/charges', { body: { id, amount, currency },
    headers: { 'Idempotency-Key': 'seed-' + id } });
  if (r.status >= 300) throw new Error('seeding the charge ' + id + ': ' + r.text);
}

// `steadfast serve` on the project's workflows and refund config, with the
// HTTP API on a free loopback port and one token per principal
// ({name, token, roles: 'operator, reviewer'}); returns its base URL.
// options: workflowsDir (default: the project's workflows/), pspOptions
// (more `psp:` settings, e.g. ', breaker_failures: 1000').
export async function startServe(dir, args, children, psp, principals, logName, options = {}) {
  const src = args.source;
  const workflowsDir = options.workflowsDir || `${src}/workflows`;
  const tokenLine = (p) => `    - { name: ${p.name}, sha256: ${sha256(p.token)}, roles: [${p.roles}] }\n`;
  const config = path.join(dir, 'steadfast.yaml');
  fs.writeFileSync(config,
    `database: ${path.join(dir, 'engine.db')}\nworkflows_dir: ${workflowsDir}\nworkers: 2\n` +
    'node_name: uitest\npoll_interval: 50ms\nlog_level: info\n' +
    `plugin_config:\n  refund:\n    policies: ${src}/config/refund_policies.yaml\n` +
    `    risk_rules: ${src}/config/risk_rules.yaml\n` +
    `    psp: { base_url: "${psp}", timeout: 10s, settle_wait: 2s, breaker_open: 1s${options.pspOptions || ''} }\n` +
    `    inventory_url: "${psp}"\n    notification_url: "${psp}"\n` +
    'http:\n  listen: 127.0.0.1:0\n  tokens:\n' + principals.map(tokenLine).join(''));
  const serve = new Child('steadfast serve', args.steadfast, ['serve', '--config', config],
    { STEADFAST_PSP_SECRET_KEY: PSP_SECRET }, path.join(args.out, logName));
  children.push(serve);
  return (await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30000))[1];
}

// What the browser itself said (its stderr, Playwright's launch log) and
// what happened to its pages: printed when the browser dies under a test.
const browserLog = [];
const BROWSER_LOG_LINES = 60;
function noteBrowser(line) {
  browserLog.push(`${new Date().toISOString()} ${line}`);
  if (browserLog.length > BROWSER_LOG_LINES) browserLog.shift();
}

// Headless Debian Chromium in a throwaway profile.
export async function launchBrowser(chromium, profile, timeoutMs) {
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1360, height: 1000 },
    logger: { isEnabled: (name) => name === 'browser', log: (name, severity, message) => noteBrowser(String(message)) },
  });
  browser.setDefaultTimeout(timeoutMs);
  browser.on('close', () => noteBrowser('browser context closed'));
  const watch = (page) => {
    page.on('crash', () => noteBrowser(`page crashed: ${page.url()}`));
    page.on('close', () => noteBrowser(`page closed: ${page.url()}`));
  };
  browser.pages().forEach(watch);
  browser.on('page', watch);
  return browser;
}

// The browser (or a page's renderer) died under the test, rather than the
// page failing a check: Playwright's errors for a closed or crashed target.
function browserDied(e) {
  const text = String(e && (e.stack || e.message || e));
  return (e && e.name === 'TargetClosedError') || /Target page, context or browser has been closed|Target crashed/.test(text);
}

// Runs a browser test's main() and exits 1 if it fails. A browser that dies
// under the test (not a failed check, not a timeout) is reported with its
// log, and the whole test runs once more from the start: Chromium killed by
// its environment says nothing about the page. A second death fails.
export async function runBrowserTest(main) {
  for (let run = 1; ; run++) {
    try {
      await main();
      return;
    } catch (e) {
      console.error('FAIL: ' + (e && e.stack ? e.stack : e));
      if (browserDied(e)) console.error('the browser died; its last words:\n  ' + browserLog.join('\n  '));
      if (run === 1 && browserDied(e)) {
        console.error('running the whole test once more, from the start');
        browserLog.length = 0;
        continue;
      }
      process.exit(1);
    }
  }
}

// Opens /ui/ and signs in with the principal's token; `landing` is the
// section that must show afterwards.
export async function signIn(page, base, who, landing) {
  await page.goto(base + '/ui/');
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.fill('#token', who.token);
  await page.click('#login-form button[type=submit]');
  await page.locator(landing || '#queue').waitFor({ state: 'visible' });
}
