import { createHmac, timingSafeEqual } from "node:crypto";
import { isRole, type Role } from "../../schema/roles";

/** What a signed join token vouches for. */
export interface TokenClaims {
  /** Customer id (for customers) or staff account id. */
  sub: string;
  role: Role;
  /** The browser's visitor id, for customers. */
  vid?: string;
  /**
   * For agents: the showroom (id) the token was made for, and the ticket (id) when it was made to
   * help one. An agent token enters that showroom only, for that ticket or, without one, as a
   * visible agent walking the floor on purpose.
   */
  shw?: string;
  tid?: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const VERSION = "v1";

function sign(secret: string, body: string): string {
  return createHmac("sha256", secret).update(`${VERSION}.${body}`).digest("base64url");
}

export function signToken(secret: string, claims: TokenClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${VERSION}.${body}.${sign(secret, body)}`;
}

export class InvalidTokenError extends Error {}

/** Checks signature and expiry; throws InvalidTokenError with a reason a person can act on. */
export function verifyToken(
  secret: string,
  token: unknown,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): TokenClaims {
  if (typeof token !== "string" || token.length > 2048) throw new InvalidTokenError("a join token is required");
  const [version, body, signature] = token.split(".");
  if (version !== VERSION || !body || !signature) throw new InvalidTokenError("the join token is malformed");
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new InvalidTokenError("the join token was not signed by this server");
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    throw new InvalidTokenError("the join token is malformed");
  }
  if (!isClaims(claims)) throw new InvalidTokenError("the join token is malformed");
  if (claims.exp <= nowSeconds) throw new InvalidTokenError("the join token has expired: reload the page");
  return claims;
}

function isClaims(value: unknown): value is TokenClaims {
  if (typeof value !== "object" || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    typeof claims.sub === "string" &&
    isRole(claims.role) &&
    typeof claims.exp === "number" &&
    (claims.vid === undefined || typeof claims.vid === "string") &&
    (claims.shw === undefined || typeof claims.shw === "string") &&
    (claims.tid === undefined || typeof claims.tid === "string")
  );
}
