import { hostname } from 'node:os';
import type { RequestHandler } from 'express';

export const SERVED_BY_HEADER = 'X-Served-By';

/**
 * Names the replica that answered: the host name, which in a container is its short ID unless
 * `hostname:` sets one. Behind a load balancer, it shows which of several replicas served a request.
 */
export const servedBy =
  (name: string = hostname()): RequestHandler =>
  (_req, res, next) => {
    res.setHeader(SERVED_BY_HEADER, name);
    next();
  };
