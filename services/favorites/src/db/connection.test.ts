import { socketTimeoutMs } from './connection';

describe('the socket timeout', () => {
  it('with the default query time limit (1500 ms), stays at the 2 s that notices a vanished server', () => {
    expect(socketTimeoutMs(1500)).toBe(2000);
  });

  it('with a longer query time limit, waits longer than it, so MongoDB stops a slow query before the socket gives up', () => {
    expect(socketTimeoutMs(10_000)).toBeGreaterThan(10_000);
  });
});
