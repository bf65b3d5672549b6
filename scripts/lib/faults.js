// Faults under load against a running compose/network.yml stack: steady traffic (writers and
// keep-alive readers) while MongoDB is killed, paused, or cut off from the API, then counted.
// Shared by the fault suite (test/scenarios/network.faults.test.ts, which asserts) and
// scripts/reliability.js (which prints the figures). Plain CommonJS, no dependencies.
// @ts-check
'use strict';

const { Agent, request } = require('node:http');
const { docker } = require('./engine');

/**
 * The stack a fault is caused in.
 * @typedef {object} FaultTarget
 * @property {string} baseUrl
 * @property {string} mongo the mongodb container's name
 * @property {string} network the network the API and mongodb share
 */

/**
 * One request's outcome: a status and body, or the socket's error code; how long it took, and when it ended.
 * @typedef {object} Answer
 * @property {number} [status]
 * @property {any} [body] the JSON as it came (whatever shape the server chose), or the text when it is not JSON
 * @property {string} [error]
 * @property {number} ms
 * @property {number} at
 */

/**
 * The figures of one fault under load.
 * @typedef {object} FaultReport
 * @property {string} scenario
 * @property {number} requests
 * @property {Record<string, number>} statuses answers counted by status, or by error code
 * @property {number} slowestMs
 * @property {number} acknowledgedWrites
 * @property {number} writesLost NaN when the stored favorites could not be read back
 * @property {number | null} recoveryMs null when no write succeeded after the fault
 * @property {Answer[]} refusals
 */

/**
 * A fault, caused and ended with the docker CLI.
 * @typedef {object} Fault
 * @property {(target: FaultTarget) => import('./engine').DockerResult} cause
 * @property {(target: FaultTarget) => import('./engine').DockerResult} undo
 */

/** How long any one request may take before the load counts it as hung. */
const REQUEST_DEADLINE_MS = 15_000;

/**
 * One HTTP request with a deadline; resolves with the status, body and time, or the socket error.
 * @param {string} url
 * @param {{ method?: string, body?: unknown, agent?: Agent, token?: string }} [options]
 * @returns {Promise<Answer>}
 */
function send(url, { method = 'GET', body, agent, token } = {}) {
  const started = Date.now();
  /** @param {NodeJS.ErrnoException} error */
  const failed = (error) => ({ error: error.code ?? error.message, ms: Date.now() - started, at: Date.now() });
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: REQUEST_DEADLINE_MS,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: parse(text), ms: Date.now() - started, at: Date.now() }),
        );
        res.on('error', (error) => resolve(failed(error)));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('hung'), { code: 'HUNG' })));
    req.on('error', (error) => resolve(failed(error)));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/**
 * Every stored favorite's name, page after page (GET /favorites answers 200 at most at a time); undefined if a
 * page still fails for 15 s (right after a fault, a page may be refused while the API reconnects).
 * @param {string} baseUrl
 * @returns {Promise<Set<string> | undefined>}
 */
async function storedNames(baseUrl) {
  /** @type {Set<string>} */
  const names = new Set();
  let cursor = null;
  do {
    const url = `${baseUrl}/favorites?limit=200${cursor ? `&cursor=${cursor}` : ''}`;
    let page = await send(url);
    for (let retry = 0; page.status !== 200 && retry < 15; retry += 1) {
      await sleep(1000);
      page = await send(url);
    }
    if (page.status !== 200) return undefined;
    for (const favorite of page.body.favorites) names.add(favorite.name);
    cursor = page.body.next;
  } while (cursor);
  return names;
}

/**
 * The text as JSON, or as it is when it is not JSON.
 * @param {string} text
 * @returns {unknown}
 */
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
 * `token`: the API's write token, for an API that has one (FAVORITES_API_TOKEN).
 * @param {string} baseUrl
 * @param {{ writers?: number, readers?: number, tag?: string, token?: string }} [options]
 * @returns {{ answers: Answer[], stop(): Promise<{ answers: Answer[], acknowledged: string[] }> }}
 */
function startLoad(baseUrl, { writers = 10, readers = 20, tag = 'load', token } = {}) {
  let running = true;
  /** @type {Answer[]} */
  const answers = [];
  /** @type {string[]} */
  const acknowledged = [];
  /** @param {number} w */
  const writer = async (w) => {
    for (let i = 0; running; i += 1) {
      const name = `${tag} ${w}-${i}`;
      const answer = await send(`${baseUrl}/favorites`, {
        method: 'POST',
        body: { type: 'character', name, url: `https://swapi.dev/api/people/${i}/` },
        token,
      });
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

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The faults, each as a user would cause it with the docker CLI; `undo` ends it.
 * @type {Record<string, Fault>}
 */
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
 * @param {string} name one of FAULTS
 * @param {FaultTarget} stack
 * @param {{ faultMs?: number, tag?: string }} [options]
 * @returns {Promise<FaultReport>}
 */
async function runFault(name, stack, { faultMs = 5000, tag = `fault-${Date.now()}` } = {}) {
  const fault = FAULTS[name];
  if (!fault) throw new Error(`no fault is called "${name}"; there are: ${Object.keys(FAULTS).join('; ')}`);
  const load = startLoad(stack.baseUrl, { tag });
  await sleep(2000);
  /** @param {import('./engine').DockerResult} result */
  const check = (result) => {
    if (!result.ok) throw new Error(`${name}: ${result.stderr}`);
  };
  // A busy machine can make the engine give up once (`docker pause`: "unable to freeze"): try again.
  let caused = fault.cause(stack);
  if (!caused.ok) {
    await sleep(1000);
    caused = fault.cause(stack);
  }
  check(caused);
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
  /** @type {Record<string, number>} */
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
    refusals: answers.filter((a) => (a.status ?? 0) >= 400 || a.error),
  };
}

/**
 * The API's own log lines for the answers given (matched by request id), read from its container
 * around the first one only: a fault run logs megabytes, and a 500 logs its error class and stack.
 * @param {string} container the API's container
 * @param {Answer[]} answers
 * @returns {string[]}
 */
function apiLogLines(container, answers) {
  const ids = answers.map((a) => a.body?.requestId).filter(Boolean);
  if (ids.length === 0) return [];
  const first = Math.min(...answers.map((a) => a.at));
  /** @param {number} ms */
  const around = (ms) => new Date(first + ms).toISOString();
  const { stdout, stderr } = docker(['logs', '--since', around(-5000), '--until', around(5000), container]);
  return `${stdout}\n${stderr}`.split('\n').filter((line) => ids.some((id) => line.includes(id)));
}

/**
 * Answers a fault run must not give: anything but a 503 DATABASE_UNAVAILABLE with a hint, or a 504
 * QUERY_TIMEOUT, which only MongoDB's own MaxTimeMSExpired gives (a query that was running when the
 * server froze or caught up after it, and that the server itself stopped at its time limit).
 * @param {Answer[]} refusals
 */
const unexpectedRefusals = (refusals) =>
  refusals.filter(
    (a) =>
      !(a.status === 503 && a.body?.code === 'DATABASE_UNAVAILABLE' && /unavailable: /.test(a.body?.message)) &&
      !(a.status === 504 && a.body?.code === 'QUERY_TIMEOUT'),
  );

/**
 * One keep-alive client that reads `url` in a loop, as a browser or a load balancer's pool does,
 * until the server answers with `Connection: close` (what the API does while it drains on
 * SIGTERM). Records every status and every socket error. `onAnswer` hears of each answer, so that a
 * caller can wait until every client is reading rather than for a fixed time.
 * @param {string} url
 * @param {{ onAnswer?: () => void }} [options]
 * @returns {Promise<{ statuses: number[], errors: string[], closedPolitely: boolean }>}
 */
async function readUntilClosed(url, { onAnswer = () => undefined } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  /** @type {number[]} */
  const statuses = [];
  /** @type {string[]} */
  const errors = [];
  try {
    for (let i = 0; i < 10_000; i += 1) {
      /** @type {{ status: number, close: boolean }} */
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
      onAnswer();
      if (answer.close) return { statuses, errors, closedPolitely: true };
    }
  } catch (error) {
    errors.push(/** @type {NodeJS.ErrnoException} */ (error).code ?? String(error));
  } finally {
    agent.destroy();
  }
  return { statuses, errors, closedPolitely: false };
}

/**
 * `count` keep-alive readers of `url` (readUntilClosed), and a promise that settles once each has
 * had its first answer (or has already ended).
 * @param {string} url
 * @param {number} count
 */
function startReaders(url, count) {
  const readers = Array.from({ length: count }, () => {
    /** @type {() => void} */
    let answered = () => undefined;
    const firstAnswer = new Promise((resolve) => (answered = () => resolve(undefined)));
    const done = readUntilClosed(url, { onAnswer: () => answered() });
    return { firstAnswer: Promise.race([firstAnswer, done]), done };
  });
  return {
    reading: Promise.all(readers.map((reader) => reader.firstAnswer)),
    results: Promise.all(readers.map((reader) => reader.done)),
  };
}

module.exports = {
  FAULTS,
  REQUEST_DEADLINE_MS,
  apiLogLines,
  runFault,
  startLoad,
  readUntilClosed,
  startReaders,
  unexpectedRefusals,
};
