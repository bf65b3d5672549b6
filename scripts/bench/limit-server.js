// The benchmark's "limit": the least a Node server can do to answer what the API answers, with
// node:http and the mongodb driver alone. `npm run bench` loads it and the API alike, so the API's
// figures read as a share of what the same machine, database and driver allow.
// It runs the API's queries (newest first, one page of the default size, the same fields, plain
// objects), inserts as the API does (timestamps, the same write concern), and serves GET /movies
// from one SWAPI page kept in memory: the ceiling for /movies. It validates next to nothing.
// Started by scripts/bench/run.js with fork(): PORT, MONGODB_URL, MONGODB_JOURNAL,
// MONGODB_QUERY_TIMEOUT_MS and SWAPI_BASE_URL, read as the API reads them.
// @ts-check
'use strict';

const http = require('node:http');
const { MongoClient } = require('mongodb');

// The API's default page size (GET /favorites?limit=), and the fields it shows.
const PAGE_SIZE = 100;
const PROJECTION = { type: 1, name: 1, url: 1, createdAt: 1, updatedAt: 1 };
const MAX_BODY_BYTES = 10 * 1024;
const QUERY_TIMEOUT_MS = Number(process.env.MONGODB_QUERY_TIMEOUT_MS ?? 1500);
const MONGODB_URL = process.env.MONGODB_URL;
if (!MONGODB_URL) throw new Error('limit server: MONGODB_URL is not set (scripts/bench/run.js sets it)');

/** @typedef {import('node:http').IncomingMessage} Request */
/** @typedef {import('node:http').ServerResponse} Response */

/**
 * A favorite as the API stores it.
 * @typedef {object} FavoriteFields
 * @property {string} type
 * @property {string} name
 * @property {string} url
 * @property {Date} createdAt
 * @property {Date} updatedAt
 */
/** @typedef {FavoriteFields & { _id: import('mongodb').ObjectId }} StoredFavorite */

// The API's driver settings (services/favorites/src/db/connection.ts), so both wait alike.
const client = new MongoClient(MONGODB_URL, {
  serverSelectionTimeoutMS: 1000,
  heartbeatFrequencyMS: 2000,
  connectTimeoutMS: 2000,
  socketTimeoutMS: 2000,
  writeConcern: { w: 1, journal: process.env.MONGODB_JOURNAL !== 'false' },
});
// The collection mongoose names after the API's Favorite model.
const favorites = /** @type {import('mongodb').Collection<FavoriteFields>} */ (client.db().collection('favorites'));

/** @param {StoredFavorite} favorite */
const toJson = ({ _id, type, name, url, createdAt, updatedAt }) => ({
  id: _id.toString(),
  type,
  name,
  url,
  createdAt,
  updatedAt,
});

/**
 * The cursor of the page after `last`, made as the API makes it.
 * @param {StoredFavorite} last
 */
const cursorAfter = (last) => Buffer.from(`${last.createdAt.getTime()}:${last._id}`).toString('base64url');

/** @param {Response} res */
async function listFavorites(res) {
  // One more than a page: whether it comes back says if there is a next page.
  const docs = await favorites
    .find({}, { projection: PROJECTION })
    .sort({ createdAt: -1, _id: -1 })
    .limit(PAGE_SIZE + 1)
    .maxTimeMS(QUERY_TIMEOUT_MS)
    .toArray();
  const page = docs.slice(0, PAGE_SIZE);
  const next = docs.length > PAGE_SIZE ? cursorAfter(page[page.length - 1]) : null;
  send(res, 200, { favorites: page.map(toJson), next });
}

/**
 * @param {Request} req
 * @param {Response} res
 */
async function addFavorite(req, res) {
  const fields = JSON.parse(await readBody(req));
  const now = new Date();
  const doc = {
    type: String(fields.type),
    name: String(fields.name),
    url: String(fields.url),
    createdAt: now,
    updatedAt: now,
  };
  try {
    const { insertedId } = await favorites.insertOne(doc);
    send(res, 201, { message: 'Favorite saved!', favorite: toJson({ ...doc, _id: insertedId }) });
  } catch (error) {
    // 11000: a duplicate key, the name already stored.
    if (/** @type {{ code?: unknown }} */ (error).code !== 11000) throw error;
    send(res, 409, { message: 'Favorite exists already!' });
  }
}

// The films page, fetched once with node:http (as light as a client gets), then sent from memory
// as one ready-made buffer. Concurrent first requests share the one fetch.
/** @type {Promise<Buffer> | undefined} */
let movies;
function moviesBody() {
  movies ??= getJson(`${process.env.SWAPI_BASE_URL}/films/`)
    .then((page) => Buffer.from(JSON.stringify({ movies: page })))
    .catch((error) => {
      movies = undefined; // the next request tries again
      throw error;
    });
  return movies;
}

/**
 * @param {string} url
 * @returns {Promise<unknown>}
 */
function getJson(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { timeout: 5000 }, (answer) => {
        /** @type {Buffer[]} */
        const chunks = [];
        answer.on('data', (chunk) => chunks.push(chunk));
        answer.on('end', () => {
          if (answer.statusCode !== 200) return reject(new Error(`SWAPI answered ${answer.statusCode}`));
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
        answer.on('error', reject);
      })
      .on(
        'timeout',
        /** @this {http.ClientRequest} */ function onTimeout() {
          this.destroy(new Error('SWAPI did not answer in time'));
        },
      )
      .on('error', reject);
  });
}

/** @param {Response} res */
async function ready(res) {
  await client.db().command({ ping: 1 });
  send(res, 200, { status: 'ready' });
}

/**
 * @param {Response} res
 * @param {number} status
 * @param {Buffer | object} body a ready-made JSON body, or what to send as JSON
 */
function send(res, status, body) {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': data.length }).end(data);
}

/**
 * @param {Request} req
 * @returns {Promise<string>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** @type {Record<string, (req: Request, res: Response) => Promise<void>>} */
const routes = {
  'GET /favorites': (_req, res) => listFavorites(res),
  'POST /favorites': addFavorite,
  'GET /movies': async (_req, res) => send(res, 200, await moviesBody()),
  'GET /readyz': (_req, res) => ready(res),
};

const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  const route = routes[`${req.method} ${req.url}`];
  if (!route) return send(res, 404, { message: 'Not found' });
  route(req, res).catch((/** @type {Error} */ error) => {
    if (!res.headersSent) send(res, error instanceof SyntaxError ? 400 : 503, { message: error.message });
  });
});

async function main() {
  // The API's indexes, made before it reports ready, as the API makes them.
  await favorites.createIndexes([{ key: { name: 1 }, unique: true }, { key: { createdAt: -1, _id: -1 } }]);
  server.listen(Number(process.env.PORT), '127.0.0.1');
}

// Leave with the benchmark: fork()'s channel closes when run.js exits, however it exits.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

main().catch((error) => {
  console.error(`limit server: ${error.message}`);
  process.exit(1);
});
