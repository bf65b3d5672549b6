// The benchmark's one database: a container of the project's MongoDB image (mongo, or FerretDB
// offline), published on 127.0.0.1 only, and removed with its volumes however the run ends.
// @ts-check
'use strict';

const { randomBytes } = require('node:crypto');
const { MongoClient } = require('mongodb');
const { docker } = require('../lib/engine');

// Every container the bench starts is named so, for `docker ps -a --filter name=favbench-`.
const NAME_PREFIX = 'favbench-';
const SEED_BATCH = 1000;

/** @param {number} ms */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the database and waits for the image's own healthcheck (compose/.env) to pass.
 * `onStarted(name)` is called as soon as the container exists, so the caller can remove it even if
 * waiting fails. Resolves with the host address of its port 27017.
 * @param {{ image: string, healthcheck: string, onStarted: (name: string) => void }} options
 * @returns {Promise<{ name: string, address: string }>}
 */
async function startDatabase({ image, healthcheck, onStarted }) {
  const name = `${NAME_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  const run = docker([
    'run',
    '--detach',
    '--name',
    name,
    '--label',
    'swfavorites.bench=true',
    '--publish',
    '127.0.0.1::27017',
    '--health-cmd',
    healthcheck,
    '--health-interval',
    '1s',
    '--health-timeout',
    '3s',
    '--health-retries',
    '60',
    image,
  ]);
  if (!run.ok) throw new Error(`docker run ${image} failed: ${run.stderr}`);
  onStarted(name);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const health = docker(['inspect', '--format', '{{.State.Status}} {{.State.Health.Status}}', name]).stdout;
    if (health === 'running healthy') break;
    if (!health.startsWith('running') || Date.now() > deadline) {
      throw new Error(
        `the database container ${name} is "${health}", not healthy; docker logs ${name}:\n${docker(['logs', '--tail', '20', name]).stderr}`,
      );
    }
    await delay(250);
  }
  const published = docker(['port', name, '27017/tcp']).stdout.split('\n')[0]; // "127.0.0.1:49153"
  return { name, address: published };
}

/**
 * Removes the container and its anonymous volumes; synchronous, so an exit handler can call it.
 * @param {string} name
 */
function removeDatabase(name) {
  docker(['rm', '--force', '--volumes', name]);
}

/**
 * Makes the favorites collection of `url`'s database hold exactly `count` favorites, as the API
 * stores them, a millisecond apart so that "newest first" has one answer.
 * @param {string} url
 * @param {number} count
 */
async function seed(url, count) {
  const client = new MongoClient(url);
  try {
    const favorites = client.db().collection('favorites');
    await favorites.deleteMany({});
    const start = Date.now() - count;
    for (let from = 0; from < count; from += SEED_BATCH) {
      const docs = [];
      for (let i = from; i < Math.min(count, from + SEED_BATCH); i += 1) {
        const at = new Date(start + i);
        docs.push({
          type: i % 2 ? 'character' : 'movie',
          name: `Seeded favorite ${i}`,
          url: `https://swapi.dev/api/films/${(i % 6) + 1}/`,
          createdAt: at,
          updatedAt: at,
        });
      }
      await favorites.insertMany(docs);
    }
  } finally {
    await client.close();
  }
}

module.exports = { NAME_PREFIX, startDatabase, removeDatabase, seed };
