import { randomUUID } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import { sql } from "drizzle-orm";
import { listShowrooms, loadCatalog, type CatalogProduct } from "../../db/catalog";
import type { Database } from "../../db/client";
import { customers } from "../../db/schema";
import type { GuestTokenResponse, ShowroomProductView, ShowroomView } from "../../schema/api";
import { signToken } from "../auth/tokens";
import { answerErrors, HttpError, notFound } from "./errors";
import { checkConsent, recordConsent } from "../privacy/consent";
import type { RoomMetrics } from "../room/metrics";
import { uuidv7 } from "uuidv7";

export interface ApiServices {
  db: Database;
  secret: string;
  guestTokenTtlSeconds: number;
  metrics: Map<string, RoomMetrics>;
}

const VISITOR_ID = /^[A-Za-z0-9_-]{8,64}$/;

type Handler = (req: Request, res: Response) => Promise<unknown>;

/** Lets async handlers throw; the error middleware below answers. */
const route = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
  handler(req, res).catch(next);
};

export function apiRouter(services: ApiServices): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: "16kb" }));

  router.post(
    "/guest-token",
    route(async (req, res) => {
      const body: unknown = req.body ?? {};
      const requested =
        typeof body === "object" && body !== null ? (body as Record<string, unknown>).visitorId : undefined;
      if (requested !== undefined && (typeof requested !== "string" || !VISITOR_ID.test(requested))) {
        throw new HttpError(400, "invalid_visitor_id", "visitorId must be 8-64 letters, digits, _ or -");
      }
      const consent = await checkConsent(services.db, body as Record<string, unknown>);
      if (!consent.ok) throw new HttpError(400, consent.code, consent.message);
      const visitorId = (requested as string | undefined) ?? randomUUID();
      const rows = await services.db
        .insert(customers)
        .values({ id: uuidv7(), visitorId })
        .onConflictDoUpdate({ target: customers.visitorId, set: { lastSeenAt: sql`now()` } })
        .returning({ id: customers.id });
      const customerId = rows[0].id;
      if (consent.record) await recordConsent(services.db, customerId, consent.record);
      const exp = Math.floor(Date.now() / 1000) + services.guestTokenTtlSeconds;
      const response: GuestTokenResponse = {
        token: signToken(services.secret, { sub: customerId, role: "customer", vid: visitorId, exp }),
        visitorId,
        customerId,
        expiresAt: new Date(exp * 1000).toISOString(),
      };
      res.json(response);
    }),
  );

  router.get(
    "/showrooms",
    route(async (_req, res) => {
      const rows = await listShowrooms(services.db);
      res.json(rows.map((s) => ({ slug: s.slug, name: s.name })));
    }),
  );

  router.get(
    "/showrooms/:slug",
    route(async (req, res) => {
      const slug = String(req.params.slug);
      const catalog = await loadCatalog(services.db, slug);
      if (!catalog) throw new HttpError(404, "unknown_showroom", `There is no showroom called "${slug}".`);
      const view: ShowroomView = {
        slug: catalog.showroom.slug,
        name: catalog.showroom.name,
        bounds: catalog.showroom.bounds,
        spawn: catalog.showroom.spawn,
        capacity: catalog.showroom.capacity,
        requiresConsent: catalog.showroom.requiresConsent,
        products: catalog.products.map(productView),
      };
      res.json(view);
    }),
  );

  // Operational timings (no personal data): what the bench reads, and what a dashboard would.
  router.get("/metrics", (req, res) => {
    const seconds = Number(req.query.windowSeconds);
    const windowMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Infinity;
    const rooms = [...services.metrics.entries()].map(([roomId, metrics]) => ({
      roomId,
      ...metrics.snapshot(windowMs),
    }));
    res.json({ cpu: process.cpuUsage(), memory: process.memoryUsage(), uptimeSeconds: process.uptime(), rooms });
  });

  router.use(notFound("No such API endpoint."));
  router.use(answerErrors("[http]"));
  return router;
}

/** What a browser sees of a product: everything but the database's own columns, with the price in currency units. */
function productView({
  id: _id,
  showroomId: _showroom,
  updatedAt: _updated,
  priceCents,
  ...product
}: CatalogProduct): ShowroomProductView {
  return { ...product, price: priceCents / 100 };
}
