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
    ['POST /favorites has invalid JSON (400)', () => request(api.app).post('/favorites').set('Content-Type', 'application/json').send('{"type":'), 400],
    ['GET /favorites finds MongoDB down (503)', () => request(api.app).get('/favorites'), 503],
  ])('when %s, sends nosniff, a strict CSP and Cache-Control: no-store', async (_case, send, status) => {
    const res = await send();

    expect(res.status).toBe(status);
    expect(res.headers).toMatchObject(securityHeaders);
  });
});
