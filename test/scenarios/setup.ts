import { checkResponsesAgainstOpenApi } from '../support/openapi';
// Runs before each scenario suite. Ryuk (testcontainers' reaper) needs an image from Docker Hub,
// which offline machines cannot pull; every suite removes what it started in afterAll instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// A suite brings up whole stacks, and recreates containers, a few times over.
jest.setTimeout(240_000);
// Every supertest answer must keep to openapi.yaml (test/support/openapi.ts).
checkResponsesAgainstOpenApi();
