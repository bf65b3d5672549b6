// @ts-check
// compose/start-order.yml: depends_on with and without a health condition.
'use strict';

const { readyzUntil } = require('../readyz');
const { docker } = require('../engine');
const { nodeClient, readyz } = require('./evidence');

/** The healthcheck tutorials written for MongoDB before 6.0 give it: the `mongo` shell, which 6.0 removed. */
const MONGO_SHELL_CHECK = "mongo --quiet --eval 'db.runCommand({ ping: 1 })'";

/**
 * A client as mongoose's tutorials write it: connect without awaiting, query at once, mongoose's
 * defaults (bufferCommands on, 10 s). Prints what each call ends with.
 */
const MONGOOSE_TUTORIAL = `const mongoose = require('mongoose');
mongoose.connect('mongodb://mongodb:27017/swfavorites').catch((e) => console.log('connect: ' + e.name + ': ' + e.message));
mongoose.model('Favorite', new mongoose.Schema({ name: String })).find().then(
  () => console.log('found'),
  (e) => { console.log(e.name + ': ' + e.message); process.exit(0); });`;

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'start-order',
  title: 'A late or stopped database, and start order',
  reachedBy: 'mongodb, once it is healthy',
  // Nothing waits for the database-user one-shot (the lesson), so `up --wait` fails when it exits.
  upWaits: false,
  breaks: {
    'service-started': {
      what:
        'the stack is made again from nothing (its data is reset: `down --volumes`) with the short form of ' +
        'depends_on, condition: service_started, so the API starts before MongoDB is healthy',
      command:
        'docker compose -f compose/start-order.yml down --volumes && ' +
        'FAVORITES_API_WAITS_FOR=service_started docker compose -f compose/start-order.yml up -d',
      // An empty data volume: MongoDB initialises first, so the API's early attempts fail for sure.
      run: (ctx) => {
        ctx.compose(['down', '--volumes']);
        ctx.compose(['up', '-d'], { FAVORITES_API_WAITS_FOR: 'service_started' });
      },
      show: async (ctx) => {
        const failed = await readyz()(ctx);
        const { status, body } = await readyzUntil(ctx.api, (answer) => answer.status === 200);
        return (
          `${failed}\n\nThen the same API, with no restart, once MongoDB is healthy and its user made:\n` +
          `$ curl ${ctx.api}/readyz\n${status} ${JSON.stringify(body, null, 2)}`
        );
      },
      fix:
        "Wait for MongoDB's healthcheck: depends_on: { mongodb: { condition: service_healthy } }, this file's " +
        "default (leave FAVORITES_API_WAITS_FOR unset): compose then starts the API only after MongoDB's " +
        'first passing healthcheck. The API retries by itself either way.',
    },
    'mongo-shell-healthcheck': {
      what:
        "MongoDB's healthcheck calls the `mongo` shell, as tutorials written before MongoDB 6.0 do; no image " +
        'has it now, so the check never passes and nothing that waits for it starts (about 80 s: its start ' +
        'period, then 10 failed checks)',
      command: `FAVORITES_MONGO_HEALTHCHECK="${MONGO_SHELL_CHECK}" docker compose -f compose/start-order.yml up -d`,
      run: (ctx) => {
        try {
          ctx.compose(['up', '-d'], { FAVORITES_MONGO_HEALTHCHECK: MONGO_SHELL_CHECK }, 'pipe');
          return 'docker compose up -d: no error';
        } catch (error) {
          return String(/** @type {Error} */ (error).message);
        }
      },
      show: (ctx, composeError) => {
        const mongodb = `${ctx.project}-mongodb-1`;
        const health = docker(['inspect', '--format', '{{json .State.Health}}', mongodb]).stdout;
        /** @type {{ Status: string, Log: { ExitCode: number, Output: string }[] }} */
        const { Status, Log } = JSON.parse(health);
        const last = Log[Log.length - 1];
        return (
          `${composeError}\n\n$ docker inspect --format '{{json .State.Health}}' ${mongodb}\n` +
          `Status ${Status}; its last check exited ${last?.ExitCode}: ${last?.Output.trim()}`
        );
      },
      fix:
        'MongoDB 6.0 removed the `mongo` shell: check with mongosh, as compose/.env pins it ' +
        "(mongosh --quiet --eval 'db.runCommand({ ping: 1 })'), or with the offline stand-in's check " +
        "(compose/offline.env). Run the check by hand to see its error: docker exec <mongodb container> sh -c '<test>'.",
    },
    'mongoose-buffering': {
      what:
        "MongoDB is stopped, and a client as mongoose's tutorials write it (connect not awaited, mongoose's " +
        'default buffering) asks for the favorites: it waits 10 s, then fails without the cause',
      command:
        'docker compose -f compose/start-order.yml stop mongodb, then the client: mongoose.connect(url) and at once ' +
        'Favorite.find()',
      run: (ctx) => ctx.compose(['stop', 'mongodb']),
      show: async (ctx) =>
        `A mongoose client with its defaults, on the stack's network:\n` +
        `${nodeClient(ctx, `${ctx.project}_favorites-net`, MONGOOSE_TUTORIAL)}\n\n` +
        `This API, on the same network (bufferCommands: false: it fails at once, with the cause):\n${await readyz()(ctx)}`,
      fix:
        '"buffering timed out" hides the cause: mongoose queued the query because no connection was open. Await ' +
        "mongoose.connect() and log why it fails (or listen for the connection's 'error' event), and set " +
        'bufferCommands: false to fail at once, as this API does; then fix that cause (here: start MongoDB).',
    },
  },
};
