import type express from "express";

/**
 * Who may call a route:
 * - public: anyone, without credentials;
 * - customer: a guest token (Authorization: Bearer, or the join token in a matchmaking request);
 * - self: a customer's guest token, for the customer the path names (another customer's: 403);
 * - agent, manager: a staff session (the console's cookie) of that role; staff: either;
 * - operator: Authorization: Bearer ATRIUM_METRICS_TOKEN.
 * The rest are answered 401 without credentials the route takes and 403 with the wrong ones.
 */
export type Access = "public" | "customer" | "self" | "agent" | "manager" | "staff" | "operator";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RouteRule {
  method: HttpMethod;
  /** The full path as registered, Express parameters included. */
  path: string;
  access: readonly Access[];
  /** Colyseus answers these itself, ahead of Express. */
  servedBy?: "colyseus";
}

/**
 * Every HTTP route the server answers, with who may call it. Static files (express.static) are
 * public and not routes; everything else is listed here, and tests/integration/access-matrix.test.ts
 * fails when a router registers a route this table does not name, or the table names one that is gone.
 */
export const ROUTE_TABLE: readonly RouteRule[] = [
  { method: "GET", path: "/healthz", access: ["public"] },
  { method: "GET", path: "/agent", access: ["public"] },
  { method: "GET", path: "/privacy", access: ["public"] },
  // The recordings list page is public; its data (/api/recordings) needs a staff session.
  { method: "GET", path: "/manager/recordings", access: ["public"] },
  // The replay page itself is public; its data (/api/recordings) answers managers, and agents for their tickets.
  { method: "GET", path: "/manager/recordings/:id", access: ["public"] },
  { method: "GET", path: "/showroom/:slug", access: ["public"] },
  { method: "GET", path: "/", access: ["public"] },
  { method: "POST", path: "/api/guest-token", access: ["public"] },
  { method: "GET", path: "/api/showrooms", access: ["public"] },
  { method: "GET", path: "/api/showrooms/:slug", access: ["public"] },
  { method: "GET", path: "/api/metrics", access: ["manager", "operator"] },
  { method: "GET", path: "/api/me/data", access: ["customer"] },
  { method: "DELETE", path: "/api/me/data", access: ["customer"] },
  { method: "GET", path: "/api/support/customers/:customer/export", access: ["manager", "self"] },
  { method: "POST", path: "/api/support/customers/:customer/erase", access: ["manager", "self"] },
  { method: "GET", path: "/api/support/audit", access: ["manager"] },
  { method: "POST", path: "/api/support/sign-in", access: ["public"] },
  { method: "POST", path: "/api/support/sign-out", access: ["staff"] },
  { method: "GET", path: "/api/support/me", access: ["staff"] },
  { method: "GET", path: "/api/support/queue", access: ["staff"] },
  { method: "GET", path: "/api/support/queue/stream", access: ["staff"] },
  { method: "PUT", path: "/api/support/presence", access: ["agent"] },
  { method: "POST", path: "/api/support/tickets/:id/accept", access: ["agent"] },
  { method: "POST", path: "/api/support/tickets/:id/release", access: ["agent"] },
  { method: "POST", path: "/api/support/tickets/:id/resolve", access: ["agent"] },
  { method: "GET", path: "/api/support/tickets/:id", access: ["staff"] },
  { method: "POST", path: "/api/support/tickets/:id/notes", access: ["staff"] },
  { method: "POST", path: "/api/support/floor-token", access: ["agent"] },
  { method: "POST", path: "/api/support/room-token", access: ["agent"] },
  { method: "GET", path: "/api/support/canned-responses", access: ["staff"] },
  { method: "GET", path: "/api/support/agents", access: ["manager"] },
  { method: "GET", path: "/api/support/metrics", access: ["manager"] },
  // Recordings: managers see all; an agent sees the stretch of one during a ticket they held (403 otherwise).
  { method: "GET", path: "/api/recordings", access: ["staff"] },
  { method: "GET", path: "/api/recordings/:id", access: ["staff"] },
  { method: "GET", path: "/api/recordings/:id/chunks/:seq", access: ["staff"] },
  // Agents enter with a room or floor token from /api/support, which only agents get.
  // Its methods: joinOrCreate, create, join, joinById, reconnect (the last takes a seat's reconnection token instead).
  { method: "POST", path: "/matchmake/:method/:roomName", access: ["customer"], servedBy: "colyseus" },
  // Colyseus's own liveness answer ("OK"); /healthz is the server's, with the database.
  { method: "GET", path: "/__healthcheck", access: ["public"], servedBy: "colyseus" },
];

/** The server's Express routers, by the name MOUNTS gives each. */
export interface HttpRouters {
  privacy: express.Router;
  support: express.Router;
  recordings: express.Router;
  api: express.Router;
  health: express.Router;
  client: express.Router;
}

/**
 * Where each router is mounted, in order: the privacy router serves /api/support/customers and
 * /api/support/audit, so it comes before the consoles' router (whose 404 would answer them), and
 * the browser app, with its catch-all static files, comes last.
 */
export const MOUNTS: ReadonlyArray<{ at: string; router: keyof HttpRouters }> = [
  { at: "/api", router: "privacy" },
  { at: "/api/support", router: "support" },
  { at: "/api/recordings", router: "recordings" },
  { at: "/api", router: "api" },
  { at: "/", router: "health" },
  { at: "/", router: "client" },
];

export function mountRouters(app: express.Application, routers: HttpRouters): void {
  for (const mount of MOUNTS) app.use(mount.at, routers[mount.router]);
}

interface StackLayer {
  route?: { path: string | string[]; methods: Record<string, boolean | undefined> };
  handle?: { stack?: unknown };
}

/**
 * Every route the mounted routers register, as "METHOD /full/path", read from the routers'
 * stacks. A router nested inside one of them would hide its routes from this list, so it throws.
 */
export function registeredRoutes(routers: HttpRouters): string[] {
  const found: string[] = [];
  for (const mount of MOUNTS) {
    const prefix = mount.at === "/" ? "" : mount.at;
    for (const layer of routers[mount.router].stack as StackLayer[]) {
      if (!layer.route) {
        if (Array.isArray(layer.handle?.stack))
          throw new Error(`a router nested in the ${mount.router} router: mount it through MOUNTS instead`);
        continue;
      }
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const method of Object.keys(layer.route.methods).filter((m) => layer.route?.methods[m])) {
        for (const path of paths)
          found.push(`${method.toUpperCase()} ${path === "/" && prefix ? prefix : prefix + path}`);
      }
    }
  }
  return found;
}
