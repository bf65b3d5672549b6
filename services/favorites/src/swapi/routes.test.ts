import express from 'express';
import request from 'supertest';
import type { SwapiClient, SwapiPage } from './client';
import { swapiRouter } from './routes';

const PAGE: SwapiPage = { count: 1, next: null, previous: null, results: [{ title: 'A New Hope', episode_id: 4 }] };

/** The router over a client that always has PAGE in its cache. */
function appWithReadyAnswers() {
  const swapi: SwapiClient = {
    films: async () => ({ page: PAGE, cache: 'hit' }),
    people: async () => ({ page: PAGE, cache: 'hit' }),
  };
  return express().use(swapiRouter(swapi));
}

// What the routes sent before they kept their answers ready: res.json on every request.
const reference = express().get('/movies', (_req, res) => {
  res.set('X-Swapi-Cache', 'hit').json({ movies: PAGE });
});

describe('GET /movies and /people from a ready answer', () => {
  it('sends the bytes, Content-Type, Content-Length and ETag that res.json sends', async () => {
    const expected = await request(reference).get('/movies');
    const app = appWithReadyAnswers();

    for (const answer of [await request(app).get('/movies'), await request(app).get('/movies')]) {
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(expected.text);
      for (const header of ['content-type', 'content-length', 'etag', 'x-swapi-cache']) {
        expect({ header, value: answer.headers[header] }).toEqual({ header, value: expected.headers[header] });
      }
    }
  });

  it('answers 304 with no body to a client whose copy is current, as res.json does', async () => {
    const { headers } = await request(reference).get('/movies');
    const app = appWithReadyAnswers();
    await request(app).get('/movies');

    const answer = await request(app).get('/movies').set('If-None-Match', headers.etag);

    expect(answer.status).toBe(304);
    expect(answer.text).toBe('');
    expect(answer.headers['content-type']).toBeUndefined();
  });

  it('answers HEAD with the headers and no body', async () => {
    const answer = await request(appWithReadyAnswers()).head('/movies');

    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify({ movies: PAGE }))));
    expect(answer.text).toBeUndefined();
  });

  it("keeps each route's field apart when both send the same page", async () => {
    const app = appWithReadyAnswers();

    expect((await request(app).get('/movies')).body).toEqual({ movies: PAGE });
    expect((await request(app).get('/people')).body).toEqual({ people: PAGE });
  });
});
