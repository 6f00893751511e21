import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import type { Bounds, LocalizedList, LocalizedText, ModelPart, SpawnPoint, TrainingStep } from "../../schema/catalog";

export type { Bounds, LocalizedList, LocalizedText, ModelPart, TrainingStep };

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const showroomReference = () =>
  uuid("showroom_id")
    .notNull()
    .references(() => showrooms.id);

export const showrooms = pgTable("showrooms", {
  id: uuid("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: jsonb("name").$type<LocalizedText>().notNull(),
  bounds: jsonb("bounds").$type<Bounds>().notNull(),
  spawn: jsonb("spawn").$type<SpawnPoint>().notNull(),
  capacity: integer("capacity").notNull().default(250),
  /** Visitors must accept the privacy notice before entering (recorded as a consent_given interaction). */
  requiresConsent: boolean("requires_consent").notNull().default(false),
  /** Rooms of this showroom are recorded for replay (unless ATRIUM_RECORDING=off). */
  recordingEnabled: boolean("recording_enabled").notNull().default(true),
  createdAt: createdAt(),
});

export const products = pgTable(
  "products",
  {
    id: uuid("id").primaryKey(),
    showroomId: showroomReference(),
    sku: text("sku").notNull(),
    category: text("category").notNull(),
    name: jsonb("name").$type<LocalizedText>().notNull(),
    synonyms: jsonb("synonyms").$type<LocalizedList>().notNull(),
    description: jsonb("description").$type<LocalizedText>().notNull(),
    /** Whole minor units would lose nothing either; the catalog prices are whole currency units. */
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull(),
    stock: integer("stock").notNull(),
    leadTimeDays: integer("lead_time_days").notNull(),
    dimensionsCm: jsonb("dimensions_cm").$type<[number, number, number]>().notNull(),
    colors: jsonb("colors").$type<string[]>().notNull(),
    position: jsonb("position").$type<[number, number, number]>().notNull(),
    model: jsonb("model").$type<ModelPart[]>().notNull(),
    gltfUrl: text("gltf_url"),
    grabbable: boolean("grabbable").notNull().default(true),
    trainingId: text("training_id"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("products_showroom_sku").on(t.showroomId, t.sku)],
);

export const trainings = pgTable(
  "trainings",
  {
    id: text("id").notNull(),
    showroomId: showroomReference(),
    productSku: text("product_sku").notNull(),
    title: jsonb("title").$type<LocalizedText>().notNull(),
    steps: jsonb("steps").$type<TrainingStep[]>().notNull(),
  },
  (t) => [uniqueIndex("trainings_showroom_id").on(t.showroomId, t.id)],
);

/** A person known to the CRM. Guests are identified by the visitor id their browser keeps. */
export const customers = pgTable("customers", {
  id: uuid("id").primaryKey(),
  visitorId: text("visitor_id").notNull().unique(),
  /**
   * SHA-256 (hex) of the secret the browser was given with its visitor id; a returning visitor
   * proves with it that the id is theirs. Null only for customers from before secrets, until their first return.
   */
  visitorSecretHash: text("visitor_secret_hash"),
  displayName: text("display_name"),
  email: text("email"),
  createdAt: createdAt(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  /**
   * Set when the customer's personal data was erased (server/privacy/erasure.ts): the row stays,
   * without anything that identifies the person, and nothing new is recorded for it.
   */
  erasedAt: timestamp("erased_at", { withTimezone: true }),
});

/** One customer's presence in one showroom room, from join to leave. */
export const visits = pgTable(
  "visits",
  {
    id: uuid("id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    showroomId: showroomReference(),
    roomId: text("room_id").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [index("visits_customer_started").on(t.customerId, t.startedAt)],
);

/** The customer, the showroom and the visit (none when it happened outside one) a row belongs to. */
export const visitReferences = () => ({
  customerId: uuid("customer_id")
    .notNull()
    .references(() => customers.id),
  showroomId: showroomReference(),
  visitId: uuid("visit_id").references(() => visits.id),
});

/**
 * Every meaningful act in a showroom. The id is a UUIDv7 made where the act happened, so
 * a retried insert is recognised (ON CONFLICT DO NOTHING) and ids sort by time.
 */
export const interactions = pgTable(
  "interactions",
  {
    id: uuid("id").primaryKey(),
    ...visitReferences(),
    type: text("type").notNull(),
    productSku: text("product_sku"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("interactions_customer_time").on(t.customerId, t.occurredAt),
    index("interactions_showroom_time").on(t.showroomId, t.occurredAt),
    index("interactions_type_time").on(t.type, t.occurredAt),
  ],
);

/** Secrets every process of one installation shares (token signing), made at first start. */
export const appSecrets = pgTable("app_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: createdAt(),
});

/**
 * Request counters shared by every process (rate-limiter-flexible's RateLimiterDrizzle layout):
 * `key` is the limiter's prefix and what it counts by; a row past `expire` counts from zero again.
 */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull().default(0),
  expire: timestamp("expire", { withTimezone: true }),
});
