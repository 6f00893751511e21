import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { customers, showrooms, visits } from "./core";

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
