import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-ID';

// A caller's id is kept when it is a plain token, so a gateway's or Postman's id follows the
// request; anything else (too long, spaces, control characters) is replaced, never echoed.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id, echoed in X-Request-ID, so an answer can be matched with its log line. */
export const requestId: RequestHandler = (req, res, next) => {
  const offered = req.get(REQUEST_ID_HEADER);
  res.locals.requestId = offered !== undefined && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  res.set(REQUEST_ID_HEADER, res.locals.requestId);
  next();
};

/** The id requestId gave this response. */
export const requestIdOf = (res: Response): string => res.locals.requestId;
