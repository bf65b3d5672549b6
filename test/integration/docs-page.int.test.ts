import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import request from 'supertest';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { startMongoServer, type MongoServer } from '../support/mongo-server';

// The API reference (/docs) in real headless Chromium, served by the API on a loopback port.

/**
 * Where the page's picture goes: a temporary file, so a test run leaves the checkout as it was;
 * DOCS_SCREENSHOT=docs/images/docs-page.png refreshes the one docs/api.md shows.
 */
const SCREENSHOT = resolve(process.env.DOCS_SCREENSHOT ?? join(tmpdir(), 'favorites-docs-page.png'));

// No sandbox: the tests run as root. The rest keeps Chromium from calling Google's hosts in the
// background (updates, sync, QUIC probes), which a machine without internet refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const luke = { type: 'character', name: 'Luke Skywalker', url: 'https://swapi.dev/api/people/1/' };

let mongo: MongoServer;
let api: TestApi;
let server: Server;
let origin: string;
let browser: Browser;
let page: Page;
/** Every URL the page asked for, every answer it got, and every error in its console, from the first load on. */
const requested: string[] = [];
const answers: { url: string; headers: Record<string, string> }[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  mongo = await startMongoServer('docs-page');
  api = createTestApi({ MONGODB_URL: mongo.url, LOG_LEVEL: 'silent' });
  await eventually(() => api.database.isConnected());
  server = api.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on('request', (req) => requested.push(req.url()));
  page.on('response', (res) => answers.push({ url: res.url(), headers: res.headers() }));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(`${origin}/docs`);
});

afterAll(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await api?.stop();
  await mongo?.stop();
});

/** The operation's block on the page, found by its method and its path as the document spells it. */
const operation = (method: string, path: string): Locator =>
  page.locator(`.opblock-${method}:has(.opblock-summary-path[data-path="${path}"])`).first();

describe('GET /docs', () => {
  it('renders the reference from /openapi.json, loading nothing from another origin and breaking no CSP rule', async () => {
    const openapi = (await request(api.app).get('/openapi.json').expect(200)).body as {
      info: { title: string };
      paths: Record<string, object>;
    };

    await page.getByRole('heading', { name: openapi.info.title }).waitFor();
    // Every operation of the document, POST /favorites among them.
    for (const [path, item] of Object.entries(openapi.paths)) {
      for (const method of Object.keys(item).filter((key) => key !== 'parameters')) {
        await operation(method, path).waitFor();
      }
    }

    expect(requested).toContain(`${origin}/openapi.json`);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  });

  it('sends every file of the page with nosniff, and relaxes the CSP for the page alone', async () => {
    await operation('post', '/favorites').waitFor();
    const pageUrl = `${origin}/docs`;
    const urlsWhere = (wrong: (headers: Record<string, string>) => boolean, from = answers) =>
      from.filter(({ headers }) => wrong(headers)).map(({ url }) => url);

    expect(answers.map(({ url }) => url)).toEqual(
      expect.arrayContaining([pageUrl, `${origin}/docs/init.js`, `${origin}/docs/assets/swagger-ui-bundle.js`]),
    );
    expect(urlsWhere((headers) => headers['x-content-type-options'] !== 'nosniff')).toEqual([]);
    const files = answers.filter(({ url }) => url !== pageUrl);
    expect(
      urlsWhere(
        (headers) => headers['content-security-policy'] !== "default-src 'none'; frame-ancestors 'none'",
        files,
      ),
    ).toEqual([]);
  });

  it.each([
    ['/docs/init.js', /^text\/javascript/],
    ['/docs/assets/swagger-ui-bundle.js', /^text\/javascript/],
    ['/docs/assets/swagger-ui.css', /^text\/css/],
    ['/docs/assets/favicon-32x32.png', /^image\/png/],
  ])('serves %s, one of the files the page loads, as the document says', async (path, type) => {
    const res = await request(api.app).get(path);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
  });

  it.each(['/docs/assets/', '/docs/assets/index.html', '/docs/assets/swagger-ui-bundle.js.map', '/docs/no-such-page'])(
    "answers %s with the API's JSON 404: nothing of swagger-ui-dist but the page's own files is served",
    async (path) => {
      const res = await request(api.app).get(path);

      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
    },
  );

  it('saves a favorite from the page: Execute on POST /favorites answers 201, and the API stores it', async () => {
    const post = operation('post', '/favorites');
    await post.locator('.opblock-summary').click();
    // Try it out is on from the start (tryItOutEnabled): the body editor takes input at once.
    await post.locator('textarea.body-param__text').fill(JSON.stringify(luke, null, 2));
    await post.getByRole('button', { name: 'Execute' }).click();

    const liveResponse = post.locator('.live-responses-table .response');
    await liveResponse.locator('.response-col_status', { hasText: '201' }).waitFor();
    expect(await liveResponse.innerText()).toContain('Favorite saved!');
    await liveResponse.scrollIntoViewIfNeeded();
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    const res = await request(api.app).get('/favorites').expect(200);
    expect(res.body.favorites).toEqual([expect.objectContaining(luke)]);
  });
});
