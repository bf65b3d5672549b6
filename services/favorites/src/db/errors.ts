// MongoDB's error codes that the API tells apart, in one place, named as the server names them
// (the codeName beside the code in its errors).
export const MONGO_ERROR_CODES = {
  /** A command the signed-in user (or nobody) may not run. */
  Unauthorized: 13,
  /** Wrong user name or password, or no such user. */
  AuthenticationFailed: 18,
  /** A query MongoDB stopped at its maxTimeMS: the server is up, the query was slow. */
  MaxTimeMSExpired: 50,
  /** A command or option the server does not implement (FerretDB's answer to roles). */
  NotImplemented: 238,
  /** A write a unique index refused. */
  DuplicateKey: 11000,
  /** MongoDB is shutting down: a stop or restart caught the operation. */
  ShutdownInProgress: 91,
  /** The operation was stopped before it finished (the server shut down, stepped down, or was told to). */
  InterruptedAtShutdown: 11600,
  Interrupted: 11601,
  InterruptedDueToReplStateChange: 11602,
} as const;

export type MongoErrorName = keyof typeof MONGO_ERROR_CODES;

/** Whether an error (from the driver or the server) carries this MongoDB error code. */
export const hasMongoCode = (error: unknown, name: MongoErrorName): boolean =>
  (error as { code?: unknown } | null)?.code === MONGO_ERROR_CODES[name];

/** Codes that say the server stopped an operation before it finished: the database failed it, not the request. */
export const INTERRUPTED: readonly MongoErrorName[] = [
  'ShutdownInProgress',
  'InterruptedAtShutdown',
  'Interrupted',
  'InterruptedDueToReplStateChange',
];

export const wasInterrupted = (error: unknown): boolean => INTERRUPTED.some((name) => hasMongoCode(error, name));
