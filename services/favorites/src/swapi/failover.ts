import { fetchPage, isUpstreamFailure, type SwapiPage, type SwapiRequest } from './fetch-page';

/**
 * Asks each upstream in turn (the primary first) until one answers, all within one deadline of
 * `timeoutMs`. Each attempt gets an equal share of the time left, so a primary that never answers
 * still leaves time for the mirrors; the last upstream gets all that remains. A 404 is an answer
 * and ends the search. When every upstream fails, the last failure is thrown.
 */
export async function fetchWithFailover(
  upstreams: readonly string[],
  request: SwapiRequest,
  timeoutMs: number,
): Promise<SwapiPage> {
  const deadline = Date.now() + timeoutMs;
  let lastFailure: unknown;
  for (const [index, upstream] of upstreams.entries()) {
    const timeLeft = deadline - Date.now();
    if (timeLeft <= 0) break;
    const share = Math.ceil(timeLeft / (upstreams.length - index));
    try {
      return await fetchPage(upstream, request, AbortSignal.timeout(share));
    } catch (error) {
      if (!isUpstreamFailure(error)) throw error;
      lastFailure = error;
    }
  }
  throw lastFailure;
}
