import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { visitReferences } from "./core";

/** A demo the assistant requested for a customer; sales follows it up. */
export const demoRequests = pgTable(
  "demo_requests",
  {
    id: uuid("id").primaryKey(),
    ...visitReferences(),
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
    ...visitReferences(),
    items: jsonb("items").$type<{ sku: string; quantity: number }[]>().notNull(),
    message: text("message").notNull(),
    locale: text("locale").notNull(),
    status: text("status").notNull().default("requested"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("quote_requests_customer").on(t.customerId, t.createdAt)],
);
