import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, notFound } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { requestIdOf } from './request-id';

/**
 * Turns an error of some lower layer (the database driver's, say) into an AppError, or returns
 * undefined to leave it to the next one. app.ts passes them in, so this file imports no such layer.
 */
export type ErrorTranslator = (err: unknown, req: Request) => AppError | undefined;

/**
 * Turns whatever a route threw into one JSON shape: { code, message, details?, requestId }, and
 * logs one line per error with the same requestId, so a failed call in Postman leads to its line.
 */
export function errorHandler(log: Logger, translators: readonly ErrorTranslator[] = []): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const error = toAppError(err, req, translators);
    const requestId = requestIdOf(res);
    const line = `${error.status} ${error.code} on ${req.method} ${req.originalUrl}`;
    if (error.code === 'INTERNAL_ERROR') {
      log.error(line, { requestId, stack: err instanceof Error ? err.stack : String(err) });
    } else {
      (error.status >= 500 ? log.warn : log.info)(line, { requestId });
    }
    if (error.status === 503) res.set('Retry-After', '5');
    res.status(error.status).json({
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...error.extra,
      requestId,
    });
  };
}

export const notFoundHandler: RequestHandler = (req) => {
  throw notFound(`No route for ${req.method} ${req.path}.`);
};

// body-parser marks its errors with a `type`; these are the client's mistakes, not ours.
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'INVALID_JSON', message: 'The body is not valid JSON.' },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The body is too large.' },
  'encoding.unsupported': {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'The body encoding is not supported.',
  },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The body charset is not supported.' },
  'request.aborted': { status: 400, code: 'REQUEST_ABORTED', message: 'The request was aborted.' },
};

function toAppError(err: unknown, req: Request, translators: readonly ErrorTranslator[]): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  const bodyError = e.type ? BODY_ERRORS[e.type] : undefined;
  if (bodyError) return new AppError(bodyError.status, bodyError.code, bodyError.message);
  for (const translate of translators) {
    const translated = translate(err, req);
    if (translated) return translated;
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError(e.status, 'BAD_REQUEST', e.message ?? 'Bad request.');
  }
  return new AppError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.');
}
