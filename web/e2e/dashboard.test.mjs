// End-to-end tests of the dashboard: a real `gatescope serve` with generated traffic, driven in
// Debian's chromium. Elements are found by `data-testid` and URLs only (docs/specs/dashboard.md);
// every expected value comes from the server's own API, never a hard-coded number.
//
//   node --test web/e2e/            (environment: see harness.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startServer, launchBrowser, inPage, login, byTestId, waitFor, integersIn, showsNumber, setControl, rowIds,
  allEndpoints, withArtifacts, CSP,
} from './harness.mjs';

const DAY = 86400000;
const T = { timeout: 30000 };

let env;        // the server (harness.startServer)
let browser;    // the persistent chromium context
let all = [];   // every endpoint summary from GET /v1/endpoints
let byId = new Map();

before(async () => {
  const t0 = Date.now();
  env = await startServer({ log: (m) => process.stderr.write(`# ${m}\n`) });
  browser = await launchBrowser(env.dir);
  all = await allEndpoints(env);
  byId = new Map(all.map((e) => [e.id, e]));
  process.stderr.write(`# environment ready in ${Date.now() - t0} ms: ${env.url}, ${all.length} endpoints\n`);
}, { timeout: 90000 });

after(async () => {
  try { if (browser) await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10000))]); } finally {
    if (env) await env.stop();
  }
}, { timeout: 30000 });

/** One test: `body(page, ctx)` in a fresh page, with a screenshot and console log on failure. */
function e2e(name, body, opts = T) {
  test(name, opts, () => inPage(browser, name, (ctx) => body(ctx.page, ctx)));
}

/** One test without a page (HTTP only): the error is written to the artifacts on failure. */
function httpTest(name, body, opts = T) {
  test(name, opts, () => withArtifacts(name, body));
}

const pathOf = (page) => new URL(page.url()).pathname;
const searchOf = (page) => new URL(page.url()).searchParams;
const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Waits until the testid's text shows `n` (as one of its integers). */
async function waitForNumber(page, testid, n, timeout = 10000) {
  const loc = byTestId(page, testid).first();
  await loc.waitFor({ state: 'visible', timeout });
  return waitFor(async () => showsNumber(await loc.innerText(), n),
    { timeout, what: `${testid} to show ${n} (shows "${await loc.innerText().catch(() => '?')}")` });
}

/** The API's answer for the endpoint list's own URL query (the page's filters), one page. */
async function apiForPageQuery(page, limit = 50) {
  const q = searchOf(page);
  q.set('limit', String(limit));
  q.delete('cursor');
  return env.api(`/v1/endpoints?${q}`);
}

/** A literal path segment that some, but not most, endpoints contain (the search fragment). */
function pickFragment() {
  const count = new Map();
  for (const e of all) {
    for (const seg of new Set(e.path.split('/'))) {
      if (seg.length >= 4 && /^[a-z_-]+$/.test(seg)) count.set(seg, (count.get(seg) || 0) + 1);
    }
  }
  const candidates = [...count].filter(([, n]) => n >= 3 && n <= all.length / 2);
  assert.ok(candidates.length, 'the traffic gave no path segment to search for');
  candidates.sort((a, b) => Math.abs(a[1] - 15) - Math.abs(b[1] - 15) || a[0].localeCompare(b[0]));
  return candidates[0][0];
}

async function inferredWithEvidence() {
  for (const e of all.filter((x) => (x.template_source || x.source) === 'inferred')) {
    const d = await env.api(`/v1/endpoints/${e.id}`);
    const p = (d.parameters_inferred || []).find((x) => typeof x.distinct_values === 'number');
    if (p) return { endpoint: d, param: p };
  }
  assert.fail('no inferred endpoint with parameter evidence in the API (crAPI proxy traffic should give some)');
}

async function crapiApi() {
  const apis = (await env.api('/v1/apis')).apis;
  const e = all.find((x) => (x.template_source || x.source) === 'inferred') || all[0];
  return apis.find((a) => a.api_url_id === e.api_url_id) || apis[0];
}

e2e('login: a wrong secret shows login-error, the right one lands on the overview', async (page) => {
  await page.goto(`${env.url}/login`);
  await byTestId(page, 'login-form').waitFor();
  await byTestId(page, 'login-client-id').fill(env.reader.id);
  await byTestId(page, 'login-client-secret').fill('not-the-secret');
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'login-error').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), '/login');
  assert.equal(await byTestId(page, 'overview').count(), 0, 'a wrong secret must not open the overview');

  await byTestId(page, 'login-client-secret').fill(env.reader.secret);
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'overview').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), '/');
  await byTestId(page, 'nav-endpoints').waitFor({ state: 'visible' });
  await byTestId(page, 'logout').waitFor({ state: 'visible' });
});

e2e('overview: stat cards, API rows, traffic chart and lists agree with GET /v1/overview', async (page) => {
  const ov = await env.api('/v1/overview');
  const listed = await env.api('/v1/endpoints?limit=1');
  assert.equal(ov.totals.endpoints, listed.total, 'overview totals.endpoints vs GET /v1/endpoints total');
  assert.ok(ov.zombies.unseen_30d > 0, 'Discourse traffic 40 days old must give possible zombies (zombies.unseen_30d)');
  assert.ok(ov.new_endpoints.last_day > 0, 'crAPI traffic of the last day must give new endpoints (new_endpoints.last_day)');

  await login(page, env);
  await waitForNumber(page, 'stat-endpoints', ov.totals.endpoints);
  await waitForNumber(page, 'stat-new-day', ov.new_endpoints.last_day);
  await waitForNumber(page, 'stat-new-week', ov.new_endpoints.last_week);
  await waitForNumber(page, 'stat-sensitive', ov.sensitive.endpoints);
  const zombiesText = await byTestId(page, 'stat-zombies').innerText();
  assert.ok(integersIn(zombiesText).some((n) => n === ov.zombies.unseen_7d || n === ov.zombies.unseen_30d),
    `stat-zombies "${zombiesText}" shows neither zombies.unseen_7d (${ov.zombies.unseen_7d}) nor unseen_30d (${ov.zombies.unseen_30d})`);
  for (const id of ['stat-requests', 'stat-auth-coverage']) await byTestId(page, id).waitFor({ state: 'visible' });

  // One api-row per API, identified by its id.
  const apis = ov.groups.flatMap((g) => g.apis);
  await byTestId(page, 'api-groups').waitFor({ state: 'visible' });
  const rowApiIds = await page.locator('[data-testid="api-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-api-id')));
  assert.equal(rowApiIds.length, apis.length, `api-row count vs overview groups[].apis (${rowApiIds.join(',')})`);
  for (const a of apis) {
    assert.ok(rowApiIds.includes(a.api_id) || rowApiIds.includes(a.api_url_id), `no api-row with data-api-id ${a.api_id}`);
  }

  // The traffic chart is drawn.
  const chart = byTestId(page, 'traffic-chart').first();
  await chart.waitFor({ state: 'visible' });
  await waitFor(async () => (await chart.locator('canvas, svg').count()) > 0, { what: 'a canvas or svg in traffic-chart' });
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 50, `traffic-chart is ${JSON.stringify(box)}`);

  // The lists link to the endpoints the API names.
  for (const [testid, items] of [['new-endpoints', ov.new_endpoints.recent], ['sensitive-endpoints', ov.sensitive.top],
    ['zombie-endpoints', ov.zombies.top]]) {
    const list = byTestId(page, testid);
    await list.waitFor({ state: 'visible' });
    assert.ok(items.length > 0, `overview ${testid} list is empty in the API`);
    for (const it of items) {
      assert.equal(await list.locator(`[href$="/endpoints/${it.id}"]`).count(), 1, `${testid} has no link to /endpoints/${it.id}`);
    }
  }
});

e2e('overview: stat cards link to the endpoint list with the matching filter', async (page) => {
  const ov = await env.api('/v1/overview');
  await login(page, env);
  const cases = [
    ['stat-sensitive', 'sensitive', [ov.sensitive.endpoints]],
    ['stat-zombies', 'unseen_since', [ov.zombies.unseen_7d, ov.zombies.unseen_30d]],
    ['stat-new-week', 'new_since', [ov.new_endpoints.last_week]],
  ];
  for (const [testid, param, expected] of cases) {
    await page.goto(`${env.url}/`);
    await byTestId(page, testid).first().waitFor({ state: 'visible' });
    await byTestId(page, testid).first().click();
    await waitFor(() => pathOf(page) === '/endpoints' && searchOf(page).has(param), { what: `${testid} to open /endpoints?${param}=` });
    const ans = await apiForPageQuery(page);
    assert.ok(expected.includes(ans.total),
      `GET /v1/endpoints?${searchOf(page)} total ${ans.total} vs the overview's ${expected.join(' or ')} (${testid})`);
    await waitForNumber(page, 'total-count', ans.total);
    const ids = await waitFor(async () => { const r = await rowIds(page); return r.length === Math.min(50, ans.total) && r; },
      { what: `${Math.min(50, ans.total)} endpoint rows after ${testid}` });
    assert.deepEqual([...ids].sort(), ans.endpoints.map((e) => e.id).sort(), `rows after ${testid} vs the API's first page`);
  }
});

e2e('endpoint list: search lists only matching paths, total matches GET /v1/endpoints?q=, filters narrow', async (page) => {
  const frag = pickFragment();
  await login(page, env, { next: '/endpoints', expect: 'endpoint-table' });
  assert.equal(pathOf(page), '/endpoints');
  await waitForNumber(page, 'total-count', all.length);

  const q = await env.api(`/v1/endpoints?q=${encodeURIComponent(frag)}&limit=50`);
  assert.ok(q.total > 0 && q.total < all.length, `q=${frag}: total ${q.total} of ${all.length}`);
  await byTestId(page, 'endpoint-search').fill(frag);
  const ids = await waitFor(async () => {
    const r = await rowIds(page);
    return r.length === q.endpoints.length && r.every((id) => byId.get(id)?.path.toLowerCase().includes(frag)) && r;
  }, { what: `rows for q=${frag}` });
  assert.deepEqual(ids, q.endpoints.map((e) => e.id), 'rows vs GET /v1/endpoints?q= first page');
  await waitForNumber(page, 'total-count', q.total);
  await waitFor(() => searchOf(page).get('q') === frag, { what: 'q= in the URL' });

  // A method filter narrows the result.
  const methods = new Map();
  for (const e of all.filter((x) => x.path.toLowerCase().includes(frag))) methods.set(e.method, (methods.get(e.method) || 0) + 1);
  const [method] = [...methods].sort((a, b) => a[1] - b[1])[0];
  await setControl(byTestId(page, 'filter-method'), method);
  const narrowed = await env.api(`/v1/endpoints?q=${encodeURIComponent(frag)}&method=${method}&limit=50`);
  assert.ok(narrowed.total > 0 && narrowed.total < q.total, `method=${method} does not narrow q=${frag} in the API`);
  await waitFor(async () => {
    const r = await rowIds(page);
    return r.length === narrowed.endpoints.length && r.every((id) => byId.get(id)?.method === method);
  }, { what: `rows for q=${frag}&method=${method}` });
  await waitForNumber(page, 'total-count', narrowed.total);
  assert.equal(searchOf(page).get('method'), method, 'method= in the URL');

  // Back undoes the filter.
  await page.goBack();
  await waitFor(() => searchOf(page).get('method') !== method, { what: 'the back button to drop method=' });
  if (pathOf(page) === '/endpoints') {
    const ans = await apiForPageQuery(page);
    await waitForNumber(page, 'total-count', ans.total);
  }

  // A search that matches nothing shows the empty state.
  await page.goto(`${env.url}/endpoints?q=${encodeURIComponent('no-such-path-zq9x')}`);
  await byTestId(page, 'empty-state').waitFor({ state: 'visible' });
  assert.equal((await rowIds(page)).length, 0);
});

e2e('endpoint list: next and previous pages follow the API cursor pages', async (page) => {
  assert.ok(all.length > 50, `the traffic gave only ${all.length} endpoints: no second page`);
  await login(page, env, { next: '/endpoints', expect: 'endpoint-table' });
  const p1 = await apiForPageQuery(page);
  assert.ok(p1.next_cursor, 'the API has no next_cursor for the first page');
  const q = searchOf(page);
  q.set('limit', '50');
  q.set('cursor', p1.next_cursor);
  const p2 = await env.api(`/v1/endpoints?${q}`);
  const ids1 = p1.endpoints.map((e) => e.id);
  const ids2 = p2.endpoints.map((e) => e.id);
  assert.equal(ids1.filter((id) => ids2.includes(id)).length, 0, 'API pages 1 and 2 overlap');

  await waitFor(async () => sameList(await rowIds(page), ids1), { what: 'rows of the first page (as GET /v1/endpoints?limit=50)' });
  assert.equal(ids1.length, 50);
  await byTestId(page, 'next-page').click();
  await waitFor(async () => sameList(await rowIds(page), ids2), { what: 'rows of the second page (next_cursor)' });
  await waitForNumber(page, 'total-count', p1.total);
  await byTestId(page, 'prev-page').click();
  await waitFor(async () => sameList(await rowIds(page), ids1), { what: 'rows of the first page again after prev-page' });
});

e2e('endpoint detail: opening a row shows its method and template', async (page) => {
  await login(page, env, { next: '/endpoints', expect: 'endpoint-table' });
  const row = page.locator('[data-testid="endpoint-row"]').nth(1);
  await row.waitFor({ state: 'visible' });
  const id = await row.getAttribute('data-endpoint-id');
  const e = await env.api(`/v1/endpoints/${id}`);
  await row.locator('[data-testid="endpoint-link"]').first().click();
  await waitFor(() => pathOf(page) === `/endpoints/${id}`, { what: `the URL /endpoints/${id}` });
  await byTestId(page, 'endpoint-detail').waitFor({ state: 'visible' });
  const title = await byTestId(page, 'endpoint-title').innerText();
  assert.ok(title.includes(e.method) && title.includes(e.path), `endpoint-title "${title}" vs ${e.method} ${e.path}`);
  const source = await byTestId(page, 'template-source').innerText();
  assert.ok(source.toLowerCase().includes(e.source), `template-source "${source}" vs source ${e.source}`);
  await byTestId(page, 'traffic-chart').first().waitFor({ state: 'visible' });
  await byTestId(page, 'latency-chart').first().waitFor({ state: 'visible' });
});

e2e('endpoint detail: an inferred parameter\'s evidence shows the API\'s distinct count', async (page) => {
  const { endpoint, param } = await inferredWithEvidence();
  await login(page, env, { next: `/endpoints/${endpoint.id}`, expect: 'endpoint-detail' });
  assert.equal(pathOf(page), `/endpoints/${endpoint.id}`);
  const sel = `[data-param-name="${param.name}"]`;
  await page.locator(`[data-testid="evidence-link"]${sel}`).first().click();
  const panel = page.locator(`[data-testid="evidence-panel"]${sel}`).first();
  await panel.waitFor({ state: 'visible' });
  const text = await panel.innerText();
  assert.ok(integersIn(text).includes(param.distinct_values),
    `evidence-panel for ${param.name} "${text.slice(0, 200)}" lacks distinct_values ${param.distinct_values}`);
  for (const s of (param.constant_siblings || []).slice(0, 5)) {
    assert.ok(text.includes(s), `evidence-panel lacks the sibling literal ${s}`);
  }
  const row = page.locator(`[data-testid="param-row"]${sel}[data-param-in="path"]`);
  assert.equal(await row.count(), 1, `no param-row for path parameter ${param.name}`);
});

e2e('endpoint detail: body schemas and sensitive fields come with the endpoint, never from the OpenAPI document', async (page) => {
  const list = await env.api('/v1/endpoints?limit=100&sort=requests');
  let found = null;
  for (const s of list.endpoints) {
    const d = await env.api(`/v1/endpoints/${s.id}`);
    for (const [mt, b] of Object.entries(d.content?.request_bodies ?? {})) {
      if (b.schema?.properties && Object.keys(b.schema.properties).length) found = { d, mt, b };
    }
    if (found) break;
  }
  assert.ok(found, 'no endpoint with a request body schema in the first 100');
  const openapiFetches = [];
  page.on('request', (r) => {
    if (/\/openapi\.(json|yaml)/.test(r.url())) openapiFetches.push(r.url());
  });
  await login(page, env, { next: `/endpoints/${found.d.id}`, expect: 'endpoint-detail' });
  const section = byTestId(page, 'schema-section');
  await section.waitFor({ state: 'visible' });
  const first = Object.keys(found.b.schema.properties)[0];
  const row = section.locator(`tr[data-pointer="/${first.replace(/~/g, '~0').replace(/\//g, '~1')}"]`).first();
  await row.waitFor({ state: 'visible' });
  for (const f of found.b.sensitive_fields.filter((x) => x.pointer && !x.pointer.includes('*')).slice(0, 3)) {
    assert.equal(await section.locator(`tr[data-pointer="${f.pointer}"]`).count() > 0, true, `no schema row for sensitive field ${f.pointer}`);
  }
  assert.equal(await byTestId(page, 'load-schemas').count(), 0, 'load-schemas button still shown');
  assert.deepEqual(openapiFetches, [], 'the detail page fetched an OpenAPI document');
});

e2e('API page: openapi.json and .yaml downloads hold the API\'s OpenAPI 3.1 document', async (page) => {
  const api = await crapiApi();
  const doc = await env.api(`/v1/apis/${api.api_url_id}/openapi.json`);
  await login(page, env, { next: `/apis/${api.api_url_id}`, expect: 'api-page' });

  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), byTestId(page, 'download-openapi-json').click()]);
  assert.match(dl.suggestedFilename(), /\.openapi\.json$/);
  const got = JSON.parse(readFileSync(await dl.path(), 'utf8'));
  assert.match(String(got.openapi), /^3\.1\./);
  assert.deepEqual(Object.keys(got.paths || {}).sort(), Object.keys(doc.paths || {}).sort(), 'downloaded paths vs GET openapi.json');
  assert.ok(Object.keys(doc.paths).length > 0);

  const [dly] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), byTestId(page, 'download-openapi-yaml').click()]);
  assert.match(dly.suggestedFilename(), /\.openapi\.ya?ml$/);
  const yaml = readFileSync(await dly.path(), 'utf8');
  assert.match(yaml, /^openapi:\s*['"]?3\.1\./m);
  for (const p of Object.keys(doc.paths)) assert.ok(yaml.includes(p), `the YAML download lacks path ${p}`);
});

e2e('API page: the embedded viewer renders every path of the document', async (page) => {
  const api = await crapiApi();
  const doc = await env.api(`/v1/apis/${api.api_url_id}/openapi.json`);
  await login(page, env, { next: `/apis/${api.api_url_id}`, expect: 'api-page' });
  const viewer = byTestId(page, 'openapi-viewer');
  await viewer.waitFor({ state: 'visible' });
  const paths = Object.keys(doc.paths);
  const missing = await waitFor(async () => {
    const text = (await viewer.innerText()).replace(/[\u200b\u00ad]/g, '');
    const m = paths.filter((p) => !text.includes(p));
    return m.length === 0 ? [] : null;
  }, { timeout: 15000, what: `the viewer to show all ${paths.length} paths` });
  assert.deepEqual(missing, []);
  // "Try it out" is off: no operation offers it.
  const first = viewer.locator('button, [role="button"]').filter({ hasText: /try it out/i });
  assert.equal(await first.count(), 0, 'the viewer offers "Try it out"');
}, { timeout: 40000 });

e2e('deep links: /endpoints/<id> loads directly, through login without a token, and on reload', async (page) => {
  const e = all.find((x) => x.path.includes('{')) || all[0];
  await page.goto(`${env.url}/endpoints/${e.id}`);
  await byTestId(page, 'login-form').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), '/login');
  assert.equal(searchOf(page).get('next'), `/endpoints/${e.id}`, 'login keeps the page to return to in next=');
  await byTestId(page, 'login-client-id').fill(env.reader.id);
  await byTestId(page, 'login-client-secret').fill(env.reader.secret);
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'endpoint-detail').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), `/endpoints/${e.id}`);
  const check = async () => {
    const title = await byTestId(page, 'endpoint-title').innerText();
    assert.ok(title.includes(e.method) && title.includes(e.path), `endpoint-title "${title}" vs ${e.method} ${e.path}`);
  };
  await check();
  await page.reload();
  await byTestId(page, 'endpoint-detail').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), `/endpoints/${e.id}`);
  await check();

  // A shared list URL restores its filters.
  const frag = pickFragment();
  await page.goto(`${env.url}/endpoints?q=${encodeURIComponent(frag)}&method=GET`);
  const ans = await env.api(`/v1/endpoints?q=${encodeURIComponent(frag)}&method=GET&limit=50`);
  await waitForNumber(page, 'total-count', ans.total);
  await waitFor(async () => sameList(await rowIds(page), ans.endpoints.map((x) => x.id)), { what: 'rows of the shared URL' });
  assert.equal(await byTestId(page, 'endpoint-search').inputValue(), frag, 'the search box shows q= of the URL');
});

e2e('logout: back to login, the token is gone, protected pages redirect to login', async (page) => {
  await login(page, env);
  const stored = await page.evaluate(() => Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)));
  assert.ok(stored.some((v) => v && v.length >= 16), 'no token kept in sessionStorage after login');
  await byTestId(page, 'logout').click();
  await byTestId(page, 'login-form').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), '/login');
  const after = await page.evaluate(() => Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)));
  for (const v of stored.filter((x) => x && x.length >= 16)) {
    assert.ok(!after.some((a) => a && a.includes(v)), 'a value stored at login is still in sessionStorage after logout');
  }
  await page.goto(`${env.url}/endpoints`);
  await byTestId(page, 'login-form').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), '/login');
  assert.equal(await byTestId(page, 'endpoint-table').count(), 0);
});

e2e('a token the server refuses (401) returns to login, keeping the page for after login', async (page) => {
  let token = null;
  page.on('request', (r) => {
    const h = r.headers().authorization;
    if (h && r.url().startsWith(`${env.url}/v1/`)) token = h.replace(/^Bearer\s+/i, '');
  });
  const frag = pickFragment();
  await login(page, env, { next: `/endpoints?q=${frag}`, expect: 'endpoint-table' });
  assert.ok(token, 'the dashboard sent no bearer token');
  // Spoil the stored token (the server answers 401 invalid_token), then reload the page.
  const spoiled = await page.evaluate((tok) => {
    let n = 0;
    for (const k of Object.keys(sessionStorage)) {
      const v = sessionStorage.getItem(k);
      if (v && v.includes(tok)) { sessionStorage.setItem(k, v.split(tok).join(`x${tok.slice(1, -1)}x`)); n++; }
    }
    return n;
  }, token);
  assert.ok(spoiled > 0, 'the token is not kept in sessionStorage');
  await page.reload();
  await byTestId(page, 'login-form').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), '/login');
  assert.equal(searchOf(page).get('next'), `/endpoints?q=${frag}`, 'next= keeps the page that was open');
  await byTestId(page, 'login-client-id').fill(env.reader.id);
  await byTestId(page, 'login-client-secret').fill(env.reader.secret);
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'endpoint-table').waitFor({ state: 'visible' });
  assert.equal(pathOf(page), '/endpoints');
  assert.equal(searchOf(page).get('q'), frag);
});

httpTest('serving: CSP and security headers, caching, gzip, ETag; the API still needs a token', async () => {
  const headersOk = (r, what) => {
    assert.equal((r.headers.get('content-security-policy') || '').replace(/\s+/g, ' ').trim(), CSP, `${what}: Content-Security-Policy`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  };
  let html;
  for (const p of ['/', '/login', '/endpoints', '/endpoints/ab12cd34', '/apis/x1?y=2']) {
    const r = await fetch(env.url + p);
    assert.equal(r.status, 200, `GET ${p}`);
    assert.match(r.headers.get('content-type') || '', /text\/html/, `GET ${p}: content type`);
    assert.match(r.headers.get('cache-control') || '', /no-cache/, `GET ${p}: Cache-Control`);
    headersOk(r, `GET ${p}`);
    html = await r.text();
  }
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.length > 0, 'index.html references no /assets/ file');
  const a = await fetch(env.url + assets[0], { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(a.status, 200, `GET ${assets[0]}`);
  assert.match(a.headers.get('cache-control') || '', /immutable/, 'asset Cache-Control');
  assert.match(a.headers.get('cache-control') || '', /max-age=31536000/, 'asset Cache-Control');
  headersOk(a, `GET ${assets[0]}`);
  if (/\.js$/.test(assets[0])) {
    assert.equal(a.headers.get('content-encoding'), 'gzip', 'a .js asset is sent gzipped when accepted');
    assert.match(a.headers.get('vary') || '', /accept-encoding/i);
  }
  await a.arrayBuffer();
  const etag = a.headers.get('etag');
  assert.ok(etag, 'asset ETag');
  const nm = await fetch(env.url + assets[0], { headers: { 'if-none-match': etag, 'accept-encoding': 'gzip' } });
  assert.equal(nm.status, 304, 'If-None-Match gives 304');
  assert.equal((await fetch(`${env.url}/assets/no-such-file-0000.js`)).status, 404, 'unknown asset');
  assert.equal((await fetch(`${env.url}/v1/endpoints`)).status, 401, 'GET /v1/endpoints without a token');
  assert.equal((await fetch(`${env.url}/v1/no-such-route`)).headers.get('content-type')?.includes('text/html'), false,
    'an unknown /v1/ path is not answered with index.html');
});

e2e('no console errors (nor CSP violations) across overview, list, search, detail and API page', async (page, ctx) => {
  await login(page, env);
  await byTestId(page, 'traffic-chart').first().waitFor({ state: 'visible' });
  await byTestId(page, 'nav-endpoints').click();
  await byTestId(page, 'endpoint-table').waitFor({ state: 'visible' });
  await byTestId(page, 'endpoint-search').fill(pickFragment());
  await waitFor(() => searchOf(page).has('q'), { what: 'q= in the URL' });
  const { endpoint } = await inferredWithEvidence();
  await page.goto(`${env.url}/endpoints/${endpoint.id}`);
  await byTestId(page, 'endpoint-detail').waitFor({ state: 'visible' });
  await byTestId(page, 'latency-chart').first().waitFor({ state: 'visible' });
  await page.goto(`${env.url}/apis/${endpoint.api_url_id}`);
  await byTestId(page, 'openapi-viewer').waitFor({ state: 'visible' });
  await waitFor(async () => (await byTestId(page, 'openapi-viewer').innerText()).includes('/'), { what: 'the viewer to render' });
  await byTestId(page, 'nav-overview').click();
  await byTestId(page, 'overview').waitFor({ state: 'visible' });
  assert.deepEqual(ctx.errors, [], 'console errors');
}, { timeout: 40000 });

// A zombie's detail keeps its own, older traffic window (the data the detail charts draw).
httpTest('server: endpoint detail traffic ends with the endpoint\'s latest traffic', async () => {
  const ov = await env.api('/v1/overview');
  const z = ov.zombies.top[0];
  assert.ok(z, 'no zombie in the overview');
  const d = await env.api(`/v1/endpoints/${z.id}`);
  assert.ok(d.traffic && d.traffic.daily && d.traffic.hourly, 'GET /v1/endpoints/{id} has no traffic');
  const daily = d.traffic.daily;
  const sum = daily.requests.reduce((s, x) => s + x, 0);
  assert.equal(sum, d.requests, 'daily traffic sums to the endpoint\'s requests');
  const end = Date.parse(daily.start) + daily.step_ms * daily.requests.length;
  assert.ok(end >= Date.parse(d.last_seen) && end - Date.parse(d.last_seen) <= DAY, 'the daily window ends with last_seen\'s day');
});
