// Shared harness of the dashboard's end-to-end tests (run by `node --test web/e2e/`).
//
// One environment per test file: a temp dir, a read client and an ingest client
// (`gatescope auth add-client`), `gatescope serve` on a free loopback port with SQLite in the
// temp dir, traffic generated from real OpenAPI specs (bench/accuracy/traffic_from_spec.py)
// posted to POST /v1/logs, and a headless chromium (Debian's, never a downloaded one).
// Everything is stopped at the end even on failure; every wait is bounded.
//
// Environment (CTest sets these):
//   GS_GATESCOPE_BIN   the gatescope binary (default /tmp/gs-bin/gatescope)
//   GS_SOURCE_DIR      the repository root (default: two levels above this file)
//   GS_E2E_ARTIFACTS   where failures leave screenshots and console logs (default web/e2e-artifacts)
//   GS_DASHBOARD_DIR   when set, served with --dashboard-dir (else the binary's embedded dashboard)
//   GS_CHROMIUM        chromium executable (default /usr/bin/chromium)
//   GS_E2E_KEEP        keep the temp dir (debugging)
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

export const SOURCE_DIR = resolve(process.env.GS_SOURCE_DIR || join(HERE, '..', '..'));
export const GATESCOPE_BIN = process.env.GS_GATESCOPE_BIN || '/tmp/gs-bin/gatescope';
export const ARTIFACTS = resolve(SOURCE_DIR, process.env.GS_E2E_ARTIFACTS || join('web', 'e2e-artifacts'));
export const CHROMIUM = process.env.GS_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const HOUR = 3600000;
const DAY = 24 * HOUR;

/** playwright-core from web/node_modules (resolved relative to the source dir, so the tests run from anywhere). */
export async function loadPlaywright() {
  const candidates = [join(SOURCE_DIR, 'web', 'node_modules', 'playwright-core', 'index.mjs'),
    join(HERE, '..', 'node_modules', 'playwright-core', 'index.mjs')];
  for (const c of candidates) if (existsSync(c)) return import(c);
  return import('playwright-core');
}

/** Polls `fn` until it returns a truthy value (returned) or `timeout` ms pass (throws, with the last value or error).
 *  An error with `fatal` set stops the wait at once. */
export async function waitFor(fn, { timeout = 10000, interval = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last, lastErr;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e && e.fatal) throw e;
      lastErr = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}` +
        (lastErr ? `: ${lastErr.message}` : `; last value ${JSON.stringify(last)}`));
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Whether `text` shows the count `n`: as an integer, or in a compact form (`10.2k`, `1.1M`) that rounds to it. */
export function showsNumber(text, n) {
  if (integersIn(text).includes(n)) return true;
  for (const m of String(text).matchAll(/(\d+(?:[.,]\d+)?)\s*([kKmM])\b/g)) {
    const v = Number(m[1].replace(',', '.')) * (/k/i.test(m[2]) ? 1e3 : 1e6);
    const digits = m[1].replace(/\D/g, '').length;
    if (Math.abs(v - n) <= 0.5 * (/k/i.test(m[2]) ? 1e3 : 1e6) * 10 ** -(digits - m[1].split(/[.,]/)[0].length)) return true;
  }
  return false;
}

/** Every integer written in `text`, thousands separators (`,` `.` thin/no-break spaces between digit groups) removed. */
export function integersIn(text) {
  const out = [];
  for (const m of String(text).matchAll(/\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d+/g)) {
    out.push(Number(m[0].replace(/[^\d]/g, '')));
  }
  return out;
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

async function run(cmd, args, opts = {}) {
  const { stdout } = await withTimeout(execFileP(cmd, args, { maxBuffer: 64 << 20, ...opts }), opts.timeout || 60000, `${cmd} ${args[0]}`);
  return stdout;
}

/** Access-log lines wrapped as CloudWatch subscription payloads, so that one POST /v1/logs body
 *  carries both the access and the execution logs of a REST stage and the server joins them. */
export function accessLinesAsPayloads(text, owner = '123456789012', perPayload = 500) {
  const lines = text.split('\n').filter((l) => l.trim());
  if (!lines.length) return '';
  const first = JSON.parse(lines[0]);
  const group = `API-Gateway-Access-Logs_${first.apiId}/${first.stage}`;
  let out = '';
  for (let i = 0; i < lines.length; i += perPayload) {
    const logEvents = lines.slice(i, i + perPayload).map((l, j) => {
      const ts = Number(JSON.parse(l).requestTimeEpoch) || Date.now();
      return { id: String(BigInt(ts) * 1000000n + BigInt(i + j)), timestamp: ts, message: l };
    });
    out += JSON.stringify({ messageType: 'DATA_MESSAGE', owner, logGroup: group, logStream: `access-${i / perPayload}`,
      subscriptionFilters: ['gatescope-e2e'], logEvents }) + '\n';
  }
  return out;
}

/** The traffic every e2e environment loads, placed relative to now. */
export function defaultDatasets(now = Date.now()) {
  return [
    // crAPI behind ANY /{proxy+}: inferred templates with evidence, bodies with sensitive data, auth headers; the last day.
    { name: 'crapi', spec: 'crapi.json', mode: 'proxy', requests: 1500, dayStart: now - 25 * HOUR },
    // Discourse with one resource per template, 40 days ago: possible zombies.
    { name: 'discourse', spec: 'discourse.json', mode: 'templated', requests: 1200, dayStart: now - 41 * DAY },
    // RealWorld on an HTTP API's $default route, a few days ago: access logs only.
    { name: 'realworld', spec: 'realworld-conduit.json', mode: 'http-default', requests: 800, dayStart: now - 4 * DAY },
  ];
}

/**
 * Starts a server with its clients and loads traffic. Returns the environment:
 * { dir, url, reader: {id, secret}, ingest: {id, secret}, readToken, api(path), apiRaw(path, init), stop() }.
 */
export async function startServer({ datasets = defaultDatasets(), extraArgs = [], log = () => {}, requireDashboard = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gs-e2e-'));
  const env = { dir, proc: null, url: null };
  env.stop = async () => {
    if (env.proc && env.proc.exitCode === null && env.proc.signalCode === null) {
      const exited = new Promise((r) => env.proc.once('exit', r));
      env.proc.kill('SIGTERM');
      const ok = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
      if (!ok) { env.proc.kill('SIGKILL'); await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]); }
    }
    if (!process.env.GS_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!existsSync(GATESCOPE_BIN)) throw new Error(`no gatescope binary at ${GATESCOPE_BIN} (set GS_GATESCOPE_BIN)`);
    const addClient = async (id, scope) => {
      const out = JSON.parse(await run(GATESCOPE_BIN, ['auth', 'add-client', '--id', id, '--scope', scope], { timeout: 20000 }));
      return { id, secret: out.client_secret, entry: out.client };
    };
    // Traffic generation (python) runs while the clients are made and the server starts.
    const generated = generate(dir, datasets);
    const [reader, ingest] = await Promise.all([addClient('e2e-reader', 'inventory:read'), addClient('e2e-ingest', 'inventory:ingest')]);
    env.reader = reader;
    env.ingest = ingest;
    writeFileSync(join(dir, 'clients.json'), JSON.stringify({ clients: [reader.entry, ingest.entry] }));
    const noAuth = extraArgs.includes('--no-auth');
    const args = ['serve', '--listen', '127.0.0.1:0', '--port-file', join(dir, 'port'), '--store', `sqlite:${join(dir, 'inv.db')}`,
      ...(noAuth ? [] : ['--clients', join(dir, 'clients.json')]), '--render-interval-ms', '0', ...extraArgs];
    if (process.env.GS_DASHBOARD_DIR) args.push('--dashboard-dir', resolve(process.env.GS_DASHBOARD_DIR));
    env.serverLog = '';
    env.proc = spawn(GATESCOPE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keepLog = (d) => { env.serverLog = (env.serverLog + d).slice(-20000); };
    env.proc.stdout.on('data', keepLog);
    env.proc.stderr.on('data', keepLog);
    const port = await waitFor(() => {
      if (env.proc.exitCode !== null) {
        throw Object.assign(new Error(`gatescope serve exited ${env.proc.exitCode}: ${env.serverLog}`), { fatal: true });
      }
      const p = existsSync(join(dir, 'port')) && readFileSync(join(dir, 'port'), 'utf8').trim();
      return p && Number(p) > 0 ? Number(p) : null;
    }, { timeout: 15000, what: 'the port file' });
    env.url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${env.url}/readyz`)).ok, { timeout: 15000, what: '/readyz' });
    if (requireDashboard) {
      // Fail at once (not test by test) when the server has no dashboard to serve.
      const r = await fetch(`${env.url}/`);
      const text = await r.text();
      if (!r.ok || !/<html/i.test(text)) {
        throw new Error(`GET / answers ${r.status} ${text.slice(0, 200)}: the server serves no dashboard ` +
          `(set GS_DASHBOARD_DIR to a built web/dist, or use a binary built with the dashboard)`);
      }
    }

    const token = async (c, scope) => {
      const r = await fetch(`${env.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: 'Basic ' + Buffer.from(`${c.id}:${c.secret}`).toString('base64'),
          'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&scope=${encodeURIComponent(scope)}`,
      });
      if (!r.ok) throw new Error(`token for ${c.id}: HTTP ${r.status} ${await r.text()}`);
      return (await r.json()).access_token;
    };
    // Under --no-auth no token is needed (nor given).
    const tokenOrNone = (c, scope) => (noAuth ? token(c, scope).catch(() => '') : token(c, scope));
    env.readToken = await tokenOrNone(reader, 'inventory:read');
    env.ingestToken = await tokenOrNone(ingest, 'inventory:ingest');
    const bearer = (t) => (t ? { authorization: `Bearer ${t}` } : {});
    env.apiRaw = (path, init = {}) => fetch(env.url + path, { ...init, headers: { ...bearer(env.readToken), ...(init.headers || {}) } });
    env.api = async (path) => {
      const r = await env.apiRaw(path);
      if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${(await r.text()).slice(0, 300)}`);
      return r.json();
    };

    env.loaded = [];
    for (const body of await generated) {
      const t0 = Date.now();
      const r = await fetch(`${env.url}/v1/logs`, {
        method: 'POST',
        headers: { ...bearer(env.ingestToken), 'content-encoding': 'gzip', 'content-type': 'application/x-ndjson' },
        body: gzipSync(body.text),
      });
      const ans = await r.json().catch(() => ({}));
      if (!r.ok || !(ans.accepted > 0)) throw new Error(`POST /v1/logs (${body.name}): HTTP ${r.status} ${JSON.stringify(ans).slice(0, 300)}`);
      env.loaded.push({ name: body.name, accepted: ans.accepted });
      log(`loaded ${body.name}: ${ans.accepted} accepted in ${Date.now() - t0} ms`);
    }
    return env;
  } catch (e) {
    await env.stop();
    throw e;
  }
}

/** Generates the datasets in parallel; resolves to [{name, text}] bodies for POST /v1/logs. */
async function generate(dir, datasets) {
  const script = join(SOURCE_DIR, 'bench', 'accuracy', 'traffic_from_spec.py');
  return Promise.all(datasets.map(async (d) => {
    const out = join(dir, 'traffic', d.name);
    await run('python3', [script, join(SOURCE_DIR, 'bench', 'accuracy', 'specs', d.spec), out, '--mode', d.mode,
      '--requests', String(d.requests), '--seed', String(d.seed || 1), '--jobs', '1', '--day-start-ms', String(Math.round(d.dayStart))],
    { timeout: 60000 });
    const access = readFileSync(join(out, 'access.log'), 'utf8');
    const execPath = join(out, 'execution.ndjson');
    // REST modes: access lines as payloads next to the execution payloads (one body: joined);
    // http-default: the plain access-log lines.
    const text = existsSync(execPath) ? accessLinesAsPayloads(access) + readFileSync(execPath, 'utf8') : access;
    return { name: d.name, text };
  }));
}

/** Every endpoint summary of GET /v1/endpoints (all pages), with `query` added (e.g. "&method=GET"). */
export async function allEndpoints(env, query = '') {
  const out = [];
  let cursor = '';
  for (let i = 0; i < 1000; i++) {
    const page = await env.api(`/v1/endpoints?limit=500${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.endpoints);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

/** Launches Debian's chromium (headless, fresh user-data dir under `dir`). Returns a persistent context. */
export async function launchBrowser(dir) {
  const { chromium } = await loadPlaywright();
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium, or set GS_CHROMIUM)`);
  const profile = mkdtempSync(join(dir, 'chromium-'));
  return withTimeout(chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true,
    viewport: { width: 1400, height: 900 }, timeout: 30000,
  }), 40000, 'chromium launch');
}

function safeName(name) {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'test';
}

/**
 * Runs `body({page, console})` in a fresh page. The page's console messages and page errors are
 * collected; on failure a full-page screenshot and the console log go to
 * GS_E2E_ARTIFACTS/<test-name>.png / .console.txt (nothing is written on success).
 */
export async function inPage(context, testName, body) {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.setDefaultNavigationTimeout(15000);
  const log = [];
  const errors = [];
  page.on('console', (m) => {
    const where = m.location()?.url ? ` (${m.location().url})` : '';
    log.push(`[${m.type()}] ${m.text()}${where}`);
    if (m.type() === 'error') errors.push(`${m.text()}${where}`);
  });
  page.on('pageerror', (e) => { log.push(`[pageerror] ${e.message}`); errors.push(`pageerror: ${e.message}`); });
  page.on('response', (r) => { if (r.status() >= 400) log.push(`[response] ${r.status()} ${r.request().method()} ${r.url()}`); });
  page.on('requestfailed', (r) => log.push(`[requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText || ''}`));
  const base = join(ARTIFACTS, safeName(testName));
  rmSync(`${base}.png`, { force: true });           // a stale failure of an earlier run
  rmSync(`${base}.console.txt`, { force: true });
  try {
    await body({ page, log, errors });
  } catch (e) {
    try {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(`${base}.console.txt`, `url: ${page.url()}\nerror: ${e && e.stack}\n\n${log.join('\n')}\n`);
      await withTimeout(page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 10000 }), 12000, 'screenshot');
    } catch (shotErr) {
      e.message += ` (and the failure screenshot failed: ${shotErr.message})`;
    }
    throw e;
  } finally {
    await withTimeout(page.close(), 5000, 'page close').catch(() => {});
  }
}

/** For tests without a page: on failure the error goes to GS_E2E_ARTIFACTS/<test-name>.console.txt. */
export async function withArtifacts(testName, body) {
  const base = join(ARTIFACTS, safeName(testName));
  rmSync(`${base}.console.txt`, { force: true });
  try {
    await body();
  } catch (e) {
    try {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(`${base}.console.txt`, `error: ${e && e.stack}\n`);
    } catch { /* the failure itself is what matters */ }
    throw e;
  }
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** Logs in through the login page (reader client); waits for the page `next` leads to. */
export async function login(page, env, { next = '/', expect = 'overview' } = {}) {
  await page.goto(`${env.url}/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`);
  await byTestId(page, 'login-form').waitFor({ state: 'visible' });
  await byTestId(page, 'login-client-id').fill(env.reader.id);
  await byTestId(page, 'login-client-secret').fill(env.reader.secret);
  await byTestId(page, 'login-submit').click();
  if (expect) await byTestId(page, expect).first().waitFor({ state: 'visible' });
}

/** Sets a filter control whatever it is (a <select>, or an input). */
export async function setControl(locator, value) {
  const tag = await locator.evaluate((el) => el.tagName);
  if (tag === 'SELECT') await locator.selectOption(value);
  else await locator.fill(value);
}

/** data-endpoint-id of the rendered endpoint rows, in order. */
export async function rowIds(page) {
  return page.locator('[data-testid="endpoint-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-endpoint-id')));
}

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
