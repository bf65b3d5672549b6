import axios, { type AxiosInstance } from 'axios';
import { AppError } from '../shared/errors';

/** A SWAPI list page, passed through to clients as SWAPI sends it. */
export interface SwapiPage {
  count: number;
  next: string | null;
  previous: string | null;
  results: unknown[];
}

export interface SwapiClient {
  films(): Promise<SwapiPage>;
  people(page?: number): Promise<SwapiPage>;
}

export function createSwapiClient(options: { baseUrl: string; timeoutMs: number }): SwapiClient {
  const http = axios.create({ baseURL: `${options.baseUrl}/`, timeout: options.timeoutMs });
  return {
    films: () => getPage(http, 'films/', {}, 'films'),
    people: (page) => getPage(http, 'people/', page === undefined ? {} : { page }, 'people'),
  };
}

async function getPage(http: AxiosInstance, path: string, params: object, what: string): Promise<SwapiPage> {
  let data: unknown;
  try {
    ({ data } = await http.get(path, { params }));
  } catch (error) {
    throw toAppError(error, what);
  }
  if (!isPage(data)) {
    throw new AppError(502, 'SWAPI_BAD_RESPONSE', `SWAPI answered the ${what} request with something that is not a list page.`);
  }
  return data;
}

function toAppError(error: unknown, what: string): AppError {
  if (!axios.isAxiosError(error)) {
    return new AppError(502, 'SWAPI_UNAVAILABLE', `Could not fetch ${what} from SWAPI.`);
  }
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') {
    return new AppError(504, 'SWAPI_TIMEOUT', `SWAPI did not answer the ${what} request in time.`);
  }
  const status = error.response?.status;
  if (status === 404) {
    return new AppError(404, 'NOT_FOUND', `SWAPI has no such ${what} page.`);
  }
  const cause = status === undefined ? error.code ?? error.message : `HTTP ${status}`;
  return new AppError(502, 'SWAPI_UNAVAILABLE', `Could not fetch ${what} from SWAPI (${cause}).`);
}

function isPage(data: unknown): data is SwapiPage {
  return typeof data === 'object' && data !== null && Array.isArray((data as SwapiPage).results);
}
