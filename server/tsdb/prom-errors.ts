import "server-only";

// Prometheus's API answers: its JSON envelope, error types and their status codes.

export type PromErrorType =
  "bad_data" | "execution" | "timeout" | "canceled" | "internal" | "not_found" | "unavailable";

const STATUS: Record<PromErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 503,
  internal: 500,
  not_found: 404,
  unavailable: 503,
};

export class PromApiError extends Error {
  constructor(
    readonly errorType: PromErrorType,
    message: string,
  ) {
    super(message);
  }
}

export function promError(errorType: PromErrorType, error: string): Response {
  return Response.json(
    { status: "error", errorType, error },
    { status: STATUS[errorType], headers: { "cache-control": "no-store" } },
  );
}

export function promSuccess(data: unknown, extra: Record<string, unknown> = {}): Response {
  return Response.json(
    { status: "success", data, ...extra },
    { headers: { "cache-control": "no-store" } },
  );
}
