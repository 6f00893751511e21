import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { STAFF_ROLES, type StaffRole } from "../../schema/roles";
import {
  AGENT_STATUSES,
  OPEN_TICKET_STATUSES,
  TICKET_STATUSES,
  type AgentStatus,
  type TicketStatus,
} from "../../schema/support";
import { literalList } from "../sql";
import { customers, visitReferences } from "./core";

/** A person who works the consoles: agents serve customers, managers watch the figures. */
export const staffAccounts = pgTable(
  "staff_accounts",
  {
    id: uuid("id").primaryKey(),
    /** Stored lower-case; the sign-in form compares lower-case. Never shown to customers. */
    email: text("email").notNull().unique(),
    /** What customers see of an agent. */
    displayName: text("display_name").notNull(),
    role: text("role").$type<StaffRole>().notNull(),
    /** Argon2id (PHC string). */
    passwordHash: text("password_hash").notNull(),
    active: boolean("active").notNull().default(true),
    /** Consecutive failed sign-ins; reset by a good one. Guards against password guessing. */
    failedSignIns: integer("failed_sign_ins").notNull().default(0),
    lastFailedSignInAt: timestamp("last_failed_sign_in_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("staff_accounts_role", sql`${t.role} in ${literalList(STAFF_ROLES)}`)],
);

/** A signed-in console. The browser holds the token; only its SHA-256 is kept here. */
export const staffSessions = pgTable(
  "staff_sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffAccounts.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("staff_sessions_staff").on(t.staffId)],
);

/**
 * Whether an agent takes tickets and how many at once. lastSeenAt is refreshed by the open
 * console; an agent whose console went quiet is not offered tickets, whatever the status says.
 */
export const agentPresence = pgTable(
  "agent_presence",
  {
    staffId: uuid("staff_id")
      .primaryKey()
      .references(() => staffAccounts.id),
    status: text("status").$type<AgentStatus>().notNull().default("away"),
    capacity: integer("capacity").notNull().default(2),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** Round robin: the eligible agent assigned longest ago is next. */
    lastAssignedAt: timestamp("last_assigned_at", { withTimezone: true }),
  },
  (t) => [
    check("agent_presence_status", sql`${t.status} in ${literalList(AGENT_STATUSES)}`),
    check("agent_presence_capacity", sql`${t.capacity} between 1 and 20`),
  ],
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
    ...visitReferences(),
    productSku: text("product_sku"),
    /** "help_button", "assistant_escalation" or "complaint". */
    reason: text("reason").notNull(),
    /** What the customer wrote, when they wrote something. */
    message: text("message"),
    /** How many requests this ticket stands for (merged duplicates included). */
    requestCount: integer("request_count").notNull().default(1),
    status: text("status").$type<TicketStatus>().notNull().default("queued"),
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
      .where(sql`${t.status} in ${literalList(OPEN_TICKET_STATUSES)}`),
    check("support_tickets_status", sql`${t.status} in ${literalList(TICKET_STATUSES)}`),
    check("support_tickets_csat", sql`${t.csatScore} between 1 and 5`),
  ],
);

/** Staff's internal notes on a customer; customers never see them. */
export const supportNotes = pgTable(
  "support_notes",
  {
    id: uuid("id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    ticketId: uuid("ticket_id").references(() => supportTickets.id),
    authorId: uuid("author_id")
      .notNull()
      .references(() => staffAccounts.id),
    text: text("text").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("support_notes_customer").on(t.customerId, t.createdAt)],
);
