import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// Insomnia's own importer (Kong's insomnia-importers), the code that reads a file dropped on Insomnia's Import.
import { convert } from 'insomnia-importers';

// The shipped request files, read by the tools users import them into. Running them against the
// real stack is test/scenarios/network.collection.test.ts; here: the formats, and that all three agree.

const COLLECTIONS = resolve(__dirname, '../../collections');
const read = (file: string) => readFileSync(resolve(COLLECTIONS, file), 'utf8');

interface CollectionNode {
  name: string;
  item?: CollectionNode[];
  request?: { method: string; url: { raw: string }; header?: { key: string; value: string }[] };
}
const requestsOf = (nodes: CollectionNode[]): CollectionNode[] =>
  nodes.flatMap((node) => (node.item ? requestsOf(node.item) : [node]));
const postmanRequests = () =>
  requestsOf((JSON.parse(read('favorites.postman_collection.json')) as { item: CollectionNode[] }).item).map(
    ({ name, request }) => ({
      name,
      method: request!.method,
      url: request!.url.raw,
    }),
  );

describe('the shipped request collections', () => {
  it('is a Postman v2.1 collection', () => {
    expect(JSON.parse(read('favorites.postman_collection.json')).info.schema).toBe(
      'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    );
  });

  it("Insomnia's importer reads the Postman collection as Postman's, with every request, in order, unchanged", async () => {
    const converted = await convert(read('favorites.postman_collection.json'));

    expect(converted.type.id).toBe('postman');
    const requests = converted.data.resources.filter((resource) => resource._type === 'request');
    expect(requests.map(({ name, method, url }) => ({ name, method, url }))).toEqual(postmanRequests());
  });

  it('every write (POST, DELETE) sends Authorization: Bearer {{apiToken}}, and apiToken is empty by default', () => {
    const collection = JSON.parse(read('favorites.postman_collection.json')) as {
      item: CollectionNode[];
      variable: { key: string; value: string }[];
    };
    const writes = requestsOf(collection.item).filter(({ request }) => ['POST', 'DELETE'].includes(request!.method));

    expect(writes.length).toBeGreaterThan(0);
    for (const { request } of writes) {
      expect(request!.header).toContainEqual(
        expect.objectContaining({ key: 'Authorization', value: 'Bearer {{apiToken}}' }),
      );
    }
    expect(collection.variable).toContainEqual(expect.objectContaining({ key: 'apiToken', value: '' }));
    // The .http file: each write's headers (the lines up to the blank line) carry it too.
    const httpWrites = [...read('favorites.http').matchAll(/^(?:POST|DELETE) .*\n((?:.+\n)*)/gm)];
    expect(httpWrites.map(([, headers]) => headers)).toEqual(
      Array(httpWrites.length).fill(expect.stringContaining('Authorization: Bearer {{apiToken}}\n')),
    );
    expect(httpWrites).toHaveLength(writes.length);
    expect(read('favorites.http')).toMatch(/^@apiToken =$/m);
  });

  it("Insomnia's importer turns each write's Authorization header into its Bearer authentication, with {{apiToken}}", async () => {
    const converted = await convert(read('favorites.postman_collection.json'));
    const writes = converted.data.resources.filter(
      (resource) => resource._type === 'request' && ['POST', 'DELETE'].includes(String(resource.method)),
    );

    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) {
      expect(write.authentication).toEqual({ type: 'bearer', disabled: false, token: '{{apiToken}}', prefix: '' });
    }
  });

  it("Insomnia's importer reads the environment file as an environment with baseUrl", async () => {
    const converted = await convert(read('local.postman_environment.json'));

    expect(converted.type.id).toBe('postman-environment');
    expect(converted.data.resources).toEqual([
      expect.objectContaining({ _type: 'environment', data: { baseUrl: 'http://localhost:3000', apiToken: '' } }),
    ]);
  });

  it('the .http file sends the same requests as the collection, in the same order', () => {
    const sent = [...read('favorites.http').matchAll(/^(GET|POST|PUT|DELETE|PATCH) (\S+)/gm)].map(
      ([, method, url]) => ({ method, url }),
    );
    expect(sent).toEqual(postmanRequests().map(({ method, url }) => ({ method, url })));
  });
});
