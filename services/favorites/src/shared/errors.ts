/**
 * An error the API expects and can explain: it carries the HTTP status and a stable code that
 * clients can branch on. Anything else reaching the error middleware is a bug and becomes a 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** More members for the JSON body, beside code and message. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (message: string) => new AppError(404, 'NOT_FOUND', message);
