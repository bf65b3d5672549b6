// @ts-check
// compose/volumes.yml: MongoDB's data in the image's anonymous volume, which `down` leaves behind.
'use strict';

const { docker } = require('../engine');
const { readyzUntil } = require('../readyz');
const { request } = require('./evidence');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'volumes',
  title: 'Volumes',
  reachedBy: 'mongodb; its data in a volume',
  breaks: {
    'anonymous-volume': {
      what:
        "a favorite is saved, then the stack is taken down and up again: MongoDB's data is in the image's " +
        'anonymous volume',
      command: 'docker compose -f compose/volumes.yml down && docker compose -f compose/volumes.yml up -d',
      run: async (ctx) => {
        const saved = await request(`${ctx.api}/favorites`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'movie',
            name: `Saved before down ${Date.now()}`,
            url: 'https://swapi.dev/api/films/1/',
          }),
        });
        const dataVolume = '{{range .Mounts}}{{if eq .Destination "/data/db"}}{{.Name}}{{end}}{{end}}';
        const volume = docker(['inspect', '-f', dataVolume, `${ctx.project}-mongodb-1`]).stdout;
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
  },
};
