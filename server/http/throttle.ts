import { createHash } from "node:crypto";
import type { Response } from "express";
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "../../db/client";
import { rateLimits } from "../../db/schema";
import { normalizeEmail } from "../auth/staff";

/**
 * Per-address limits on the costly anonymous requests, counted in Postgres (`rate_limits`) so every
 * process of an installation shares them. Each limiter claims its point before the work is done,
 * so racing requests cannot do more than the limit allows.
 *
 * Staff sign-in is limited three ways, so that a stranger can neither guess at leisure nor lock a
 * real agent out: wrong passwords per (account, address) lock only that pair; attempts per address
 * across all accounts stop one address trying many; and the account's own count of wrong passwords
 * from anywhere (server/auth/staff.ts, MAX_FAILED_SIGN_INS) is much higher, a backstop against
 * guessing from many addresses.
 */

export interface ThrottleLimits {
  /** New guest identities per address per GUEST_TOKEN_WINDOW_SECONDS (each creates a customer row). */
  guestTokensPerAddress: number;
}

const GUEST_TOKEN_WINDOW_SECONDS = 10 * 60;
/** Wrong passwords for one account from one address before that pair waits SIGN_IN_WINDOW_SECONDS. */
export const SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5;
/** Sign-in attempts from one address, over all accounts, per SIGN_IN_WINDOW_SECONDS (successes are given back). */
export const SIGN_IN_ATTEMPTS_PER_ADDRESS = 30;
const SIGN_IN_WINDOW_SECONDS = 15 * 60;

/** The answer for a refused request: how long to wait, in whole seconds (at least 1). */
export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export class Throttles {
  private readonly guestTokens: RateLimiterDrizzle;
  private readonly signInPairs: RateLimiterDrizzle;
  private readonly signInAddresses: RateLimiterDrizzle;

  constructor(db: Database, limits: ThrottleLimits) {
    // Drizzle's statements are unnamed: the embedded Postgres is one session for all connections,
    // where the named statements of RateLimiterPostgres would collide.
    const store = { storeClient: db, schema: rateLimits };
    this.guestTokens = new RateLimiterDrizzle({
      ...store,
      keyPrefix: "guest",
      points: limits.guestTokensPerAddress,
      duration: GUEST_TOKEN_WINDOW_SECONDS,
    });
    this.signInPairs = new RateLimiterDrizzle({
      ...store,
      keyPrefix: "signin-pair",
      points: SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
      duration: SIGN_IN_WINDOW_SECONDS,
    });
    this.signInAddresses = new RateLimiterDrizzle({
      ...store,
      keyPrefix: "signin-address",
      points: SIGN_IN_ATTEMPTS_PER_ADDRESS,
      duration: SIGN_IN_WINDOW_SECONDS,
    });
  }

  guestToken(address: string): Promise<Verdict> {
    return claim([this.guestTokens, address]);
  }

  /** Claims one try for this account from this address; a right password gives it back (signInSucceeded). */
  signInAttempt(email: string, address: string): Promise<Verdict> {
    return claim([this.signInPairs, pairKey(email, address)], [this.signInAddresses, address]);
  }

  async signInSucceeded(email: string, address: string): Promise<void> {
    await this.signInPairs.delete(pairKey(email, address));
    await this.signInAddresses.reward(address, 1);
  }
}

/** Sets Retry-After on the response for a refusal and says the wait in words; the caller answers 429. */
export function setRetryAfter(res: Response, verdict: Verdict & { ok: false }): string {
  res.setHeader("Retry-After", String(verdict.retryAfterSeconds));
  const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
  return verdict.retryAfterSeconds < 90 ? `${verdict.retryAfterSeconds} seconds` : `${minutes} minutes`;
}

/** Claims a point from each limiter in turn; the first refusal ends it, so a refused try costs the later ones nothing. */
async function claim(...claims: [RateLimiterDrizzle, string][]): Promise<Verdict> {
  for (const [limiter, key] of claims) {
    try {
      await limiter.consume(key);
    } catch (refusal) {
      // consume rejects with the counter's state when over the limit, with an Error when the store failed.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
    }
  }
  return { ok: true };
}

/** Emails may be long and are personal data: the counter is keyed by a hash of the pair. */
function pairKey(email: string, address: string): string {
  return createHash("sha256")
    .update(`${normalizeEmail(email)}\n${address}`)
    .digest("hex");
}
