import type { AxiosInstance, AxiosStatic } from 'axios';
import { AppError } from '../shared/errors';

/** A SWAPI list page, passed through to clients as SWAPI sends it. */
export interface SwapiPage {
  count: number;
  next: string | null;
  previous: string | null;
  results: unknown[];
}

/** What to fetch: a path under the SWAPI base URL, its query, and a name for messages. */
export interface SwapiRequest {
  path: string;
  params: Record<string, number>;
  what: string;
}

// SWAPI's largest page is a few tens of kB; anything near this is not SWAPI.
const MAX_PAGE_BYTES = 1024 * 1024;

let loaded: { axios: AxiosStatic; http: AxiosInstance } | undefined;

/**
 * axios, loaded on the first SWAPI request rather than at start: it and what it loads are a good
 * part of the API's start, and only /movies and /people need it.
 */
function swapiHttp(): { axios: AxiosStatic; http: AxiosInstance } {
  if (loaded === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const axios = require('axios') as AxiosStatic;
    // Hardened per the security review: a size cap, and no redirects (an upstream could send us
    // anywhere, including to internal addresses). Every status but 2xx is an error.
    const http = axios.create({
      maxContentLength: MAX_PAGE_BYTES,
      maxBodyLength: MAX_PAGE_BYTES,
      maxRedirects: 0,
    });
    loaded = { axios, http };
  }
  return loaded;
}

/**
 * One GET against one upstream, which `signal` cuts off, body included. Throws an AppError:
 * 404 NOT_FOUND is SWAPI's answer; anything else (502, 504) is this upstream failing.
 */
export async function fetchPage(baseUrl: string, request: SwapiRequest, signal: AbortSignal): Promise<SwapiPage> {
  let data: unknown;
  try {
    ({ data } = await swapiHttp().http.get(`${baseUrl}/${request.path}`, { params: request.params, signal }));
  } catch (error) {
    throw toAppError(error, request.what, signal, baseUrl);
  }
  if (!isPage(data)) {
    throw new AppError(
      502,
      'SWAPI_BAD_RESPONSE',
      `SWAPI answered the ${request.what} request with something that is not a list page.`,
    );
  }
  return data;
}

/** True for the errors where another upstream might do better. */
export function isUpstreamFailure(error: unknown): boolean {
  return error instanceof AppError && error.status >= 500;
}

function toAppError(error: unknown, what: string, signal: AbortSignal, baseUrl: string): AppError {
  if (signal.aborted) {
    return new AppError(504, 'SWAPI_TIMEOUT', `SWAPI did not answer the ${what} request in time.`);
  }
  if (!swapiHttp().axios.isAxiosError(error)) {
    return new AppError(502, 'SWAPI_UNAVAILABLE', `Could not fetch ${what} from SWAPI.`);
  }
  const status = error.response?.status;
  if (status === 404) {
    return new AppError(404, 'NOT_FOUND', `SWAPI has no such ${what} page.`);
  }
  if (status !== undefined && status >= 300 && status < 400) {
    return new AppError(
      502,
      'SWAPI_BAD_RESPONSE',
      `SWAPI answered the ${what} request with a redirect (HTTP ${status}), which is not followed.`,
    );
  }
  // axios says so only in its message.
  if (status === undefined && error.message.startsWith('maxContentLength')) {
    return new AppError(
      502,
      'SWAPI_BAD_RESPONSE',
      `SWAPI's answer to the ${what} request is larger than ${MAX_PAGE_BYTES / 1024 / 1024} MB.`,
    );
  }
  // The code, not the message: a message may quote the URL, and with it any credentials.
  const cause = status === undefined ? (error.code ?? 'network error') : `HTTP ${status}`;
  const lookupFailure = status === undefined ? nameLookupFailure(error.code, hostOf(baseUrl)) : undefined;
  return new AppError(502, 'SWAPI_UNAVAILABLE', `Could not fetch ${what} from SWAPI (${cause})${lookupFailure ?? '.'}`);
}

/** The host name alone: never the user name or password a base URL may carry. */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname;
  } catch {
    return "SWAPI's host";
  }
}

/** What a name lookup that failed for now (EAI_AGAIN) means, appended to the message; undefined for any other failure. */
function nameLookupFailure(code: string | undefined, host: string): string | undefined {
  if (code === 'EAI_AGAIN') {
    return (
      `: no DNS server could look up "${host}". On an internal network (internal: true) nothing leaves it, not even ` +
      'name lookups: give the API a SWAPI inside that network (SWAPI_BASE_URL or SWAPI_MIRRORS), or a network with a ' +
      'way out. Elsewhere: is a DNS server reachable from here, or is this machine offline?'
    );
  }
  return undefined;
}

function isPage(data: unknown): data is SwapiPage {
  return typeof data === 'object' && data !== null && Array.isArray((data as SwapiPage).results);
}
