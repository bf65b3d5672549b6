import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import type { DatabaseStatus } from '../db/connection';
import { hasMongoCode } from '../db/errors';
import { AppError, notFound } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { requestIdOf } from './request-id';

/**
 * Turns whatever a route threw into one JSON shape: { code, message, details?, requestId }, and
 * logs one line per error with the same requestId, so a failed call in Postman leads to its line.
 */
export function errorHandler(log: Logger, database: DatabaseStatus, publicDiagnosis: boolean): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const error = toAppError(err, database, req.method, publicDiagnosis);
    const requestId = requestIdOf(res);
    const line = `${error.status} ${error.code} on ${req.method} ${req.originalUrl}`;
    if (error.code === 'INTERNAL_ERROR') {
      log.error(line, { requestId, stack: err instanceof Error ? err.stack : String(err) });
    } else {
      (error.status >= 500 ? log.warn : log.info)(line, { requestId });
    }
    if (error.status === 503) res.set('Retry-After', '5');
    res.status(error.status).json({ code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}), ...error.extra, requestId });
  };
}

export const notFoundHandler: RequestHandler = (req) => {
  throw notFound(`No route for ${req.method} ${req.path}.`);
};

/** Answers 503 at once while MongoDB is away, instead of letting a query wait for it. */
export function requireDatabase(database: DatabaseStatus, publicDiagnosis: boolean): RequestHandler {
  return (_req, _res, next) => {
    if (!database.isConnected()) throw databaseUnavailable(database, publicDiagnosis);
    next();
  };
}

function databaseUnavailable(database: DatabaseStatus, publicDiagnosis: boolean): AppError {
  const hint = publicDiagnosis ? database.currentFailure()?.hint : undefined;
  return new AppError(503, 'DATABASE_UNAVAILABLE', `The database is unavailable${hint ? `: ${hint}` : '. Try again shortly.'}`);
}

// body-parser marks its errors with a `type`; these are the client's mistakes, not ours.
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'INVALID_JSON', message: 'The body is not valid JSON.' },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The body is too large.' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The body encoding is not supported.' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The body charset is not supported.' },
  'request.aborted': { status: 400, code: 'REQUEST_ABORTED', message: 'The request was aborted.' },
};

const { mongo } = mongoose;

/**
 * Driver errors that mean "the server could not be used": network errors (MongoPoolClearedError
 * among them, a subclass the driver does not export), no server to select, or a client closed
 * under the request. Matched by class, not by name, so that subclasses are caught too.
 */
const UNREACHABLE = [
  mongo.MongoNetworkError,
  mongo.MongoServerSelectionError,
  mongoose.Error.MongooseServerSelectionError,
  mongo.MongoNotConnectedError,
  mongo.MongoTopologyClosedError,
  mongo.MongoServerClosedError,
];
const isUnreachable = (err: unknown) => UNREACHABLE.some((type) => err instanceof type);

function toAppError(err: unknown, database: DatabaseStatus, method: string, publicDiagnosis: boolean): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; code?: unknown; name?: string; status?: number; message?: string };
  const bodyError = e.type ? BODY_ERRORS[e.type] : undefined;
  if (bodyError) return new AppError(bodyError.status, bodyError.code, bodyError.message);
  if (hasMongoCode(err, 'DuplicateKey')) return new AppError(409, 'DUPLICATE_FAVORITE', 'Favorite exists already!');
  if (err instanceof mongoose.Error.ValidationError) return new AppError(400, 'VALIDATION_FAILED', err.message);
  if (err instanceof mongoose.Error.CastError) return new AppError(400, 'INVALID_ID', err.message);
  // The server answered, so it is up: no outage to note, and /readyz stays ready.
  if (err instanceof mongo.MongoServerError && hasMongoCode(err, 'MaxTimeMSExpired')) {
    return new AppError(504, 'QUERY_TIMEOUT', 'The database is up, but the query took too long and was stopped. Try again, or ask for fewer favorites with ?limit=.');
  }
  if (isUnreachable(err)) {
    database.noteFailure(err);
    const unavailable = databaseUnavailable(database, publicDiagnosis);
    if (method !== 'POST') return unavailable;
    // The insert may have reached MongoDB before the connection broke: say what a retry does.
    return new AppError(503, unavailable.code, `${unavailable.message} The favorite may or may not have been saved: retrying is safe, and a retry of a saved one answers 409 with it.`);
  }
  // Signed in as nobody, or as a user without the role: the database can't be used until that is fixed.
  if (err instanceof mongo.MongoServerError && hasMongoCode(err, 'Unauthorized')) {
    database.noteFailure(err);
    return databaseUnavailable(database, publicDiagnosis);
  }
  // Any other driver error while the database is known to be away is a symptom of that, not a bug.
  if (err instanceof mongo.MongoError && !database.isConnected()) return databaseUnavailable(database, publicDiagnosis);
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError(e.status, 'BAD_REQUEST', e.message ?? 'Bad request.');
  }
  return new AppError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.');
}
