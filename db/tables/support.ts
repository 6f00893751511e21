import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { customers } from "./core";
import { supportTickets } from "./assistant";

/** A person who works the consoles: agents serve customers, managers watch the figures. */
export const staffAccounts = pgTable(
  "staff_accounts",
  {
    id: uuid("id").primaryKey(),
    /** Stored lower-case; the sign-in form compares lower-case. Never shown to customers. */
    email: text("email").notNull().unique(),
    /** What customers see of an agent. */
    displayName: text("display_name").notNull(),
    role: text("role").$type<"agent" | "manager">().notNull(),
    /** Argon2id (PHC string). */
    passwordHash: text("password_hash").notNull(),
    active: boolean("active").notNull().default(true),
    /** Consecutive failed sign-ins; reset by a good one. Guards against password guessing. */
    failedSignIns: integer("failed_sign_ins").notNull().default(0),
    lastFailedSignInAt: timestamp("last_failed_sign_in_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("staff_accounts_role", sql`${t.role} in ('agent', 'manager')`)],
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
    status: text("status").$type<"online" | "busy" | "away">().notNull().default("away"),
    capacity: integer("capacity").notNull().default(2),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** Round robin: the eligible agent assigned longest ago is next. */
    lastAssignedAt: timestamp("last_assigned_at", { withTimezone: true }),
  },
  (t) => [
    check("agent_presence_status", sql`${t.status} in ('online', 'busy', 'away')`),
    check("agent_presence_capacity", sql`${t.capacity} between 1 and 20`),
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
