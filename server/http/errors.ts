import type { ErrorRequestHandler, RequestHandler } from "express";
import type { ApiError } from "../../schema/api";

/** Thrown inside a handler to answer with a 4xx and a message a person can act on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The last route of a router: anything not matched above is a 404 in the API's shape. */
export function notFound(message: string): RequestHandler {
  return (_req, _res, next) => next(new HttpError(404, "not_found", message));
}

/**
 * A router's error middleware: an HttpError (or what `known` makes of a module's own error)
 * answers as it says, a request the body parser refused answers with its 4xx, anything else is
 * logged under `logTag` and answered 500 without details. A response already under way (a stream)
 * is ended.
 */
export function answerErrors(logTag: string, known?: (error: unknown) => HttpError | undefined): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const answer = error instanceof HttpError ? error : (known?.(error) ?? asClientError(error));
    const status = answer?.status ?? 500;
    const body: ApiError = answer
      ? { error: answer.code, message: answer.message }
      : { error: "internal", message: "Something went wrong on the server; it has been logged." };
    if (status >= 500) console.error(logTag, error);
    if (!res.headersSent) res.status(status).json(body);
    else res.end();
  };
}

/** "a", "b" or "c": the allowed values, for a message that says what to send instead. */
export function quotedChoices(values: readonly string[]): string {
  const quoted = values.map((value) => `"${value}"`);
  return quoted.length < 2 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/** Express's body parser rejects a malformed or oversized body with a 4xx status on the error. */
function asClientError(error: unknown): HttpError | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== "number" || status < 400 || status >= 500) return undefined;
  return new HttpError(status, "bad_request", error instanceof Error ? error.message : "bad request");
}
