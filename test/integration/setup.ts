import { checkResponsesAgainstOpenApi } from '../support/openapi';
// Runs before each API suite. Ryuk (testcontainers' reaper) needs an image from Docker Hub, which
// offline machines cannot pull; every suite stops its database container in afterAll instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// A test waits at most 15-20 s for the API to notice an outage or a recovery.
jest.setTimeout(30_000);
// Every supertest answer must keep to openapi.yaml (test/support/openapi.ts).
checkResponsesAgainstOpenApi();
