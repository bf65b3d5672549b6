// @ts-check
// compose/segmented.yml: MongoDB on a back network only; the API on front and back.
'use strict';

const { named, readyz, runApi } = require('./evidence');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'segmented',
  title: 'Segmentation',
  reachedBy: 'mongodb, on the back network',
  breaks: {
    'front-only': {
      what: 'an API is started on the front network only, where MongoDB is not',
      command: (ctx) =>
        `docker run -d --name ${named(ctx, 'front-only')} --network ${ctx.project}_front ` +
        `-p 127.0.0.1:${ctx.sparePort}:3000 ... ${ctx.apiImage}`,
      containers: ['front-only'],
      run: (ctx) => runApi(ctx, named(ctx, 'front-only'), { network: `${ctx.project}_front`, port: ctx.sparePort }),
      show: (ctx) => readyz({ url: `http://localhost:${ctx.sparePort}`, container: named(ctx, 'front-only') })(ctx),
      fix:
        'That is segmentation working: only what is on back reaches MongoDB. An API that needs it joins back too ' +
        '(as the favorites service does).',
    },
  },
};
