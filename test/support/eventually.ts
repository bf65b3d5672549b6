/**
 * Polls `check` until it passes; returns how long that took. On timeout the error says what was
 * last seen, when `lastSeen` can tell.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  { intervalMs = 25, lastSeen }: { intervalMs?: number; lastSeen?: () => string } = {},
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms${lastSeen ? `; last seen: ${lastSeen()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return Date.now() - started;
}
