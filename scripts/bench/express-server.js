// The bench's second reference for GET /movies: bare Express 5 answering the same body with
// res.json, and nothing else (no middleware, no headers of its own). The limit server shows what
// node:http allows; this one shows what Express itself costs, the part the API cannot remove while
// it stays on Express. Started by scripts/bench/run.js with fork(): PORT and SWAPI_BASE_URL.
// @ts-check
'use strict';

const express = require('express');

/** @type {unknown} */
let page;

const app = express();
app.get('/movies', (_req, res) => {
  res.json({ movies: page });
});
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});

async function main() {
  // The films page, fetched once before it reports ready, as the API's cache holds it.
  const answer = await fetch(`${process.env.SWAPI_BASE_URL}/films/`, { signal: AbortSignal.timeout(5000) });
  if (answer.status !== 200) throw new Error(`SWAPI answered ${answer.status}`);
  page = await answer.json();
  app.listen(Number(process.env.PORT), '127.0.0.1');
}

// Leave with the benchmark: fork()'s channel closes when run.js exits, however it exits.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

main().catch((error) => {
  console.error(`bare Express server: ${error.message}`);
  process.exit(1);
});
