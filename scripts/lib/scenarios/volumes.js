// @ts-check
// compose/volumes.yml: MongoDB's data in the image's anonymous volume, which `down` leaves behind.
'use strict';

const { docker } = require('../engine');
const { readyzUntil } = require('../readyz');
const { explainFailedUp } = require('../stack-hints');
const { lastLine, request, shellLine } = require('./evidence');

/** Where lost-credentials keeps the administrator's password it takes away, inside the same volume: the restore step. */
const KEPT = 'admin-password.before-break';

/**
 * Renames a file in the stack's mongodb-credentials volume, with node in the API image (it has no mv).
 * @param {import('./types').BreakContext} ctx
 * @param {string} from
 * @param {string} to
 */
const renameCommand = (ctx, from, to) => [
  ...['run', '--rm', '--user', '0:0', '-v', `${ctx.project}_mongodb-credentials:/secrets`, '--entrypoint', 'node'],
  ...[ctx.apiImage, '-e', `require('fs').renameSync('/secrets/${from}', '/secrets/${to}')`],
];

/**
 * A favorite saved now, to look for later.
 * @param {import('./types').BreakContext} ctx
 * @param {string} name
 */
const saveFavorite = (ctx, name) =>
  request(`${ctx.api}/favorites`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'movie', name: `${name} ${Date.now()}`, url: 'https://swapi.dev/api/films/1/' }),
  });

/**
 * The volume MongoDB's container has at /data/db.
 * @param {import('./types').BreakContext} ctx
 */
const dataVolume = (ctx) =>
  docker([
    'inspect',
    '-f',
    '{{range .Mounts}}{{if eq .Destination "/data/db"}}{{.Name}}{{end}}{{end}}',
    `${ctx.project}-mongodb-1`,
  ]).stdout;

/**
 * lost-credentials' undo: the administrator's password it kept, put back (the rename replaces the new one).
 * @param {import('./types').BreakContext} ctx
 */
const restorePassword = (ctx) => renameCommand(ctx, KEPT, 'admin-password');

/** @type {import('./types').Scenario & { restorePassword: typeof restorePassword }} */
module.exports = {
  name: 'volumes',
  title: 'Volumes',
  restorePassword,
  reachedBy: 'mongodb; its data in a volume',
  breaks: {
    'anonymous-volume': {
      what:
        "a favorite is saved, then the stack is taken down and up again: MongoDB's data is in the image's " +
        'anonymous volume',
      command: 'docker compose -f compose/volumes.yml down && docker compose -f compose/volumes.yml up -d',
      run: async (ctx) => {
        const saved = await saveFavorite(ctx, 'Saved before down');
        const volume = dataVolume(ctx);
        ctx.compose(['down']);
        ctx.compose(['up', '-d', '--wait']);
        await readyzUntil(ctx.api, ({ status }) => status === 200);
        return { saved, volume };
      },
      show: async (ctx, { saved, volume }) =>
        [
          `Before down: POST /favorites\n${saved}`,
          `After down + up: $ curl ${ctx.api}/favorites\n${await request(`${ctx.api}/favorites`)}`,
          `The old data is still here, dangling: ${volume}\n$ docker volume ls -f dangling=true -f name=${volume}\n` +
            docker(['volume', 'ls', '-f', 'dangling=true', '-f', `name=${volume}`]).stdout,
        ].join('\n\n'),
      fix:
        'Give /data/db a named volume (as compose/network.yml does): it survives down and up. To get these favorites ' +
        'back, mount the dangling volume again (docker run -v <that name>:/data/db ...); remove it with ' +
        "docker volume rm <that name>, which `down --volumes` won't do.",
    },
    'lost-credentials': {
      what:
        "a favorite is saved, the stack is stopped, and the administrator's password file goes missing from the " +
        'mongodb-credentials volume (kept aside, for the restore) before the next up, as when that volume is lost',
      command: (ctx) =>
        `docker compose -f compose/volumes.yml stop && docker ${shellLine(renameCommand(ctx, 'admin-password', KEPT))} ` +
        '&& docker compose -f compose/volumes.yml up -d',
      run: async (ctx) => {
        const saved = await saveFavorite(ctx, 'Saved before the password was lost');
        ctx.compose(['stop']);
        const moved = docker(renameCommand(ctx, 'admin-password', KEPT));
        if (!moved.ok) throw new Error(`cannot move the administrator's password aside: ${moved.stderr}`);
        try {
          ctx.compose(['up', '-d', '--wait'], {}, 'pipe');
          return { saved, up: 'docker compose up succeeded: MongoDB took the new password' };
        } catch (error) {
          // Both compose runners put compose's own stderr in the message.
          return { saved, up: /** @type {Error} */ (error).message };
        }
      },
      show: (ctx, { saved, up }) =>
        [
          `Before: POST /favorites\n${saved}`,
          `After the password file went missing: $ docker compose -f compose/volumes.yml up -d\n${lastLine(up)}`,
          `What stack.js finds:\n${explainFailedUp(ctx.compose).join('\n\n')}`,
          `The data is still in MongoDB's volume: ${dataVolume(ctx)}`,
        ].join('\n\n'),
      fix: (ctx) =>
        'Never delete a volume to get past this. Restore the old password: here it was kept beside the new one ' +
        `(docker ${shellLine(restorePassword(ctx))}: the rename replaces the new one), ` +
        'elsewhere from a backup of the mongodb-credentials volume; then up again. Or start empty and keep the ' +
        'old data: give /data/db a new volume, and mount the old one again once its password is found.',
      undo: (ctx) => `docker ${shellLine(restorePassword(ctx))} && node scripts/stack.js volumes`,
    },
  },
};
