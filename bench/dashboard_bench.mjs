#!/usr/bin/env node
// The dashboard with a large estate: a `gatescope serve` holding N gateway-templated endpoints
// (bench/gen_estate.py: REST access-log lines with distinct resourcePaths over several APIs and
// stages, posted to POST /v1/logs), timed in Debian's chromium and over the API.
//
//   node bench/dashboard_bench.mjs [--endpoints 10000] [--runs 5] [--json]
//
// Browser (medians of --runs, timed in the page): overview rendered (navigation start to the
// stat cards, an API row and the traffic chart drawn), endpoint list's first page (navigation
// start to the API's first 50 rows), search (the last keystroke to the rows being the API's
// `q=` page), next page (click to the API's second page), endpoint detail (click to its title).
// Server (medians of --runs x 5): GET /v1/overview, /v1/endpoints?limit=50, /v1/endpoints?q=...&limit=50,
// each with Node's Accept-Encoding (gzip, deflate) and with chromium's (gzip, deflate, br, zstd).
// Environment as for the e2e tests (web/e2e/harness.mjs): GS_GATESCOPE_BIN, GS_SOURCE_DIR,
// GS_DASHBOARD_DIR (else the binary's embedded dashboard), GS_CHROMIUM.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
process.env.GS_SOURCE_DIR ||= join(HERE, '..');
const H = await import(join(process.env.GS_SOURCE_DIR, 'web', 'e2e', 'harness.mjs'));
const { startServer, launchBrowser, login, byTestId, showsNumber } = H;

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const N = Number(opt('endpoints', 10000));
const RUNS = Number(opt('runs', 5));
const JSON_OUT = argv.includes('--json');
const log = (m) => { if (!JSON_OUT) process.stderr.write(`${m}\n`); else process.stderr.write(`# ${m}\n`); };

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : null; };
const results = {};   // name -> {samples: [ms], error?}
const record = (name, ms) => { (results[name] ||= { samples: [] }).samples.push(ms); };
const fail = (name, e) => { (results[name] ||= { samples: [] }).error = String(e.message || e).split('\n')[0].slice(0, 200); };

// fn may return its own measure (ms from an inner instant: a keystroke, a click).
async function timed(name, fn) {
  try {
    const t0 = performance.now();
    const own = await fn();
    record(name, typeof own === 'number' ? own : performance.now() - t0);
  } catch (e) {
    fail(name, e);
  }
}

const env = await startServer({ datasets: [], log });
let browser;
try {
  // The estate.
  let t0 = Date.now();
  const out = join(env.dir, 'estate');
  const estate = JSON.parse(execFileSync('python3', [join(process.env.GS_SOURCE_DIR, 'bench', 'gen_estate.py'), out,
    '--endpoints', String(N)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  log(`generated ${estate.endpoints} endpoints, ${estate.requests} requests in ${Date.now() - t0} ms`);
  t0 = Date.now();
  for (const f of estate.files) {
    const lines = readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean);
    for (let i = 0; i < lines.length; i += 20000) {   // bodies well under the 8 MiB wire limit
      const r = await fetch(`${env.url}/v1/logs`, { method: 'POST',
        headers: { authorization: `Bearer ${env.ingestToken}`, 'content-encoding': 'gzip' },
        body: gzipSync(lines.slice(i, i + 20000).join('\n') + '\n') });
      const ans = await r.json();
      if (!r.ok) throw new Error(`POST /v1/logs: ${r.status} ${JSON.stringify(ans)}`);
    }
  }
  const ingestMs = Date.now() - t0;
  t0 = Date.now();
  const first = await env.api('/v1/endpoints?limit=50');
  const firstReadMs = Date.now() - t0;
  log(`ingested in ${ingestMs} ms; first GET /v1/endpoints (render) ${firstReadMs} ms; total ${first.total}`);
  if (first.total < N) log(`warning: the server lists ${first.total} endpoints, not ${N}`);

  // Search fragments: resource names present in the estate (one per run).
  const frags = ['invoices', 'webhooks', 'playlists', 'warehouses', 'pipelines', 'campaigns', 'vehicles', 'repositories',
    'subscriptions', 'incidents'].slice(0, Math.max(RUNS, 1));
  while (frags.length < RUNS) frags.push(frags[frags.length % 10]);

  // Server latency.
  const serverCases = [['server GET /v1/overview', () => '/v1/overview'], ['server GET /v1/endpoints?limit=50', () => '/v1/endpoints?limit=50'],
    ['server GET /v1/endpoints?q=&limit=50', (i) => `/v1/endpoints?q=${frags[i % frags.length]}&limit=50`]];
  // Each with the Accept-Encoding Node sends (gzip, deflate) and with chromium's (br offered).
  const encodings = [['', { 'accept-encoding': 'gzip, deflate' }], [' [br offered]', { 'accept-encoding': 'gzip, deflate, br, zstd' }]];
  for (const [name, path] of serverCases) for (const [suffix, headers] of encodings) {
    for (let i = 0; i < RUNS * 5; i++) {
      await timed(name + suffix, async () => {
        const r = await env.apiRaw(path(i), { headers });
        await r.arrayBuffer();
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
      });
    }
  }

  // Browser. Times are taken in the page (performance.now(), polled every animation frame), so
  // the driver's round trips are not counted: navigations from the navigation's start, clicks
  // and keystrokes from the event's dispatch.
  browser = await launchBrowser(env.dir);
  const page = await browser.newPage();
  page.setDefaultTimeout(30000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, env, { expect: null });
  await byTestId(page, 'overview').waitFor({ state: 'visible' });
  let ov = null;
  try { ov = await env.api('/v1/overview'); } catch (e) { log(`no overview from the API: ${e.message}`); }
  const expectEndpoints = ov ? ov.totals.endpoints : first.total;

  // In-page: performance.now() once the rows are exactly `ids` (in order).
  const rowsAre = (ids) => page.waitForFunction((want) => {
    const r = [...document.querySelectorAll('[data-testid="endpoint-row"]')].map((e) => e.getAttribute('data-endpoint-id'));
    return r.length === want.length && r.every((x, i) => x === want[i]) ? performance.now() : false;
  }, ids, { polling: 'raf', timeout: 30000 }).then((h) => h.jsonValue());
  // In-page: arms a listener that notes when the next `type` event (click, keydown) is dispatched.
  const armEvent = (type) => page.evaluate((t) => {
    window.__benchT0 = null;
    document.addEventListener(t, () => { window.__benchT0 ??= performance.now(); }, { capture: true, once: true });
  }, type);
  const eventTime = () => page.evaluate(() => window.__benchT0);

  for (let run = 0; run < RUNS; run++) {
    await timed('browser overview rendered', async () => {
      await page.goto(`${env.url}/`);
      const t = await page.waitForFunction(() => {
        const stat = document.querySelector('[data-testid="stat-endpoints"]');
        const chart = document.querySelector('[data-testid="traffic-chart"]');
        return stat && /\d/.test(stat.textContent) && document.querySelector('[data-testid="api-row"]') &&
          chart && chart.querySelector('canvas, svg') ? performance.now() : false;
      }, null, { polling: 'raf', timeout: 30000 }).then((h) => h.jsonValue());
      const shown = await byTestId(page, 'stat-endpoints').innerText();
      if (!showsNumber(shown, expectEndpoints)) throw new Error(`stat-endpoints shows ${JSON.stringify(shown)}, expected ${expectEndpoints}`);
      return t;
    });

    const p1 = await env.api('/v1/endpoints?limit=50');
    const ids1 = p1.endpoints.map((e) => e.id);
    await timed('browser endpoint list first page', async () => {
      await page.goto(`${env.url}/endpoints`);
      const t = await rowsAre(ids1);
      const shown = await byTestId(page, 'total-count').innerText();
      if (!showsNumber(shown, p1.total)) throw new Error(`total-count shows ${JSON.stringify(shown)}, expected ${p1.total}`);
      return t;
    });

    const frag = frags[run];
    const q = await env.api(`/v1/endpoints?q=${frag}&limit=50`);
    await timed('browser search (keystroke to rows)', async () => {
      const box = byTestId(page, 'endpoint-search');
      await box.click();
      await box.pressSequentially(frag.slice(0, -1), { delay: 5 });
      await armEvent('keydown');
      await box.press(frag.slice(-1));
      const t = await rowsAre(q.endpoints.map((e) => e.id));
      return t - await eventTime();
    });

    await timed('browser next page', async () => {
      await page.goto(`${env.url}/endpoints`);
      await rowsAre(ids1);
      const p2 = await env.api(`/v1/endpoints?limit=50&cursor=${encodeURIComponent(p1.next_cursor)}`);
      await armEvent('click');
      await byTestId(page, 'next-page').click();
      const t = await rowsAre(p2.endpoints.map((e) => e.id));
      return t - await eventTime();
    });

    await timed('browser endpoint detail (click to title)', async () => {
      const row = page.locator('[data-testid="endpoint-row"]').nth((run * 7) % 50);
      const id = await row.getAttribute('data-endpoint-id');
      const e = await env.api(`/v1/endpoints/${id}`);
      await armEvent('click');
      await row.locator('[data-testid="endpoint-link"]').first().click();
      const t = await page.waitForFunction((want) => {
        const el = document.querySelector('[data-testid="endpoint-title"]');
        return el && el.textContent.includes(want) ? performance.now() : false;
      }, e.path, { polling: 'raf', timeout: 30000 }).then((h) => h.jsonValue());
      return t - await eventTime();
    });
  }
  if (errors.length) log(`page errors: ${errors.slice(0, 3).join(' | ')}`);

  const rows = Object.entries(results).map(([name, r]) => ({
    name, runs: r.samples.length, median_ms: r.samples.length ? Math.round(median(r.samples) * 10) / 10 : null,
    min_ms: r.samples.length ? Math.round(Math.min(...r.samples) * 10) / 10 : null,
    max_ms: r.samples.length ? Math.round(Math.max(...r.samples) * 10) / 10 : null, error: r.error || null,
  }));
  const report = { endpoints_requested: N, endpoints_listed: first.total, requests: estate.requests, runs: RUNS,
    ingest_ms: ingestMs, first_read_ms: firstReadMs, results: rows };
  if (JSON_OUT) {
    process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  } else {
    console.log(`\ndashboard bench: ${first.total} endpoints (${estate.requests} requests), ${RUNS} runs; ingest ${ingestMs} ms, first read ${firstReadMs} ms`);
    console.log(`${'measure'.padEnd(52)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}  n`);
    for (const r of rows) {
      if (r.median_ms === null) console.log(`${r.name.padEnd(52)} ${'-'.padStart(9)} ${''.padStart(9)} ${''.padStart(9)}  0  ${r.error}`);
      else console.log(`${r.name.padEnd(52)} ${r.median_ms.toFixed(1).padStart(9)} ${r.min_ms.toFixed(1).padStart(9)} ${r.max_ms.toFixed(1).padStart(9)}  ${r.runs}${r.error ? `  (also failed: ${r.error})` : ''}`);
    }
  }
} finally {
  if (browser) await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10000))]);
  await env.stop();
}

