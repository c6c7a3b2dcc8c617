// The dashboard of a server run with --no-auth: no login and no logout; pages open directly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, inPage, byTestId, waitFor, integersIn, defaultDatasets, allEndpoints } from './harness.mjs';

let env;
let browser;

before(async () => {
  // RealWorld only: a small inventory is enough here.
  env = await startServer({ datasets: defaultDatasets().filter((d) => d.name === 'realworld'), extraArgs: ['--no-auth'] });
  browser = await launchBrowser(env.dir);
}, { timeout: 60000 });

after(async () => {
  try { if (browser) await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10000))]); } finally {
    if (env) await env.stop();
  }
}, { timeout: 30000 });

const name = '--no-auth: pages open without login, no logout, no console errors';
test(name, { timeout: 30000 }, () => inPage(browser, name, async ({ page, errors }) => {
  const r = await fetch(`${env.url}/v1/endpoints?limit=1`);
  assert.equal(r.status, 200, 'reads answer without a token under --no-auth');
  const total = (await r.json()).total;
  assert.ok(total > 0);

  await page.goto(`${env.url}/`);
  await byTestId(page, 'overview').waitFor({ state: 'visible' });
  assert.equal(new URL(page.url()).pathname, '/', 'no redirect to /login');
  await waitFor(async () => integersIn(await byTestId(page, 'stat-endpoints').innerText()).includes(total), { what: `stat-endpoints to show ${total}` });
  await byTestId(page, 'nav-endpoints').waitFor({ state: 'visible' });
  assert.equal(await byTestId(page, 'logout').count(), 0, 'logout is absent with --no-auth');

  const e = (await allEndpoints(env))[0];
  await page.goto(`${env.url}/endpoints/${e.id}`);
  await byTestId(page, 'endpoint-detail').waitFor({ state: 'visible' });
  assert.equal(new URL(page.url()).pathname, `/endpoints/${e.id}`);
  assert.equal(await byTestId(page, 'login-form').count(), 0);
  assert.equal(await byTestId(page, 'logout').count(), 0);
  assert.deepEqual(errors, [], 'console errors');
}));
