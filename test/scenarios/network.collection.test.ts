import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { run, type NewmanRunSummary } from 'newman';
import request from 'supertest';
import { readinessUntil, uniqueName, upStack, type Stack } from '../support/compose';

// The Postman collection that ships in collections/, run with newman against the real
// compose/network.yml: what a user imports is what is tested.
const COLLECTIONS = resolve(__dirname, '../../collections');
const COLLECTION = resolve(COLLECTIONS, 'favorites.postman_collection.json');
const ENVIRONMENT = resolve(COLLECTIONS, 'local.postman_environment.json');

/** The members of a v2.1 collection file these tests read: a folder has `item`, a request `request`. */
interface CollectionNode {
  name: string;
  item?: CollectionNode[];
  request?: { url: { raw: string } };
  event?: { listen: string; script: { exec: string[] } }[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const collection = () => readJson<{ item: CollectionNode[] }>(COLLECTION);

/** The collection's requests, depth first: the order the runner sends them in. */
const requestsOf = (nodes: CollectionNode[]): CollectionNode[] =>
  nodes.flatMap((node) => (node.item ? requestsOf(node.item) : [node]));

/** How many pm.test(...) calls the scripts make: each one is an assertion newman must report. */
function pmTestCalls(nodes: CollectionNode[]): number {
  const source = requestsOf(nodes)
    .flatMap((item) => item.event ?? [])
    .flatMap(({ script }) => script.exec)
    .join('\n');
  return source.match(/\bpm\.test\(/g)?.length ?? 0;
}

/** Runs the shipped collection with the shipped environment, its baseUrl pointed at the stack. */
function runCollection(baseUrl: string): Promise<NewmanRunSummary> {
  return new Promise((resolvePromise, reject) => {
    run(
      { collection: COLLECTION, environment: ENVIRONMENT, envVar: [{ key: 'baseUrl', value: baseUrl }], reporters: [] },
      (error, summary) => (error ? reject(error) : resolvePromise(summary)),
    );
  });
}

/** One line per failure: the request, the test, and what went wrong. */
const describeFailures = (summary: NewmanRunSummary) =>
  summary.run.failures.map(
    ({ source, error }) =>
      `${source?.name ?? '(collection)'}: ${error.test ? `"${error.test}" ` : ''}${error.name}: ${error.message}`,
  );

/** The status code each request answered, by request name. */
const statusByRequest = (summary: NewmanRunSummary) =>
  Object.fromEntries(summary.run.executions.map(({ item, response }) => [item.name, response?.code]));

/** What every passing run shows: no failure, every request once and in order, every pm.test reported. */
function expectCleanRun(summary: NewmanRunSummary): void {
  const { item } = collection();
  expect(summary.error).toBeUndefined();
  expect(describeFailures(summary)).toEqual([]);
  expect(summary.run.executions.map((execution) => execution.item.name)).toEqual(
    requestsOf(item).map(({ name }) => name),
  );
  expect(summary.run.stats.assertions).toMatchObject({ total: pmTestCalls(item), failed: 0 });
  expect(summary.run.stats.testScripts.failed).toBe(0);
}

let stack: Stack;

beforeAll(async () => {
  stack = await upStack('network.yml', { env: { FAVORITES_NETWORK: uniqueName('net') } });
  await readinessUntil(stack.baseUrl, (status) => status === 200);
});

afterAll(async () => {
  await stack?.environment.down();
});

describe('collections/: the request collections users import', () => {
  it('every request in the Postman collection goes to {{baseUrl}}, and the local environment points it at localhost:3000', () => {
    const urls = requestsOf(collection().item).map((item) => item.request?.url.raw);

    expect(urls.length).toBeGreaterThan(0);
    urls.forEach((url) => expect(url).toMatch(/^\{\{baseUrl\}\}\//));
    expect(readJson<{ values: unknown[] }>(ENVIRONMENT).values).toContainEqual(
      expect.objectContaining({ key: 'baseUrl', value: 'http://localhost:3000' }),
    );
  });

  it('the shipped Postman collection passes every assertion against compose/network.yml', async () => {
    const summary = await runCollection(stack.baseUrl);

    expectCleanRun(summary);
    expect(pmTestCalls(collection().item)).toBeGreaterThan(0);
    expect(statusByRequest(summary)).toMatchObject({ 'Save a movie': 201, 'Save a character': 201 });
  });

  it('a second run passes too, saving afresh (201): the clean-up folder makes the collection repeatable', async () => {
    const summary = await runCollection(stack.baseUrl);

    expectCleanRun(summary);
    expect(statusByRequest(summary)).toMatchObject({ 'Save a movie': 201, 'Save a character': 201 });
  });

  it('a movie left by a run that stopped before the clean-up is accepted (409 with the stored favorite) and then deleted', async () => {
    const leftover = await request(stack.baseUrl)
      .post('/favorites')
      .send({ type: 'movie', name: 'A New Hope', url: 'https://swapi.dev/api/films/1/' });
    expect(leftover.status).toBe(201);

    const summary = await runCollection(stack.baseUrl);

    expectCleanRun(summary);
    expect(statusByRequest(summary)).toMatchObject({ 'Save a movie': 409, 'Save a character': 201 });
    const remaining = await request(stack.baseUrl).get('/favorites');
    expect(remaining.body.favorites).toEqual([]);
  });
});
