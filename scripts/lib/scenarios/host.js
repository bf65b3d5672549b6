// @ts-check
// compose/host.yml: the API reaches a MongoDB on the host, at host.docker.internal.
'use strict';

const { readyz } = require('./evidence');

/** The container that stands in for "MongoDB installed on your machine", when nothing listens there already. */
const HOST_MONGO = 'favorites-host-mongodb';

/** @type {import('./types').Scenario & { HOST_MONGO: string }} */
module.exports = {
  name: 'host',
  title: 'MongoDB on the host',
  reachedBy: 'host.docker.internal:27017',
  HOST_MONGO,
  breaks: {
    'loopback-only': {
      what: "the host's MongoDB listens on 127.0.0.1 only",
      command: `docker run -d --name ${HOST_MONGO} -p 127.0.0.1:27017:27017 <mongo image>`,
      // stack.js's startHostMongo first removes the container of its name: the working, gateway-published one.
      run: (ctx) => ctx.startHostMongo('127.0.0.1'),
      show: readyz(),
      fix:
        'On a Linux engine, containers reach the host through the bridge gateway, not 127.0.0.1. Make MongoDB ' +
        'listen on 0.0.0.0 (bindIp), or on the docker0 address, and firewall the port as you see fit. ' +
        "(Docker Desktop reaches the host's 127.0.0.1 through its VM: there 127.0.0.1 is enough.)",
    },
  },
};
