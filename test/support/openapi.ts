import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Test } from 'supertest';
import { openapiDocument } from '../../services/favorites/src/docs/openapi-document';

// Every response the API suites receive through supertest is checked against openapi.yaml: its
// status must be documented for that operation, its content type listed, its body valid against
// the schema, and its required headers present. A response the document does not describe fails
// the test that received it, so the document and the API can't drift apart.

interface Operation {
  responses: Record<string, ResponseSpec | { $ref: string }>;
}
interface ResponseSpec {
  headers?: Record<string, { $ref?: string; required?: boolean; schema?: unknown }>;
  content?: Record<string, unknown>;
}
interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
  text?: string;
}

const doc = openapiDocument() as {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// The whole document as one schema, so "#/components/..." references resolve inside it.
ajv.addSchema(doc, 'openapi');

/** What any method and path the document does not list answers. */
const UNLISTED_ROUTE: ResponseSpec = {
  content: {
    'application/json': {
      schema: {
        allOf: [{ $ref: 'openapi#/components/schemas/Error' }, { properties: { code: { const: 'NOT_FOUND' } } }],
      },
    },
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** "/favorites/{id}" -> a pattern matching one raw (still percent-encoded) path segment per parameter. */
const templates = Object.keys(doc.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
}));

function resolve<T>(value: T | { $ref: string }): T {
  const ref = (value as { $ref?: string }).$ref;
  if (!ref) return value as T;
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce(
      (node: unknown, key) => (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')],
      doc,
    ) as T;
}

/** Finds the documented response for a request and an answer; explains why not when there is none. */
function documentedResponse(
  method: string,
  url: string,
  status: number,
): { where: string; spec?: ResponseSpec; schemaOf?: (mediaType: string) => object; problem?: string } {
  // The path as sent: new URL() would resolve "." and ".." segments, which the API sees as ids.
  const path = url
    .replace(/^[a-z]+:\/\/[^/]+/i, '')
    .split(/[?#]/)[0]
    .replace(/(.)\/+$/, '$1');
  const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const match = templates.find(({ pattern }) => pattern.test(path));
  const operation = match && METHODS.includes(verb) ? doc.paths[match.template][verb] : undefined;
  if (!operation) {
    // Not a documented operation: the document's description promises a JSON 404 NOT_FOUND for those.
    const where = '#/components/schemas/Error';
    if (status !== 404)
      return { where, problem: `${method} ${path} is not in the document, so it must answer 404, not ${status}` };
    return {
      where,
      spec: UNLISTED_ROUTE,
      schemaOf: (mediaType) => (UNLISTED_ROUTE.content![mediaType] as { schema: object }).schema,
    };
  }
  const spec = operation.responses[String(status)];
  const where = `#/${pointer('paths', match!.template, verb, 'responses', String(status))}`;
  if (!spec)
    return { where, problem: `${status} is not a documented answer of ${verb.toUpperCase()} ${match!.template}` };
  // A shared response ("$ref": "#/components/responses/...") is validated where it is written.
  const written = (spec as { $ref?: string }).$ref ?? where;
  return {
    where: written,
    spec: resolve(spec),
    schemaOf: (mediaType) => ({ $ref: `openapi${written}/content/${pointer(mediaType)}/schema` }),
  };
}

/** Every way an answer breaks the document; empty when it keeps to it. */
export function responseProblems(method: string, url: string, answer: Answer): string[] {
  const { where, spec, schemaOf, problem } = documentedResponse(method, url, answer.status);
  if (!spec) return [problem!];
  const problems: string[] = [];

  for (const [name, header] of Object.entries(spec.headers ?? {})) {
    const definition = resolve<{ required?: boolean; schema?: unknown }>(header as { $ref: string });
    const value = answer.headers[name.toLowerCase()];
    if (value === undefined) {
      if (definition.required) problems.push(`header ${name} is missing`);
    } else if (definition.schema && !ajv.validate(definition.schema as object, value)) {
      problems.push(`header ${name}: ${ajv.errorsText()}`);
    }
  }

  const mediaType = answer.headers['content-type']?.split(';')[0].trim();
  if (!spec.content) {
    if (answer.text) problems.push(`a body was sent, but ${where} has none`);
    return problems;
  }
  if (!mediaType || !(mediaType in spec.content)) {
    return [...problems, `content type ${mediaType} is not one of ${Object.keys(spec.content).join(', ')} (${where})`];
  }
  // HEAD has no body, and an image's bytes have no schema to keep to.
  if (method.toLowerCase() === 'head' || !(mediaType === 'application/json' || mediaType.startsWith('text/')))
    return problems;
  const body = mediaType === 'application/json' ? answer.body : answer.text;
  if (!ajv.validate(schemaOf!(mediaType), body)) {
    problems.push(`body does not match ${where}: ${ajv.errorsText(ajv.errors, { separator: '; ' })}`);
  }
  return problems;
}

let installed = false;

/** Makes every supertest request of the suite check its answer against the document. */
export function checkResponsesAgainstOpenApi(): void {
  if (installed) return;
  installed = true;
  // supertest calls assert() once per request with the answer; its types leave this method out.
  const prototype = Test.prototype as unknown as { assert: AssertFn };
  const original = prototype.assert;
  prototype.assert = function checked(this: { method: string; url: string }, resError, res, fn) {
    const problems = res ? responseProblems(this.method, this.url, res) : [];
    if (problems.length > 0) {
      const error = new Error(
        `${this.method} ${this.url} answered ${res!.status}, which openapi.yaml does not describe:\n- ${problems.join('\n- ')}\nbody: ${res!.text?.slice(0, 500)}`,
      );
      return fn.call(this, error, res);
    }
    return original.call(this, resError, res, fn);
  };
}

type AssertFn = (
  this: { method: string; url: string },
  resError: Error | null,
  res: Answer | undefined,
  fn: (err: Error | null, res: unknown) => void,
) => void;
