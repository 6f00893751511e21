import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidTokenError, signToken, type TokenClaims, verifyToken } from "../../../server/auth/tokens";

const SECRET = "showroom-test-secret";
const NOW = 1_750_000_000;

const guest: TokenClaims = {
  sub: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
  role: "customer",
  vid: "visitor-123",
  exp: NOW + 3600,
};

/** The error verifyToken throws, so its message can be checked; fails the test if it throws none. */
function rejection(token: unknown, options: { secret?: string; now?: number } = {}): InvalidTokenError {
  try {
    verifyToken(options.secret ?? SECRET, token, options.now ?? NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return error as InvalidTokenError;
  }
  throw new Error(`token ${String(token)} was accepted`);
}

/** A token over any body, signed correctly: what a forger with the secret, or a buggy signer, would make. */
function signedBody(body: string, secret = SECRET): string {
  const encoded = Buffer.from(body).toString("base64url");
  return `v1.${encoded}.${createHmac("sha256", secret).update(`v1.${encoded}`).digest("base64url")}`;
}

describe("join tokens", () => {
  it("carry their claims from the server that signed them back to it", () => {
    expect(verifyToken(SECRET, signToken(SECRET, guest), NOW)).toEqual(guest);
    const agent: TokenClaims = { sub: "staff-7", role: "agent", exp: NOW + 60 };
    expect(verifyToken(SECRET, signToken(SECRET, agent), NOW)).toEqual(agent);
  });

  it("tell the role they were issued for, so a customer token cannot pass for staff", () => {
    const claims = verifyToken(SECRET, signToken(SECRET, guest), NOW);
    expect(claims.role).toBe("customer");
    expect(claims.role).not.toBe("agent");
  });

  it("are refused when the body was changed, even to a well-formed one", () => {
    const [version, , signature] = signToken(SECRET, guest).split(".");
    const promoted = Buffer.from(JSON.stringify({ ...guest, role: "manager" })).toString("base64url");
    expect(rejection(`${version}.${promoted}.${signature}`).message).toBe(
      "the join token was not signed by this server",
    );
  });

  it("are refused when the signature was changed", () => {
    const token = signToken(SECRET, guest);
    const last = token.at(-1) === "A" ? "B" : "A";
    expect(rejection(token.slice(0, -1) + last).message).toBe("the join token was not signed by this server");
    expect(rejection(token.slice(0, -1)).message).toBe("the join token was not signed by this server");
    expect(rejection(`${token}A`).message).toBe("the join token was not signed by this server");
  });

  it("signed with another secret are refused", () => {
    expect(rejection(signToken("another-installation", guest)).message).toBe(
      "the join token was not signed by this server",
    );
  });

  it("are refused once expired, from the second of expiry", () => {
    const token = signToken(SECRET, { ...guest, exp: NOW + 10 });
    expect(verifyToken(SECRET, token, NOW + 9).sub).toBe(guest.sub);
    expect(rejection(token, { now: NOW + 10 }).message).toBe("the join token has expired: reload the page");
    expect(rejection(token, { now: NOW + 86_400 }).message).toMatch(/expired/);
  });

  it("that are not three dot-separated parts of the right version are malformed", () => {
    const [, body, signature] = signToken(SECRET, guest).split(".");
    for (const malformed of [
      "",
      "v1",
      `v1.${body}`,
      `v1..${signature}`,
      `v1.${body}.`,
      `v2.${body}.${signature}`,
      "...",
      "not a token",
    ]) {
      expect(rejection(malformed).message, JSON.stringify(malformed)).toBe("the join token is malformed");
    }
  });

  it("whose signed body is not valid claims are malformed", () => {
    const bodies = [
      "not json",
      "null",
      "[]",
      JSON.stringify({ role: "customer", exp: NOW + 60 }),
      JSON.stringify({ sub: "x", role: "admin", exp: NOW + 60 }),
      JSON.stringify({ sub: "x", role: "customer", exp: String(NOW + 60) }),
      JSON.stringify({ sub: "x", role: "customer", exp: NOW + 60, vid: 42 }),
      JSON.stringify({ sub: 7, role: "customer", exp: NOW + 60 }),
    ];
    for (const body of bodies) expect(rejection(signedBody(body)).message, body).toBe("the join token is malformed");
  });

  it("must be text of a sensible length", () => {
    for (const notText of [undefined, null, 42, { token: signToken(SECRET, guest) }, [signToken(SECRET, guest)]]) {
      expect(rejection(notText).message).toBe("a join token is required");
    }
    expect(rejection(signToken(SECRET, { ...guest, vid: "v".repeat(2048) })).message).toBe("a join token is required");
  });
});
