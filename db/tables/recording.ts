import { sql } from "drizzle-orm";
import { customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { showrooms } from "./core";
import { staffAccounts } from "./support";

const bytea = customType<{ data: Uint8Array; driverData: Buffer }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

export interface RecordedVisitor {
  customerId: string;
  name: string;
}

export interface RecordedAgent {
  staffId: string;
  name: string;
}

/**
 * One showroom room from its opening to its closing, as a spectator seeing the whole room received
 * it: the schema's reflection to decode it, who was there, and its chunks (recording_chunks).
 */
export const recordings = pgTable(
  "recordings",
  {
    /** UUIDv7: sorts by the opening. */
    id: uuid("id").primaryKey(),
    showroomId: uuid("showroom_id")
      .notNull()
      .references(() => showrooms.id),
    roomId: text("room_id").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    /** Null while the room is open. */
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** Up to the end of the newest chunk written. */
    durationMs: integer("duration_ms").notNull().default(0),
    /** RECORDING_FORMAT_VERSION the chunks were written with. */
    formatVersion: integer("format_version").notNull(),
    /** Base64 of @colyseus/schema's Reflection.encode of the state. */
    reflection: text("reflection").notNull(),
    visitors: jsonb("visitors").$type<RecordedVisitor[]>().notNull().default(sql`'[]'::jsonb`),
    agents: jsonb("agents").$type<RecordedAgent[]>().notNull().default(sql`'[]'::jsonb`),
    ticketIds: jsonb("ticket_ids").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** Stored (compressed) bytes of all chunks. */
    bytes: integer("bytes").notNull().default(0),
  },
  (t) => [
    index("recordings_showroom_started").on(t.showroomId, t.startedAt),
    index("recordings_started").on(t.startedAt),
  ],
);

/** At most 5 s of a recording, starting with a keyframe; deflate-raw compressed frames. */
export const recordingChunks = pgTable(
  "recording_chunks",
  {
    recordingId: uuid("recording_id")
      .notNull()
      .references(() => recordings.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    data: bytea("data").notNull(),
    /** SHA-256 (hex) of data as written: a chunk whose bytes no longer match is reported damaged. */
    checksum: text("checksum").notNull(),
  },
  (t) => [primaryKey({ columns: [t.recordingId, t.seq] })],
);

/**
 * The audit trail of recordings watched: one line per opening by a staff member (the player's
 * live polls are not openings), with the span they were shown, kept even when the recording had no
 * visitors. No foreign key to the recording: a line outlives the recording's retention.
 */
export const recordingOpenings = pgTable(
  "recording_openings",
  {
    /** UUIDv7: sorts by time. */
    id: uuid("id").primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffAccounts.id),
    recordingId: uuid("recording_id").notNull(),
    /** The part of the recording the viewer was shown, in ms from its start. */
    fromMs: integer("from_ms").notNull(),
    toMs: integer("to_ms").notNull(),
    /** How many visitors the recording showed when opened (each also has a staff_access_log line). */
    visitors: integer("visitors").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("recording_openings_recording").on(t.recordingId, t.id),
    index("recording_openings_staff").on(t.staffId, t.id),
  ],
);
