import proxyaddr from "proxy-addr";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { matchMaker } from "@colyseus/core";

/**
 * What every HTTP request passes before anything reads it. Colyseus answers /matchmake/* from its
 * own "request" listener, ahead of Express, and reads those bodies itself (up to 1 MB, after buffering
 * them whole), so the limits live on the HTTP server, in front of every listener.
 */

/** No request Atrium serves carries more: JSON bodies of a few fields. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface FrontDoorOptions {
  maxBodyBytes: number;
  /** Which proxies' X-Forwarded-For to believe (ATRIUM_TRUST_PROXY): false, a number of hops, or their addresses. */
  trustProxy: boolean | number | string;
  /** Other origins allowed to call with credentials (cookies); same-origin requests need no CORS at all. */
  allowedOrigins: readonly string[];
}

/**
 * Refuses, before any listener sees it, a body over the limit (413: its Content-Length says so,
 * and Node's parser never delivers more bytes than that) or one sent without a length (411:
 * chunked uploads could otherwise grow without bound). Call after the server's listeners are
 * in place, i.e. after Colyseus's `listen()`.
 */
export function guardRequests(server: HttpServer, options: FrontDoorOptions): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  const trust = compileTrust(options.trustProxy);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // Colyseus's matchmaker takes the client's address from X-Real-IP / X-Forwarded-For, believing any
    // client, and has no socket address over HTTP: it is given the one the trusted proxies vouch for.
    req.headers["x-real-ip"] = proxyaddr(req, trust);
    delete req.headers["x-client-ip"];
    const refusal = bodyRefusal(req, options.maxBodyBytes);
    if (refusal) {
      refuse(req, res, refusal.status, refusal.error, refusal.message);
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
  allowOnlyConfiguredOrigins(options.allowedOrigins);
}

/** The client's address: the socket's, or what the trusted proxies in front of it say (as Express's `trust proxy`). */
function compileTrust(setting: boolean | number | string): (address: string, hop: number) => boolean {
  if (setting === false) return () => false;
  if (setting === true) return () => true;
  if (typeof setting === "number") return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting.split(",").map((part) => part.trim()));
}

function bodyRefusal(
  req: IncomingMessage,
  maxBodyBytes: number,
): { status: number; error: string; message: string } | undefined {
  const length = req.headers["content-length"];
  if (length !== undefined) {
    if (Number(length) > maxBodyBytes)
      return {
        status: 413,
        error: "body_too_large",
        message: `A request body may be at most ${maxBodyBytes} bytes.`,
      };
    return undefined;
  }
  if (req.headers["transfer-encoding"] !== undefined)
    return { status: 411, error: "length_required", message: "A request body must state its Content-Length." };
  return undefined;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string, message: string): void {
  const body = JSON.stringify({ error, message });
  // The rest of the body is not read: the connection closes after the answer.
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  res.end(body, () => req.destroy());
}

/**
 * Colyseus puts its CORS headers on every response (its router's listener runs before Express),
 * by default echoing any Origin with Allow-Credentials. Only the configured origins get them now;
 * a page of any other origin cannot read what it makes a visitor's or agent's browser fetch.
 *
 * This is process-wide: @colyseus/core 0.18's routers (router/node.ts, router/index.ts) read the
 * module singleton `matchMaker.controller` on each request, and offer no per-server hook. A process
 * runs one server, whose start sets it; servers started side by side in one process (tests) must be
 * given the same origins.
 */
function allowOnlyConfiguredOrigins(allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins);
  const controller = matchMaker.controller as { DEFAULT_CORS_HEADERS: Record<string, string> } & Pick<
    typeof matchMaker.controller,
    "getCorsHeaders"
  >;
  const {
    "Access-Control-Allow-Origin": _origin,
    "Access-Control-Allow-Credentials": _credentials,
    ...withoutOrigin
  } = controller.DEFAULT_CORS_HEADERS;
  controller.DEFAULT_CORS_HEADERS = { ...withoutOrigin, Vary: "Origin" };
  controller.getCorsHeaders = (headers: Headers): Record<string, string> => {
    const origin = headers.get("origin");
    if (origin === null || !allowed.has(origin)) return {};
    return { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true" };
  };
}
