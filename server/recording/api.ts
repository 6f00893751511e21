import express, { type NextFunction, type Request, type Response } from "express";
import { and, asc, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { interactions, recordingChunks, recordings, showrooms, staffAccounts } from "../../db/schema";
import type { RecordingDetail, RecordingMarker, RecordingSummary, TranscriptLine } from "../../schema/recording";
import type { StaffIdentity } from "../auth/staff";
import { staffForSession } from "../auth/staff";
import { sessionToken } from "../auth/staff-session";
import { answerErrors, HttpError, notFound } from "../http/errors";
import { recordRecordingOpening } from "../privacy/audit";
import { checksumOf, DamagedChunkError, servedChunk } from "./format";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LIMIT = 200;

type Recording = typeof recordings.$inferSelect;
/**
 * The part of a recording a viewer may see, in ms from its start; a manager's is all of it. An
 * agent's also names the customers of their tickets: the only ones whose events and lines they see.
 */
type Span = { fromMs: number; toMs: number; customers?: ReadonlySet<string> };
type Handler = (req: Request, res: Response, viewer: StaffIdentity) => Promise<void>;

/**
 * `/api/recordings`: managers see every recording; an agent only recordings overlapping a ticket
 * they handled, clipped to that stretch. No session 401, anyone else 403, unknown 404, bad input 400.
 */
export function recordingRouter(services: { db: Database }): express.Router {
  const { db } = services;
  const router = express.Router();
  const staffRoute = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const token = sessionToken(req);
      const viewer = token ? await staffForSession(db, token) : undefined;
      if (!viewer) throw new HttpError(401, "unauthenticated", "Sign in to the console first.");
      await handler(req, res, viewer);
    })().catch(next);
  };

  router.get(
    "/",
    staffRoute(async (req, res, viewer) => {
      res.json(await listRecordings(db, viewer, listFilter(req.query)));
    }),
  );

  router.get(
    "/:id",
    staffRoute(async (req, res, viewer) => {
      const { recording, slug, span } = await openRecording(db, viewer, String(req.params.id));
      const detail = await recordingDetail(db, recording, slug, span);
      // `follow=1`: the player polling a live recording it already opened; not another opening.
      if (req.query.follow !== "1")
        await recordRecordingOpening(db, {
          staffId: viewer.id,
          recordingId: recording.id,
          fromMs: span.fromMs,
          toMs: span.toMs,
          customerIds: recording.visitors.map((v) => v.customerId),
        });
      res.json(detail);
    }),
  );

  router.get(
    "/:id/chunks/:seq",
    staffRoute(async (req, res, viewer) => {
      const seqText = String(req.params.seq);
      if (!/^\d{1,9}$/.test(seqText)) throw new HttpError(400, "invalid_seq", "seq must be a whole number");
      const { recording, span } = await openRecording(db, viewer, String(req.params.id));
      const [chunk] = await db
        .select()
        .from(recordingChunks)
        .where(and(eq(recordingChunks.recordingId, recording.id), eq(recordingChunks.seq, Number(seqText))));
      if (!chunk || chunk.endMs < span.fromMs || chunk.startMs > span.toMs)
        throw new HttpError(404, "not_found", "There is no such chunk in this recording.");
      let body: Uint8Array;
      try {
        if (checksumOf(chunk.data) !== chunk.checksum) throw new DamagedChunkError("checksum mismatch");
        body = servedChunk(chunk.data);
      } catch (error) {
        if (!(error instanceof DamagedChunkError)) throw error;
        throw new HttpError(422, "damaged_chunk", "This chunk of the recording is damaged and cannot be played.");
      }
      res.setHeader("content-type", "application/octet-stream");
      res.setHeader("cache-control", "private, max-age=3600");
      res.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    }),
  );

  router.use(notFound("There is no such recordings route."));
  router.use(answerErrors("[recording]"));
  return router;
}

interface ListFilter {
  showroom?: string;
  from?: Date;
  to?: Date;
  customer?: string;
  limit: number;
}

function listFilter(query: Request["query"]): ListFilter {
  const text = (name: string) => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.length === 0 || value.length > 200)
      throw new HttpError(400, `invalid_${name}`, `${name} must be given once, as a short text`);
    return value;
  };
  const date = (name: string) => {
    const value = text(name);
    if (value === undefined) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) throw new HttpError(400, `invalid_${name}`, `${name} must be an ISO date`);
    return parsed;
  };
  const customer = text("customer");
  if (customer !== undefined && !UUID.test(customer))
    throw new HttpError(400, "invalid_customer", "customer must be a customer id");
  const limitText = text("limit") ?? "50";
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT)
    throw new HttpError(400, "invalid_limit", `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return { showroom: text("showroom"), from: date("from"), to: date("to"), customer, limit };
}

/** Tickets the agent handled that overlap the recording: the only reason an agent may watch it. */
const handledBy = (agentId: string) => sql`exists (
  select 1 from support_tickets t where t.assigned_agent_id = ${agentId} and t.showroom_id = ${recordings.showroomId}
    and t.created_at <= coalesce(${recordings.endedAt}, now())
    and coalesce(t.closed_at, t.resolved_at, now()) >= ${recordings.startedAt})`;

async function listRecordings(db: Database, viewer: StaffIdentity, filter: ListFilter): Promise<RecordingSummary[]> {
  const conditions: SQL[] = [];
  if (filter.showroom) conditions.push(eq(showrooms.slug, filter.showroom));
  if (filter.from) conditions.push(sql`coalesce(${recordings.endedAt}, now()) >= ${filter.from}`);
  if (filter.to) conditions.push(lte(recordings.startedAt, filter.to));
  if (filter.customer)
    conditions.push(sql`${recordings.visitors} @> ${JSON.stringify([{ customerId: filter.customer }])}::jsonb`);
  if (viewer.role !== "manager") conditions.push(handledBy(viewer.id));
  const rows = await db
    .select({ recording: recordings, slug: showrooms.slug })
    .from(recordings)
    .innerJoin(showrooms, eq(showrooms.id, recordings.showroomId))
    .where(and(...conditions))
    .orderBy(desc(recordings.startedAt))
    .limit(filter.limit);
  return rows.map(({ recording, slug }) => summaryOf(recording, slug));
}

function summaryOf(recording: Recording, slug: string): RecordingSummary {
  return {
    id: recording.id,
    showroomSlug: slug,
    roomId: recording.roomId,
    startedAt: recording.startedAt.toISOString(),
    endedAt: recording.endedAt?.toISOString() ?? null,
    durationMs: recording.durationMs,
    visitors: recording.visitors,
    agents: recording.agents,
    ticketIds: recording.ticketIds,
    bytes: recording.bytes,
  };
}

/** The recording and the span the viewer may see of it; 400/404/403 otherwise. */
async function openRecording(
  db: Database,
  viewer: StaffIdentity,
  id: string,
): Promise<{ recording: Recording; slug: string; span: Span }> {
  if (!UUID.test(id)) throw new HttpError(400, "invalid_id", "A recording id is a UUID.");
  const [row] = await db
    .select({ recording: recordings, slug: showrooms.slug })
    .from(recordings)
    .innerJoin(showrooms, eq(showrooms.id, recordings.showroomId))
    .where(eq(recordings.id, id));
  if (!row) throw new HttpError(404, "not_found", "There is no such recording.");
  const { recording, slug } = row;
  if (viewer.role === "manager") return { recording, slug, span: { fromMs: 0, toMs: 2 ** 31 - 1 } };
  const [handled] = await db
    .execute<{ from_ms: number | null; to_ms: number | null; customers: string[] | null }>(sql`
    select min(extract(epoch from (t.created_at - ${recording.startedAt})) * 1000)::float8 as from_ms,
           max(extract(epoch from (coalesce(t.closed_at, t.resolved_at, now()) - ${recording.startedAt})) * 1000)::float8 as to_ms,
           array_agg(distinct t.customer_id::text) as customers
    from support_tickets t where t.assigned_agent_id = ${viewer.id} and t.showroom_id = ${recording.showroomId}
      and t.created_at <= ${recording.endedAt ?? new Date()}
      and coalesce(t.closed_at, t.resolved_at, now()) >= ${recording.startedAt}`)
    .then((result) => result.rows);
  if (handled?.from_ms == null || handled.to_ms == null)
    throw new HttpError(403, "forbidden", "Agents may watch only the recordings of tickets they handled.");
  return {
    recording,
    slug,
    // Whole milliseconds: the chunk columns are integers, which Postgres will not compare with a fraction given as text.
    span: {
      fromMs: Math.max(0, Math.floor(handled.from_ms)),
      toMs: Math.ceil(handled.to_ms),
      customers: new Set(handled.customers ?? []),
    },
  };
}

async function recordingDetail(db: Database, recording: Recording, slug: string, span: Span): Promise<RecordingDetail> {
  const startedAt = recording.startedAt.getTime();
  const endedAt = recording.endedAt ?? new Date();
  const [chunks, events] = await Promise.all([
    db
      .select({
        seq: recordingChunks.seq,
        startMs: recordingChunks.startMs,
        endMs: recordingChunks.endMs,
        bytes: sql<number>`octet_length(${recordingChunks.data})`,
        damaged: sql<boolean>`encode(sha256(${recordingChunks.data}), 'hex') <> ${recordingChunks.checksum}`,
      })
      .from(recordingChunks)
      .where(
        and(
          eq(recordingChunks.recordingId, recording.id),
          gte(recordingChunks.endMs, span.fromMs),
          lte(recordingChunks.startMs, span.toMs),
        ),
      )
      .orderBy(asc(recordingChunks.seq)),
    db
      .select({ row: interactions, agentName: staffAccounts.displayName })
      .from(interactions)
      .leftJoin(staffAccounts, sql`${staffAccounts.id}::text = ${interactions.payload}->'actor'->>'id'`)
      .where(
        and(
          eq(interactions.showroomId, recording.showroomId),
          gte(interactions.occurredAt, new Date(startedAt + span.fromMs)),
          lte(interactions.occurredAt, new Date(Math.min(endedAt.getTime(), startedAt + span.toMs))),
        ),
      )
      .orderBy(asc(interactions.occurredAt)),
  ]);
  const names = new Map(recording.visitors.map((v) => [v.customerId, v.name]));
  const markers: RecordingMarker[] = [];
  const transcript: TranscriptLine[] = [];
  for (const { row, agentName } of events) {
    // An agent sees only their own tickets' customers: another customer's chat in the same stretch is not theirs.
    if (span.customers && !(row.customerId && span.customers.has(row.customerId))) continue;
    const atMs = row.occurredAt.getTime() - startedAt;
    const payload = row.payload;
    const text = (key: string) => (typeof payload[key] === "string" ? (payload[key] as string) : "");
    const customerName = names.get(row.customerId) || "Visitor";
    markers.push({
      atMs,
      type: row.type,
      sessionId: text("sessionId") || null,
      customerId: row.customerId,
      productSku: row.productSku,
      label: labelOf(row.type, customerName, row.productSku, text("text") || text("question")),
    });
    if (row.type === "chat") transcript.push({ atMs, kind: "chat", from: customerName, text: text("text") });
    if (row.type === "assistant_exchange") {
      transcript.push({ atMs, kind: "chat", from: customerName, text: text("question") });
      transcript.push({ atMs, kind: "assistant", from: "Assistant", text: text("answer") });
    }
    if (row.type === "support_message") {
      const byAgent = (payload.actor as { kind?: unknown } | undefined)?.kind === "agent";
      transcript.push({
        atMs,
        kind: "support",
        from: byAgent ? (agentName ?? "Agent") : customerName,
        text: text("text"),
      });
    }
  }
  return {
    recording: summaryOf(recording, slug),
    format: { version: recording.formatVersion, reflection: recording.reflection },
    chunks: chunks.map(({ damaged, ...chunk }) => (damaged ? { ...chunk, damaged: true } : chunk)),
    markers,
    transcript,
  };
}

function labelOf(type: string, who: string, sku: string | null, words: string): string {
  const what = type.replaceAll("_", " ");
  const detail = sku ? ` ${sku}` : words ? `: ${words.slice(0, 60)}` : "";
  return `${who}: ${what}${detail}`;
}
