import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { customers, showrooms, visits } from "./core";
import { staffAccounts } from "./support";

/** A demo the assistant requested for a customer; sales follows it up. */
export const demoRequests = pgTable(
  "demo_requests",
  {
    id: uuid("id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    showroomId: uuid("showroom_id")
      .notNull()
      .references(() => showrooms.id),
    visitId: uuid("visit_id").references(() => visits.id),
    productSku: text("product_sku"),
    /** What the customer wrote, in their words. */
    message: text("message").notNull(),
    locale: text("locale").notNull(),
    status: text("status").notNull().default("requested"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("demo_requests_customer").on(t.customerId, t.createdAt)],
);

/** A quote the assistant requested: which products, how many of each. */
export const quoteRequests = pgTable(
  "quote_requests",
  {
    id: uuid("id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    showroomId: uuid("showroom_id")
      .notNull()
      .references(() => showrooms.id),
    visitId: uuid("visit_id").references(() => visits.id),
    items: jsonb("items").$type<{ sku: string; quantity: number }[]>().notNull(),
    message: text("message").notNull(),
    locale: text("locale").notNull(),
    status: text("status").notNull().default("requested"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("quote_requests_customer").on(t.customerId, t.createdAt)],
);

/**
 * A customer waiting for a person, from the in-room Help button or the assistant. Moves
 * queued → assigned → agent_joined → resolved, or to abandoned when the customer leaves first;
 * a released or unanswered assignment goes back to queued. A customer has at most one open
 * ticket (the partial unique index): a second request is merged into it.
 */
export const supportTickets = pgTable(
  "support_tickets",
  {
    id: uuid("id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    showroomId: uuid("showroom_id")
      .notNull()
      .references(() => showrooms.id),
    visitId: uuid("visit_id").references(() => visits.id),
    productSku: text("product_sku"),
    /** "help_button", "assistant_escalation" or "complaint". */
    reason: text("reason").notNull(),
    /** What the customer wrote, when they wrote something. */
    message: text("message"),
    /** How many requests this ticket stands for (merged duplicates included). */
    requestCount: integer("request_count").notNull().default(1),
    status: text("status").$type<SupportTicketStatus>().notNull().default("queued"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    assignedAgentId: uuid("assigned_agent_id").references(() => staffAccounts.id),
    /** When the current assignment began; an assignment without an arrival expires from here. */
    assignedAt: timestamp("assigned_at", { withTimezone: true }),
    /** Null while an auto-assigned ticket waits for its agent to take it. */
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    /** First arrival of an agent next to the customer: the end of the wait. */
    agentJoinedAt: timestamp("agent_joined_at", { withTimezone: true }),
    firstAgentMessageAt: timestamp("first_agent_message_at", { withTimezone: true }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    csatScore: smallint("csat_score"),
    csatComment: text("csat_comment"),
    csatAt: timestamp("csat_at", { withTimezone: true }),
  },
  (t) => [
    index("support_tickets_status_created").on(t.status, t.createdAt),
    index("support_tickets_agent_status").on(t.assignedAgentId, t.status),
    index("support_tickets_customer_created").on(t.customerId, t.createdAt),
    uniqueIndex("support_tickets_one_open_per_customer")
      .on(t.customerId)
      .where(sql`${t.status} in ('queued', 'assigned', 'agent_joined')`),
    check(
      "support_tickets_status",
      sql`${t.status} in ('queued', 'assigned', 'agent_joined', 'resolved', 'abandoned')`,
    ),
    check("support_tickets_csat", sql`${t.csatScore} between 1 and 5`),
  ],
);

export type SupportTicketStatus = "queued" | "assigned" | "agent_joined" | "resolved" | "abandoned";
