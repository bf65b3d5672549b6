// @ts-check
// compose/ports.yml: what the host reaches, published or not; the API needs no published port.
'use strict';

const { connectOnLoopback } = require('../ports');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'ports',
  title: 'Ports',
  reachedBy: 'mongodb, unpublished; the host through a published port',
  breaks: {
    unpublished: {
      what: 'the host tries to reach the MongoDB that publishes no port (the one the API uses, by name)',
      command:
        'docker compose -f compose/ports.yml port mongodb 27017; and a TCP connection from the host to 127.0.0.1:27017',
      run: () => {},
      show: async (ctx) => {
        // For a port that is not published, compose prints ":0" (or nothing, in some versions).
        const port = ctx.compose(['port', 'mongodb', '27017'], {}, 'pipe', { check: false }).trim();
        const answer = await connectOnLoopback(27017);
        const note =
          answer === 'connected'
            ? ' (something else of yours listens there: not this MongoDB, which publishes nothing)'
            : '';
        const random = ctx.compose(['port', 'mongodb-random', '27017'], {}, 'pipe').trim();
        const compass = ctx.compose(['port', 'mongodb-compass', '27017'], {}, 'pipe').trim();
        return [
          `mongodb's host port: ${port || '(none)'}${port === ':0' || !port ? ', not published' : ''}`,
          `connect 127.0.0.1:27017 from the host: ${answer}${note}`,
          `$ docker compose -f compose/ports.yml port mongodb-random 27017\n${random}`,
          `$ docker compose -f compose/ports.yml port mongodb-compass 27017\n${compass}`,
        ].join('\n');
      },
      fix:
        'Publishing is for the host only; the API needs none of it. For a tool on your machine, publish on loopback ' +
        '(127.0.0.1:27018:27017, as mongodb-compass does), or let the engine pick a port on loopback (127.0.0.1::27017, ' +
        'as mongodb-random does) and ask it with `docker compose port`.',
    },
  },
};
