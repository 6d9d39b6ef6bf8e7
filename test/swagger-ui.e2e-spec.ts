import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Both logins clicked through in Swagger UI at /docs, in Debian's Chromium, against the app
 * listening on a free port: what a person does with the docs page alone, no other client.
 */

const CHROMIUM = '/usr/bin/chromium';
// As test/load-balancer.e2e-spec.ts reads it: CI set at all (.ci/run sets CI=true).
const inCi = Boolean(process.env.CI);
const missing = !existsSync(CHROMIUM);
if (missing && !inCi) {
  console.log(
    `Skipping test/swagger-ui.e2e-spec.ts: ${CHROMIUM} is missing (apt-get install -y chromium); CI installs it and does not skip.`,
  );
}
const describeBrowser = missing && !inCi ? describe.skip : describe;

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/**
 * Waits on selectors, never sleeps. Generous, for a loaded machine: with 2 cores at load 20,
 * Chromium took 10 s to start and a flow 30 to 80 s.
 */
const UI_TIMEOUT = 45_000;
const FLOW_TIMEOUT = 240_000;

describeBrowser('Swagger UI in a real browser', () => {
  let t: TestApp;
  let origin: string;
  let artifacts: string;
  let browser: Browser;

  beforeAll(async () => {
    if (missing)
      throw new Error(
        `${CHROMIUM} is missing and CI is set: .ci/run installs it with apt; the browser spec must run in CI`,
      );
    // Screenshots go outside the repository, to a temp folder, unless ARTIFACTS_DIR names one.
    artifacts = process.env.ARTIFACTS_DIR
      ? resolve(process.env.ARTIFACTS_DIR, 'swagger-ui')
      : await mkdtemp(join(tmpdir(), 'swagger-ui-screenshots-'));
    await mkdir(artifacts, { recursive: true });
    console.log(`Swagger UI screenshots: ${artifacts}`);
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    // Playwright starts Chromium on a fresh --user-data-dir under os.tmpdir() and removes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, FLOW_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A context of its own per flow: no cookie, no stored authorization from the other flow. */
  async function inBrowser(name: string, flow: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    context.setDefaultNavigationTimeout(UI_TIMEOUT);
    // Hermetic: nothing leaves the app's origin (the page's only outside reference is the
    // online validator badge, which would hold up the load event where there is no network).
    await context.route(
      (url) => url.origin !== origin,
      (route) => route.abort(),
    );
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/docs`, { waitUntil: 'domcontentloaded' });
      await page.locator('.opblock').first().waitFor();
      await flow(page);
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    } catch (error) {
      await page.screenshot({ path: join(artifacts, `${name}-failed.png`), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  /** The operation's block, found by method and path (not by a list of operations or their ids). */
  function operation(page: Page, method: string, path: string): Locator {
    return page
      .locator(`.opblock.opblock-${method.toLowerCase()}:has(.opblock-summary-path[data-path="${path}"])`)
      .first();
  }

  /** Expand, Try it out, fill the body, Execute; answers the status and body Swagger UI shows. */
  async function execute(
    page: Page,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: string; block: Locator }> {
    const block = operation(page, method, path);
    await block.locator('.opblock-summary-control').click();
    await block.locator('button.try-out__btn').click();
    if (body !== undefined) await block.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
    await block.locator('button.execute').click();
    const live = block.locator('.live-responses-table .response');
    // The code, then "Undocumented" when the document does not list it.
    const status = Number(/^\d{3}/.exec(await live.locator('.response-col_status').innerText())?.[0]);
    const text = await live.locator('.response-col_description pre').first().innerText();
    await block.screenshot({ path: join(artifacts, `${method.toLowerCase()}${path.replace(/\W+/g, '-')}.png`) });
    return { status, body: text, block };
  }

  /** Authorize dialog: the scheme's value field, Authorize, Close. */
  async function authorize(page: Page, scheme: string, value: string): Promise<void> {
    await page.locator('.scheme-container button.authorize').click();
    const container = page
      .locator('.modal-ux .auth-container')
      .filter({ has: page.locator('h4', { hasText: new RegExp(`^${scheme}\\b`) }) });
    await container.locator('input').fill(value);
    await container.locator('button.authorize').click();
    await container.locator('button', { hasText: 'Logout' }).waitFor();
    await page.locator('.modal-ux .close-modal').click();
  }

  it(
    'session: register, log in (the browser keeps the cookie, the CSRF token fills Authorize by itself), create a note',
    async () => {
      const credentials = { email: `ui-${randomUUID()}@example.com`, password: 'correct horse battery staple' };
      await inBrowser('session', async (page) => {
        const registered = await execute(page, 'POST', '/api/auth/register', { ...credentials, name: 'Ada Lovelace' });
        expect(registered.status).toBe(201);

        const login = await execute(page, 'POST', '/api/auth/session/login', credentials);
        expect(login.status).toBe(200);
        const { csrfToken } = JSON.parse(login.body) as { csrfToken: string };
        expect(csrfToken).toEqual(expect.any(String));
        const cookies = await page.context().cookies();
        expect(cookies.map((cookie) => cookie.name)).toContain('sid');

        const note = await execute(page, 'POST', '/api/notes', { title: 'Groceries', body: 'Milk, eggs, flour' });
        expect(await note.block.locator('.opblock-description-wrapper').first().innerText()).toContain(
          'Auth: session or jwt.',
        );
        expect({ status: note.status, body: JSON.parse(note.body) as unknown }).toEqual({
          status: 201,
          body: expect.objectContaining({ title: 'Groceries', body: 'Milk, eggs, flour' }),
        });

        // The token from the answer went under Authorize → X-CSRF-Token, as if typed there.
        await page.locator('.scheme-container button.authorize').click();
        const csrf = page
          .locator('.modal-ux .auth-container')
          .filter({ has: page.locator('h4', { hasText: /^csrf\b/ }) });
        await csrf.locator('button', { hasText: 'Logout' }).waitFor();
        await page.screenshot({ path: join(artifacts, 'session-authorize-dialog.png') });
        await page.locator('.modal-ux .close-modal').click();
      });
    },
    FLOW_TIMEOUT,
  );

  it(
    'token: log in, paste the access token into Authorize → bearer, call a jwt-only route',
    async () => {
      const credentials = { email: `ui-${randomUUID()}@example.com`, password: 'correct horse battery staple' };
      await inBrowser('token', async (page) => {
        expect((await execute(page, 'POST', '/api/auth/register', credentials)).status).toBe(201);
        const login = await execute(page, 'POST', '/api/auth/token/login', credentials);
        expect(login.status).toBe(200);
        const { accessToken } = JSON.parse(login.body) as { accessToken: string };
        expect(await page.context().cookies()).toEqual([]);

        await authorize(page, 'jwt', accessToken);
        const who = await execute(page, 'GET', '/api/examples/jwt-only');
        expect(await who.block.locator('.opblock-description-wrapper').first().innerText()).toContain('Auth: jwt.');
        expect({ status: who.status, body: JSON.parse(who.body) as unknown }).toEqual({
          status: 200,
          body: expect.objectContaining({ via: 'jwt' }),
        });
      });
    },
    FLOW_TIMEOUT,
  );
});
