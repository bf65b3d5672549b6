// Faults under load against a running compose/network.yml stack: steady traffic (writers and
// keep-alive readers) while MongoDB is killed, paused, or cut off from the API, then counted.
// Shared by the fault suite (test/scenarios/network.faults.test.ts, which asserts) and
// scripts/reliability.js (which prints the figures). Plain CommonJS, no dependencies.
'use strict';

const { Agent, request } = require('node:http');
const { docker } = require('./provision');

/** How long any one request may take before the load counts it as hung. */
const REQUEST_DEADLINE_MS = 15_000;

/** One HTTP request with a deadline; resolves with the status, body and time, or the socket error. */
function send(url, { method = 'GET', body, agent }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { method, agent, headers: body ? { 'content-type': 'application/json' } : {}, timeout: REQUEST_DEADLINE_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: parse(text), ms: Date.now() - started, at: Date.now() }));
      res.on('error', (error) => resolve({ error: error.code ?? error.message, ms: Date.now() - started, at: Date.now() }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('hung'), { code: 'HUNG' })));
    req.on('error', (error) => resolve({ error: error.code ?? error.message, ms: Date.now() - started, at: Date.now() }));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** Every stored favorite's name, page after page (GET /favorites answers 200 at most at a time); undefined if a page fails. */
async function storedNames(baseUrl) {
  const names = new Set();
  let cursor = null;
  do {
    const page = await send(`${baseUrl}/favorites?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {});
    if (page.status !== 200) return undefined;
    for (const favorite of page.body.favorites) names.add(favorite.name);
    cursor = page.body.next;
  } while (cursor);
  return names;
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Starts `writers` clients that each POST new favorites one after another, and `readers`
 * keep-alive clients that GET /favorites, until stop() is called. stop() returns every answer.
 */
function startLoad(baseUrl, { writers = 10, readers = 20, tag = 'load' } = {}) {
  let running = true;
  const answers = [];
  const acknowledged = [];
  const writer = async (w) => {
    for (let i = 0; running; i += 1) {
      const name = `${tag} ${w}-${i}`;
      const answer = await send(`${baseUrl}/favorites`, { method: 'POST', body: { type: 'character', name, url: `https://swapi.dev/api/people/${i}/` } });
      answers.push(answer);
      if (answer.status === 201) acknowledged.push(name);
    }
  };
  const reader = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (running) answers.push(await send(`${baseUrl}/favorites`, { agent }));
    agent.destroy();
  };
  const clients = [...Array.from({ length: writers }, (_, w) => writer(w)), ...Array.from({ length: readers }, reader)];
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(clients);
      return { answers, acknowledged };
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The faults, each as a user would cause it with the docker CLI; `undo` ends it. */
const FAULTS = {
  'mongodb killed (SIGKILL) and restarted': {
    cause: ({ mongo }) => docker(['kill', '--signal', 'KILL', mongo]),
    undo: ({ mongo }) => docker(['start', mongo]),
  },
  'mongodb paused (the host vanishes without a reset), then unpaused': {
    cause: ({ mongo }) => docker(['pause', mongo]),
    undo: ({ mongo }) => docker(['unpause', mongo]),
  },
  'the network between the API and mongodb cut, then restored': {
    cause: ({ mongo, network }) => docker(['network', 'disconnect', network, mongo]),
    undo: ({ mongo, network }) => docker(['network', 'connect', '--alias', 'mongodb', network, mongo]),
  },
};

/**
 * Runs one fault under load against a stack: 2 s of traffic, the fault for `faultMs`, then traffic
 * until the first write succeeds again (at most 30 s) and 1 s more. Then checks that every
 * acknowledged write is stored. Returns the figures.
 */
async function runFault(name, stack, { faultMs = 5000, tag = `fault-${Date.now()}` } = {}) {
  const fault = FAULTS[name];
  const load = startLoad(stack.baseUrl, { tag });
  await sleep(2000);
  const check = (result) => {
    if (!result.ok) throw new Error(`${name}: ${result.stderr}`);
  };
  check(fault.cause(stack));
  await sleep(faultMs);
  check(fault.undo(stack));
  const restored = Date.now();
  const deadline = restored + 30_000;
  let recovered;
  while (!recovered && Date.now() < deadline) {
    await sleep(100);
    recovered = load.answers.find((a) => a.at > restored && a.status === 201);
  }
  await sleep(1000);
  const { answers, acknowledged } = await load.stop();

  const names = await storedNames(stack.baseUrl);
  const statuses = {};
  for (const answer of answers) {
    const key = answer.error ?? String(answer.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    scenario: name,
    requests: answers.length,
    statuses,
    slowestMs: Math.max(...answers.map((a) => a.ms)),
    acknowledgedWrites: acknowledged.length,
    writesLost: names ? acknowledged.filter((n) => !names.has(n)).length : NaN,
    recoveryMs: recovered ? recovered.at - restored : null,
    refusals: answers.filter((a) => a.status >= 400 || a.error),
  };
}

/**
 * One keep-alive client that reads `url` in a loop, as a browser or a load balancer's pool does,
 * until the server answers with `Connection: close` (what the API does while it drains on
 * SIGTERM). Records every status and every socket error.
 */
async function readUntilClosed(url) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const statuses = [];
  const errors = [];
  try {
    for (let i = 0; i < 10_000; i += 1) {
      const answer = await new Promise((resolve, reject) => {
        request(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, close: res.headers.connection === 'close' }));
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
      statuses.push(answer.status);
      if (answer.close) return { statuses, errors, closedPolitely: true };
    }
  } catch (error) {
    errors.push(error.code ?? String(error));
  } finally {
    agent.destroy();
  }
  return { statuses, errors, closedPolitely: false };
}

module.exports = { FAULTS, REQUEST_DEADLINE_MS, runFault, startLoad, readUntilClosed };
