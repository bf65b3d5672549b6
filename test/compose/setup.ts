// Runs before each scenario suite. Ryuk (testcontainers' reaper) needs an image from Docker Hub,
// which offline machines cannot pull; every suite removes what it started in afterAll instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
jest.setTimeout(240_000);
