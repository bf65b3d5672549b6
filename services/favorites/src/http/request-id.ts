import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-ID';
// Node keeps a request's header names in lower case.
const REQUEST_ID_HEADER_LOWER_CASE = REQUEST_ID_HEADER.toLowerCase();

// A caller's id is kept when it is a plain token, so a gateway's or Postman's id follows the
// request; anything else (too long, spaces, control characters) is replaced, never echoed.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id, echoed in X-Request-ID, so an answer can be matched with its log line. */
export const requestId: RequestHandler = (req, res, next) => {
  const offered = req.headers[REQUEST_ID_HEADER_LOWER_CASE];
  const id = typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  res.locals.requestId = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
};

/** The id requestId gave this response. */
export const requestIdOf = (res: Response): string => res.locals.requestId;
