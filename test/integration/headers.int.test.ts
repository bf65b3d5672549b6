import request from 'supertest';
import { createTestApi, type TestApi } from '../support/api';

// Nothing listens on port 9, so MongoDB is down: /readyz and /favorites answer 503.
let api: TestApi;

beforeAll(() => {
  api = createTestApi({ MONGODB_URL: 'mongodb://127.0.0.1:9/x', LOG_LEVEL: 'silent' });
});

afterAll(async () => {
  await api.stop();
});

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

describe('security headers', () => {
  it.each([
    ['GET /healthz answers 200', () => request(api.app).get('/healthz'), 200],
    ['GET /readyz answers 503', () => request(api.app).get('/readyz'), 503],
    ['a route does not exist (404)', () => request(api.app).get('/no-such-route'), 404],
    [
      'POST /favorites has invalid JSON (400)',
      () => request(api.app).post('/favorites').set('Content-Type', 'application/json').send('{"type":'),
      400,
    ],
    ['GET /favorites finds MongoDB down (503)', () => request(api.app).get('/favorites'), 503],
    ['GET /openapi.json answers 200', () => request(api.app).get('/openapi.json'), 200],
    ['a path under /docs/ does not exist (404)', () => request(api.app).get('/docs/assets/index.html'), 404],
  ])('when %s, sends nosniff, a strict CSP and Cache-Control: no-store', async (_case, send, status) => {
    const res = await send();

    expect(res.status).toBe(status);
    expect(res.headers).toMatchObject(securityHeaders);
  });
});

// Swagger UI works with this, and needs no 'unsafe-inline' (docs-page.int.test.ts checks it in Chromium).
const docsPageCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

describe('security headers of the API reference (/docs)', () => {
  it.each(['/docs', '/docs/'])(
    'GET %s lets the page load its own scripts, styles and data: images, and nothing else',
    async (path) => {
      const res = await request(api.app).get(path);

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe(docsPageCsp);
    },
  );
});
