import type { IncomingMessage } from "node:http";

export const STAFF_COOKIE = "atrium_staff";

/** The console's cookie, or a bearer token (scripts). Session tokens are 43 base64url characters. */
export function sessionToken(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(req.headers.authorization ?? "");
  if (bearer) return bearer[1];
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === STAFF_COOKIE && value && /^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}
