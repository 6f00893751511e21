import { setTimeout as sleep } from "node:timers/promises";
import express, { type NextFunction, type Request, type Response } from "express";
import { and, eq, lt, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { type Database, theRow } from "../../db/client";
import { agentPresence, showrooms, staffAccounts, supportNotes, supportTickets } from "../../db/schema";
import { TICKET_ID } from "../../schema/messages";
import { STAFF_ROLES, type StaffRole } from "../../schema/roles";
import {
  AGENT_STATUSES,
  type AgentStatus,
  type NoteView,
  type PresenceView,
  type FloorTokenResponse,
  type RoomTokenResponse,
  type SignInResponse,
  type StaffView,
  type TicketDetail,
} from "../../schema/support";
import { MAX_PASSWORD_LENGTH, signIn, signOut, staffForSession, type StaffIdentity } from "../auth/staff";
import { sessionToken, STAFF_COOKIE } from "../auth/staff-session";
import { signToken } from "../auth/tokens";
import { answerErrors, HttpError, notFound, quotedChoices } from "../http/errors";
import { recordStaffAccess } from "../privacy/audit";
import { setRetryAfter, type Throttles } from "../http/throttle";
import { CANNED_RESPONSES } from "./canned";
import type { SupportConfig } from "./config";
import { supportMetrics } from "./measures";
import { acceptTicket, heldTicket, releaseTicket, resolveTicket, SupportError, type SupportErrorCode } from "./tickets";
import { presenceOf, queueSnapshot, ticketDetail, ticketsHeldBy } from "./views";

export interface SupportApiServices {
  db: Database;
  secret: string;
  config: SupportConfig;
  throttles: Throttles;
  log: (line: string) => void;
}

export { STAFF_COOKIE };
/** Long enough to join the room after accepting; the room checks the ticket again on join. */
const ROOM_TOKEN_SECONDS = 300;
const MAX_NOTE_LENGTH = 2000;
/** How often an open console's queue is re-read: a new request shows within a second. */
const QUEUE_STREAM_POLL_MS = 500;
/** Per session and process: a console opens one per tab. */
const MAX_STREAMS_PER_SESSION = 4;
/** What Postgres timestamps and the figures can sensibly span. */
const EARLIEST_DATE = Date.UTC(2000, 0, 1);
const LATEST_DATE = Date.UTC(10000, 0, 1);

const STATUS_OF: Record<SupportErrorCode, number> = {
  not_found: 404,
  not_yours: 403,
  taken: 409,
  already_accepted: 409,
  closed: 409,
  not_online: 409,
  at_capacity: 409,
  not_resolved: 409,
  already_rated: 409,
};

interface Signed {
  staff: StaffIdentity;
  token: string;
}

type Handler = (req: Request, res: Response, signed: Signed) => Promise<unknown>;

/**
 * The consoles' API under /api/support. Every route but sign-in needs a live staff session (401
 * without one) and names the roles it serves (403 for the others); every input is checked here.
 */
export function supportRouter(services: SupportApiServices): express.Router {
  const { db, config } = services;
  const router = express.Router();
  router.use(express.json({ limit: "16kb" }));
  /** This process's open queue streams, per session token. */
  const openStreams = new Map<string, Set<AbortController>>();

  /** A route for the given roles; agents' requests also tell routing their console is alive. */
  const staffRoute =
    (roles: readonly StaffRole[], handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
      (async () => {
        const signed = await authenticate(db, req);
        if (!roles.includes(signed.staff.role))
          throw new HttpError(403, "forbidden", `This needs a ${roles.join(" or ")} account.`);
        if (signed.staff.role === "agent") await touchPresence(db, signed.staff.id, config.presenceTtlSeconds);
        await handler(req, res, signed);
      })().catch(next);
    };
  const agent = ["agent"] as const;
  const manager = ["manager"] as const;
  const staff = STAFF_ROLES;

  router.post("/sign-in", (req, res, next) => {
    (async () => {
      const body = record(req.body);
      const email = body.email;
      const password = body.password;
      if (typeof email !== "string" || email.length === 0 || email.length > 320)
        throw new HttpError(400, "invalid_email", "email must be a non-empty string");
      if (typeof password !== "string" || password.length === 0 || password.length > MAX_PASSWORD_LENGTH)
        throw new HttpError(400, "invalid_password", "password must be a non-empty string");
      const address = req.ip ?? "";
      const verdict = await services.throttles.signInAttempt(email, address);
      if (!verdict.ok)
        throw new HttpError(
          429,
          "too_many_attempts",
          `Too many sign-in attempts from your address: try again in ${setRetryAfter(res, verdict)}.`,
        );
      const knownAddress = await services.throttles.knownAddress(email, address);
      const result = await signIn(db, email, password, config.staffSessionHours, { knownAddress });
      if (result.ok) await services.throttles.signInSucceeded(email, address);
      // A locked account answers like a wrong password: a different reply would tell which addresses have accounts.
      if (!result.ok)
        throw new HttpError(
          401,
          "invalid_credentials",
          "The email or the password is wrong, or the account is locked for a few minutes after too many wrong passwords.",
        );
      const secure = req.secure ? "; Secure" : "";
      res.setHeader(
        "set-cookie",
        `${STAFF_COOKIE}=${result.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${config.staffSessionHours * 3600}${secure}`,
      );
      const response: SignInResponse = { staff: staffView(result.staff), expiresAt: result.expiresAt.toISOString() };
      res.json(response);
    })().catch(next);
  });

  router.post(
    "/sign-out",
    staffRoute(staff, async (_req, res, { token }) => {
      await signOut(db, token);
      res.setHeader("set-cookie", `${STAFF_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      res.json({ ok: true });
    }),
  );

  router.get(
    "/me",
    staffRoute(staff, async (_req, res, { staff: me }) => {
      res.json({ staff: staffView(me), presence: me.role === "agent" ? await presenceOf(db, me.id) : null });
    }),
  );

  router.get(
    "/queue",
    staffRoute(staff, async (_req, res, { staff: me }) => {
      res.json(await queueSnapshot(db, me));
    }),
  );

  router.get(
    "/queue/stream",
    staffRoute(staff, async (_req, res, { staff: me, token }) => {
      // The client may have gone while the session was being checked: then the close already happened.
      const ended = new AbortController();
      res.on("close", () => ended.abort());
      if (res.destroyed) return;
      const sessionStreams = openStreams.get(token) ?? new Set<AbortController>();
      openStreams.set(token, sessionStreams);
      // A connection that died without a word still counts until TCP gives up; a new stream replaces the oldest.
      if (sessionStreams.size >= MAX_STREAMS_PER_SESSION) sessionStreams.values().next().value?.abort();
      sessionStreams.add(ended);
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, (error) => error && ended.abort());
      try {
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        });
        res.flushHeaders();
        let last = "";
        let quietTicks = 0;
        // Backed by a DB poll, so a change made by any process shows here within one interval.
        while (!ended.signal.aborted) {
          try {
            const signed = await staffForSession(db, token);
            if (!signed) {
              send("signed-out", {});
              break;
            }
            if (ended.signal.aborted) break;
            if (me.role === "agent") await touchPresence(db, me.id, config.presenceTtlSeconds);
            const snapshot = await queueSnapshot(db, me);
            const { at: _at, ...content } = snapshot;
            const key = JSON.stringify(content);
            if (key !== last || ++quietTicks >= 30) {
              send("queue", snapshot);
              last = key;
              quietTicks = 0;
            }
          } catch (error) {
            // The console shows this; what went wrong (a database error's text) goes to the log only.
            services.log(`[support] queue stream could not read the queue: ${(error as Error).message}`);
            send("trouble", { message: "The queue cannot be read right now; retrying." });
          }
          await sleep(QUEUE_STREAM_POLL_MS, undefined, { signal: ended.signal }).catch(() => undefined);
        }
      } finally {
        sessionStreams.delete(ended);
        if (sessionStreams.size === 0) openStreams.delete(token);
        res.end();
      }
    }),
  );

  router.put(
    "/presence",
    staffRoute(agent, async (req, res, { staff: me }) => {
      const body = record(req.body);
      const extra = Object.keys(body).find((key) => key !== "status" && key !== "capacity");
      if (extra) throw new HttpError(400, "invalid_presence", `unexpected field "${extra}"`);
      const status = body.status;
      const capacity = body.capacity;
      if (status !== undefined && !(AGENT_STATUSES as readonly unknown[]).includes(status))
        throw new HttpError(400, "invalid_status", `status must be ${quotedChoices(AGENT_STATUSES)}`);
      if (
        capacity !== undefined &&
        (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1 || capacity > 20)
      )
        throw new HttpError(400, "invalid_capacity", "capacity must be a whole number from 1 to 20");
      if (status === undefined && capacity === undefined)
        throw new HttpError(400, "invalid_presence", "send a status, a capacity or both");
      const set = {
        ...(status ? { status: status as AgentStatus } : {}),
        ...(capacity !== undefined ? { capacity: capacity as number } : {}),
        lastSeenAt: new Date(),
      };
      await db
        .insert(agentPresence)
        .values({ staffId: me.id, ...set })
        .onConflictDoUpdate({ target: agentPresence.staffId, set });
      const presence: PresenceView | null = await presenceOf(db, me.id);
      res.json(presence);
    }),
  );

  router.post(
    "/tickets/:id/accept",
    staffRoute(agent, async (req, res, { staff: me }) => {
      const ticket = await acceptTicket(db, me.id, ticketIdParam(req));
      res.json(await auditedTicketDetail(db, me, ticket.id));
    }),
  );

  router.post(
    "/tickets/:id/release",
    staffRoute(agent, async (req, res, { staff: me }) => {
      const ticket = await releaseTicket(db, me.id, ticketIdParam(req));
      res.json({ ticketId: ticket.id, status: ticket.status });
    }),
  );

  router.post(
    "/tickets/:id/resolve",
    staffRoute(agent, async (req, res, { staff: me }) => {
      const ticket = await resolveTicket(db, me.id, ticketIdParam(req));
      res.json({ ticketId: ticket.id, status: ticket.status });
    }),
  );

  router.get(
    "/tickets/:id",
    staffRoute(staff, async (req, res, { staff: me }) => {
      const ticketId = ticketIdParam(req);
      if (me.role === "agent") await visibleToAgent(db, me.id, ticketId);
      res.json(await auditedTicketDetail(db, me, ticketId));
    }),
  );

  router.post(
    "/tickets/:id/notes",
    staffRoute(staff, async (req, res, { staff: me }) => {
      const ticketId = ticketIdParam(req);
      const body = record(req.body);
      const text = typeof body.text === "string" ? body.text.trim() : "";
      if (text.length === 0 || text.length > MAX_NOTE_LENGTH)
        throw new HttpError(400, "invalid_note", `text must be 1-${MAX_NOTE_LENGTH} characters`);
      const ticket = me.role === "agent" ? await heldTicket(db, me.id, ticketId) : await anyTicket(db, ticketId);
      const note = theRow(
        await db
          .insert(supportNotes)
          .values({ id: uuidv7(), customerId: ticket.customerId, ticketId, authorId: me.id, text })
          .returning(),
        "inserting a note",
      );
      const view: NoteView = {
        id: note.id,
        ticketId,
        author: me.displayName,
        text: note.text,
        createdAt: note.createdAt.toISOString(),
      };
      res.status(201).json(view);
    }),
  );

  router.post(
    "/floor-token",
    staffRoute(agent, async (req, res, { staff: me }) => {
      const slug = record(req.body).slug;
      if (typeof slug !== "string" || slug.length === 0 || slug.length > 80)
        throw new HttpError(400, "invalid_slug", "slug must name a showroom");
      const [room] = await db.select({ id: showrooms.id }).from(showrooms).where(eq(showrooms.slug, slug));
      if (!room) throw new HttpError(404, "not_found", `There is no showroom called "${slug}".`);
      const exp = Math.floor(Date.now() / 1000) + ROOM_TOKEN_SECONDS;
      const response: FloorTokenResponse = {
        token: signToken(services.secret, { sub: me.id, role: "agent", shw: room.id, exp }),
        expiresAt: new Date(exp * 1000).toISOString(),
        slug,
        name: me.displayName,
      };
      res.json(response);
    }),
  );

  router.post(
    "/room-token",
    staffRoute(agent, async (req, res, { staff: me }) => {
      const body = record(req.body);
      const ticketId = body.ticketId;
      if (typeof ticketId !== "string" || !TICKET_ID.test(ticketId))
        throw new HttpError(400, "invalid_ticket_id", "ticketId must be a ticket id");
      const ticket = await heldTicket(db, me.id, ticketId);
      const room = theRow(
        await db.select({ slug: showrooms.slug }).from(showrooms).where(eq(showrooms.id, ticket.showroomId)),
        "reading the ticket's showroom",
      );
      const exp = Math.floor(Date.now() / 1000) + ROOM_TOKEN_SECONDS;
      const response: RoomTokenResponse = {
        token: signToken(services.secret, { sub: me.id, role: "agent", shw: ticket.showroomId, tid: ticketId, exp }),
        expiresAt: new Date(exp * 1000).toISOString(),
        slug: room.slug,
        name: me.displayName,
        ticketId,
      };
      res.json(response);
    }),
  );

  router.get(
    "/canned-responses",
    staffRoute(staff, async (_req, res) => {
      res.json(CANNED_RESPONSES);
    }),
  );

  router.get(
    "/agents",
    staffRoute(manager, async (_req, res) => {
      const rows = await db
        .select({
          id: staffAccounts.id,
          displayName: staffAccounts.displayName,
          status: agentPresence.status,
          capacity: agentPresence.capacity,
          lastSeenAt: agentPresence.lastSeenAt,
          held: ticketsHeldBy(staffAccounts.id),
        })
        .from(staffAccounts)
        .innerJoin(agentPresence, eq(agentPresence.staffId, staffAccounts.id))
        .where(eq(staffAccounts.active, true));
      res.json(rows.map((row) => ({ ...row, lastSeenAt: row.lastSeenAt.toISOString() })));
    }),
  );

  router.get(
    "/metrics",
    staffRoute(manager, async (req, res) => {
      const to = dateParam(req.query.to, "to") ?? new Date();
      const from = dateParam(req.query.from, "from") ?? new Date(to.getTime() - 7 * 86_400_000);
      if (from >= to) throw new HttpError(400, "invalid_range", "from must be before to");
      res.json(await supportMetrics(db, config.sla, from, to));
    }),
  );

  router.use(notFound("No such support endpoint."));
  router.use(
    answerErrors("[support]", (error) =>
      error instanceof SupportError ? new HttpError(STATUS_OF[error.code], error.code, error.message) : undefined,
    ),
  );
  return router;
}

async function authenticate(db: Database, req: Request): Promise<Signed> {
  const token = sessionToken(req);
  if (!token) throw new HttpError(401, "unauthenticated", "Sign in to the console first.");
  const staff = await staffForSession(db, token);
  if (!staff) throw new HttpError(401, "unauthenticated", "Your session has ended: sign in again.");
  return { staff, token };
}

/** Keeps the agent's console counted as alive, writing at most a few times per presence TTL. */
async function touchPresence(db: Database, agentId: string, ttlSeconds: number): Promise<void> {
  const staleAfter = Math.min(5, ttlSeconds / 4);
  await db
    .update(agentPresence)
    .set({ lastSeenAt: sql`now()` })
    .where(
      and(
        eq(agentPresence.staffId, agentId),
        lt(agentPresence.lastSeenAt, sql`now() - make_interval(secs => ${staleAfter})`),
      ),
    );
}

function record(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new HttpError(400, "invalid_body", "the request body must be a JSON object");
  return body as Record<string, unknown>;
}

function ticketIdParam(req: Request): string {
  const id = String(req.params.id).toLowerCase();
  if (!TICKET_ID.test(id)) throw new HttpError(400, "invalid_ticket_id", "the ticket id is not valid");
  return id;
}

function dateParam(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === "string" ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new HttpError(400, "invalid_date", `${name} must be an ISO date`);
  if (date.getTime() < EARLIEST_DATE || date.getTime() >= LATEST_DATE)
    throw new HttpError(400, "invalid_date", `${name} must be in the years 2000 to 9999`);
  return date;
}

/** A ticket with its customer's context; each reading is a line of the audit trail. */
async function auditedTicketDetail(db: Database, viewer: StaffIdentity, ticketId: string): Promise<TicketDetail> {
  const detail = await ticketDetail(db, viewer, ticketId);
  await recordStaffAccess(db, {
    staffId: viewer.id,
    customerId: detail.item.customer.id,
    action: "ticket_detail",
    ticketId,
  });
  return detail;
}

async function anyTicket(db: Database, ticketId: string) {
  const [ticket] = await db.select().from(supportTickets).where(eq(supportTickets.id, ticketId));
  if (!ticket) throw new SupportError("not_found", "There is no such ticket.");
  return ticket;
}

/** Agents read queued tickets and their own; others' tickets are none of their business. */
async function visibleToAgent(db: Database, agentId: string, ticketId: string): Promise<void> {
  const ticket = await anyTicket(db, ticketId);
  if (ticket.status !== "queued" && ticket.assignedAgentId !== agentId)
    throw new SupportError("not_yours", "This ticket is not yours.");
}

function staffView(staff: StaffIdentity): StaffView {
  return { id: staff.id, email: staff.email, displayName: staff.displayName, role: staff.role };
}
