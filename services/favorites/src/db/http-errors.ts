import type { Request, RequestHandler } from 'express';
import mongoose from 'mongoose';
import { AppError } from '../shared/errors';
import type { DatabaseStatus } from './connection';
import { hasMongoCode, wasInterrupted } from './errors';

// The database as HTTP clients meet it: a 503 while it is away, and the driver's errors as the API's
// own. app.ts hands these to the routes and the error handler, which know nothing of MongoDB.

/** Answers 503 at once while MongoDB is away, instead of letting a query wait for it. */
export function requireDatabase(database: DatabaseStatus, publicDiagnosis: boolean): RequestHandler {
  return (_req, _res, next) => {
    if (!database.isConnected()) throw databaseUnavailable(database, publicDiagnosis);
    next();
  };
}

function databaseUnavailable(database: DatabaseStatus, publicDiagnosis: boolean): AppError {
  const hint = publicDiagnosis ? database.currentFailure()?.hint : undefined;
  return new AppError(
    503,
    'DATABASE_UNAVAILABLE',
    `The database is unavailable${hint ? `: ${hint}` : '. Try again shortly.'}`,
  );
}

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
/**
 * Node's own socket errors, which the driver sometimes passes on unwrapped: a write to a socket
 * the server has just closed (a killed MongoDB) rejects with a bare EPIPE "This socket has been
 * ended by the other party". Only the database's errors reach this translator unwrapped (SWAPI's
 * are AppErrors already), so a socket error here is the database's.
 */
const SOCKET_ERRORS = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const isSocketError = (err: unknown) => SOCKET_ERRORS.has((err as { code?: unknown } | null)?.code as string);
const isUnreachable = (err: unknown) =>
  UNREACHABLE.some((type) => err instanceof type) || isSocketError(err) || wasInterrupted(err);

/**
 * What a mongoose or driver error means to the client, for the error handler (http/error-handler.ts);
 * undefined for an error that is neither. Errors that show the server unusable are noted as the
 * database's current failure.
 */
export function databaseErrors(database: DatabaseStatus, publicDiagnosis: boolean) {
  return (err: unknown, { method }: Pick<Request, 'method'>): AppError | undefined => {
    if (hasMongoCode(err, 'DuplicateKey')) return new AppError(409, 'DUPLICATE_FAVORITE', 'Favorite exists already!');
    if (err instanceof mongoose.Error.ValidationError) return new AppError(400, 'VALIDATION_FAILED', err.message);
    if (err instanceof mongoose.Error.CastError) return new AppError(400, 'INVALID_ID', err.message);
    // The server answered, so it is up: no outage to note, and /readyz stays ready.
    if (err instanceof mongo.MongoServerError && hasMongoCode(err, 'MaxTimeMSExpired')) {
      return new AppError(
        504,
        'QUERY_TIMEOUT',
        'MongoDB answered, but stopped the query at its time limit: it took too long. Try again, or ask for fewer favorites with ?limit=.',
      );
    }
    if (isUnreachable(err)) {
      database.noteFailure(err);
      const unavailable = databaseUnavailable(database, publicDiagnosis);
      if (method !== 'POST') return unavailable;
      // The insert may have reached MongoDB before the connection broke: say what a retry does.
      return new AppError(
        503,
        unavailable.code,
        `${unavailable.message} The favorite may or may not have been saved: retrying is safe, and a retry of a saved one answers 409 with it.`,
      );
    }
    // Signed in as nobody, or as a user without the role: the database can't be used until that is fixed.
    if (err instanceof mongo.MongoServerError && hasMongoCode(err, 'Unauthorized')) {
      database.noteFailure(err);
      return databaseUnavailable(database, publicDiagnosis);
    }
    // Any other driver error while the database is known to be away is a symptom of that, not a bug.
    if (err instanceof mongo.MongoError && !database.isConnected())
      return databaseUnavailable(database, publicDiagnosis);
    return undefined;
  };
}
