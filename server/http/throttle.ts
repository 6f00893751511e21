import { createHash } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
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
 * An "address" here is the client's network, as addressKey says: an IPv4 address, or the /64 prefix
 * of an IPv6 one, since anyone given one IPv6 address holds its whole /64.
 *
 * Staff sign-in is limited three ways, so that a stranger can neither guess at leisure nor lock a
 * real agent out: wrong passwords per (account, address) lock only that pair; attempts per address
 * across all accounts stop one address trying many; and the account's own count of wrong passwords
 * from anywhere (server/auth/staff.ts, MAX_FAILED_SIGN_INS) is a backstop against guessing from many
 * addresses. That backstop does not refuse an address where the account signed in within
 * KNOWN_ADDRESS_DAYS (knownAddress): strangers on many addresses lock the account for themselves,
 * not for the agent at their usual desk, who is still held to the per-pair limit.
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
/** How long an address where an account signed in stays known to it, past the account-wide lockout. */
export const KNOWN_ADDRESS_DAYS = 30;

/** The answer for a refused request: how long to wait, in whole seconds (at least 1). */
export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export class Throttles {
  private readonly guestTokens: RateLimiterDrizzle;
  private readonly signInPairs: RateLimiterDrizzle;
  private readonly signInAddresses: RateLimiterDrizzle;
  private readonly knownAddresses: RateLimiterDrizzle;

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
    this.knownAddresses = new RateLimiterDrizzle({
      ...store,
      keyPrefix: "signin-known",
      points: 1,
      duration: KNOWN_ADDRESS_DAYS * 24 * 3600,
    });
  }

  guestToken(address: string): Promise<Verdict> {
    return claim([this.guestTokens, addressKey(address)]);
  }

  /** Claims one try for this account from this address; a right password gives it back (signInSucceeded). */
  signInAttempt(email: string, address: string): Promise<Verdict> {
    return claim([this.signInPairs, pairKey(email, address)], [this.signInAddresses, addressKey(address)]);
  }

  /** Whether this account signed in from this address within KNOWN_ADDRESS_DAYS. */
  async knownAddress(email: string, address: string): Promise<boolean> {
    return (await this.knownAddresses.get(pairKey(email, address))) !== null;
  }

  async signInSucceeded(email: string, address: string): Promise<void> {
    await this.signInPairs.delete(pairKey(email, address));
    await this.signInAddresses.reward(addressKey(address), 1);
    await this.knownAddresses.set(pairKey(email, address), 1, KNOWN_ADDRESS_DAYS * 24 * 3600);
  }
}

/**
 * The network an address stands for: an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), an IPv6 address as its /64 prefix, the block one subscriber is given.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = "", tail] = address.split("%", 1)[0]?.split("::") ?? [];
  const headGroups = head === "" ? [] : head.split(":");
  // A dotted IPv4 tail (`64:ff9b::192.0.2.1`) fills the last two groups.
  const tailLength = tail ? tail.split(":").length + (tail.includes(".") ? 1 : 0) : 0;
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailLength).fill("0")];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
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
    .update(`${normalizeEmail(email)}\n${addressKey(address)}`)
    .digest("hex");
}
