import { ServerError } from "@colyseus/core";
import { JoinErrorCode } from "../../schema/errors";
import { validateDisplayName } from "../../schema/messages";
import { InvalidTokenError, type TokenClaims, verifyToken } from "../auth/tokens";

/** What a client sends to enter a showroom (the SDK's join options). */
export interface JoinRequest {
  token?: unknown;
  name?: unknown;
  role?: unknown;
  ticketId?: unknown;
}

/**
 * Who was let in. Plain data: Colyseus carries it from the seat reservation to the join as JSON
 * (across processes, too), so the room builds the visitor's live parts at the join.
 */
export interface Admission {
  claims: TokenClaims;
  name: string;
}

/**
 * Who may take a seat, decided from the join request alone: a token this server signed, for the
 * role the client claims, and a display name that passes the validator. Runs when the seat is
 * requested (Colyseus's static onAuth), before any seat is reserved, so a request without a valid
 * token never holds a place in the showroom. Throws a ServerError the client shows as it is.
 */
export function admit(secret: string, request: JoinRequest | undefined): Admission {
  let claims: TokenClaims;
  try {
    claims = verifyToken(secret, request?.token);
  } catch (error) {
    if (error instanceof InvalidTokenError)
      throw new ServerError(JoinErrorCode.TokenRefused, `Cannot enter the showroom: ${error.message}.`);
    throw error;
  }
  if (request?.role !== undefined && request.role !== claims.role) {
    throw new ServerError(
      JoinErrorCode.Forbidden,
      `Cannot enter as "${String(request.role).slice(0, 20)}": this token was signed for a ${claims.role}.`,
    );
  }
  if (claims.role === "manager") {
    throw new ServerError(
      JoinErrorCode.Forbidden,
      "Managers watch showrooms from the console; only customers and agents enter.",
    );
  }
  const name = validateDisplayName(request?.name);
  if (!name.ok) throw new ServerError(JoinErrorCode.InvalidRequest, `Cannot enter the showroom: ${name.reason}.`);
  return { claims, name: name.value };
}

/** How many seats one customer, and one address, may ask for within a window. */
export interface SeatRequestLimits {
  perCustomer: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_SEAT_REQUEST_LIMITS: SeatRequestLimits = { perCustomer: 6, perAddress: 60, windowMs: 15_000 };

/**
 * Caps seat requests per customer and per address over a sliding window (the time a reserved seat
 * waits for its client), so nobody can hold a showroom full with reservations that never join.
 * Kept in the process that answers the request; a request refused here reserves nothing.
 */
export class SeatRequestLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly limits: SeatRequestLimits = DEFAULT_SEAT_REQUEST_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a request for the customer from the address; false (and nothing taken) when either is over its cap. */
  take(customerId: string, address: string | undefined): boolean {
    const now = this.now();
    const since = now - this.limits.windowMs;
    if (this.recent.size > 10_000) this.sweep(since);
    const keys: [string, number][] = [[`c:${customerId}`, this.limits.perCustomer]];
    if (address) keys.push([`a:${address}`, this.limits.perAddress]);
    const windows = keys.map(([key, limit]) => {
      const times = (this.recent.get(key) ?? []).filter((t) => t > since);
      return { key, limit, times };
    });
    if (windows.some((w) => w.times.length >= w.limit)) return false;
    for (const w of windows) {
      w.times.push(now);
      this.recent.set(w.key, w.times);
    }
    return true;
  }

  private sweep(since: number): void {
    for (const [key, times] of this.recent) if (!times.some((t) => t > since)) this.recent.delete(key);
  }
}
