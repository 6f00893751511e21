import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import { and, eq, isNull, sql } from "drizzle-orm";
import { listShowrooms, loadCatalog, type CatalogProduct } from "../../db/catalog";
import { type Database, theRow } from "../../db/client";
import { customers } from "../../db/schema";
import type { GuestTokenResponse, ShowroomProductView, ShowroomView } from "../../schema/api";
import { staffForSession } from "../auth/staff";
import { sessionToken } from "../auth/staff-session";
import { signToken } from "../auth/tokens";
import { answerErrors, HttpError, notFound } from "./errors";
import { checkConsent, recordConsent } from "../privacy/consent";
import type { RecordingStoreCounters } from "../recording/store";
import type { RoomMetrics } from "../room/metrics";
import { uuidv7 } from "uuidv7";
import { setRetryAfter, type Throttles } from "./throttle";

export interface ApiServices {
  db: Database;
  secret: string;
  guestTokenTtlSeconds: number;
  metrics: Map<string, RoomMetrics>;
  throttles: Throttles;
  /** Bearer token for /api/metrics besides a manager's session. */
  metricsToken: string | undefined;
  /** The recording store's figures, when rooms are recorded. */
  recordings?: { counters(): RecordingStoreCounters };
}

const VISITOR_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** 32 random bytes, base64url. */
const VISITOR_SECRET = /^[A-Za-z0-9_-]{43}$/;

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
      const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
      const { visitorId, visitorSecret } = fields;
      if (visitorId !== undefined && (typeof visitorId !== "string" || !VISITOR_ID.test(visitorId)))
        throw new HttpError(400, "invalid_visitor_id", "visitorId must be 8-64 letters, digits, _ or -");
      if (visitorSecret !== undefined && (typeof visitorSecret !== "string" || !VISITOR_SECRET.test(visitorSecret)))
        throw new HttpError(400, "invalid_visitor_secret", "visitorSecret must be the 43 characters it was given as");
      const verdict = await services.throttles.guestToken(req.ip ?? "");
      if (!verdict.ok)
        throw new HttpError(
          429,
          "too_many_requests",
          `Too many visitors from your address just now: try again in ${setRetryAfter(res, verdict)}.`,
        );
      const consent = await checkConsent(services.db, fields);
      if (!consent.ok) throw new HttpError(400, consent.code, consent.message);
      const guest =
        (visitorId !== undefined && (await returningGuest(services.db, visitorId, visitorSecret))) ||
        (await newGuest(services.db));
      if (consent.record) await recordConsent(services.db, guest.customerId, consent.record);
      const exp = Math.floor(Date.now() / 1000) + services.guestTokenTtlSeconds;
      const response: GuestTokenResponse = {
        token: signToken(services.secret, { sub: guest.customerId, role: "customer", vid: guest.visitorId, exp }),
        visitorId: guest.visitorId,
        ...(guest.visitorSecret ? { visitorSecret: guest.visitorSecret } : {}),
        customerId: guest.customerId,
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

  // Operational timings and the process's figures: for managers and operators (ATRIUM_METRICS_TOKEN), the bench among them.
  router.get(
    "/metrics",
    route(async (req, res) => {
      if (!(await mayReadMetrics(services, req)))
        throw new HttpError(
          401,
          "unauthenticated",
          "The metrics are for managers (sign in to the console) or operators (Authorization: Bearer ATRIUM_METRICS_TOKEN).",
        );
      const seconds = Number(req.query.windowSeconds);
      const windowMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Infinity;
      const rooms = [...services.metrics.entries()].map(([roomId, metrics]) => ({
        roomId,
        ...metrics.snapshot(windowMs),
      }));
      res.json({
        cpu: process.cpuUsage(),
        memory: process.memoryUsage(),
        uptimeSeconds: process.uptime(),
        rooms,
        recordings: services.recordings?.counters() ?? null,
      });
    }),
  );

  router.use(notFound("No such API endpoint."));
  router.use(answerErrors("[http]"));
  return router;
}

interface Guest {
  customerId: string;
  visitorId: string;
  /** Given out once, when the customer is created (or, for one from before secrets, on its first return). */
  visitorSecret?: string;
}

/**
 * The customer a returning browser proves to be, by the secret it was given; undefined when the id
 * is unknown or the secret wrong (the caller then makes a new guest, so neither case is told apart).
 * A customer from before secrets, whose browser holds only the id, is given a secret on its first
 * return, once: the conditional UPDATE lets exactly one request claim it, and from then on the secret
 * is required.
 */
async function returningGuest(db: Database, visitorId: string, visitorSecret: unknown): Promise<Guest | undefined> {
  const [customer] = await db
    .select({ id: customers.id, secretHash: customers.visitorSecretHash })
    .from(customers)
    .where(eq(customers.visitorId, visitorId));
  if (!customer) return undefined;
  if (customer.secretHash === null) {
    const secret = newVisitorSecret();
    const claimed = await db
      .update(customers)
      .set({ visitorSecretHash: secret.hash, lastSeenAt: sql`now()` })
      .where(and(eq(customers.id, customer.id), isNull(customers.visitorSecretHash)))
      .returning({ id: customers.id });
    return claimed.length === 1 ? { customerId: customer.id, visitorId, visitorSecret: secret.value } : undefined;
  }
  if (typeof visitorSecret !== "string" || !sameHash(customer.secretHash, hashVisitorSecret(visitorSecret)))
    return undefined;
  await db.update(customers).set({ lastSeenAt: sql`now()` }).where(eq(customers.id, customer.id));
  return { customerId: customer.id, visitorId };
}

async function newGuest(db: Database): Promise<Guest> {
  const secret = newVisitorSecret();
  const visitorId = randomUUID();
  const row = theRow(
    await db
      .insert(customers)
      .values({ id: uuidv7(), visitorId, visitorSecretHash: secret.hash })
      .returning({ id: customers.id }),
    "inserting a guest",
  );
  return { customerId: row.id, visitorId, visitorSecret: secret.value };
}

function newVisitorSecret(): { value: string; hash: string } {
  const value = randomBytes(32).toString("base64url");
  return { value, hash: hashVisitorSecret(value) };
}

function hashVisitorSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

async function mayReadMetrics(services: ApiServices, req: Request): Promise<boolean> {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (services.metricsToken && bearer !== undefined) {
    const digest = (text: string) => createHash("sha256").update(text).digest();
    if (timingSafeEqual(digest(bearer), digest(services.metricsToken))) return true;
  }
  const token = sessionToken(req);
  const staff = token ? await staffForSession(services.db, token) : undefined;
  return staff?.role === "manager";
}

function _isBodyParserError(error: unknown): error is { status: number; message: string } {
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { status?: unknown }).status === "number" &&
    (error as { status: number }).status < 500
  );
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
