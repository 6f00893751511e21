import type { CatalogProduct, Training } from "../../db/catalog";
import type { LocalizedText } from "../../db/tables/core";

export const LOCALES = ["en", "zh"] as const;
export type Locale = (typeof LOCALES)[number];

/** The intents the model knows, in the order the eval tables print them. */
export const INTENTS = [
  "greet",
  "goodbye",
  "thanks",
  "ask_price",
  "ask_availability",
  "product_info",
  "compare_products",
  "ask_shipping",
  "book_demo",
  "request_quote",
  "ask_human_agent",
  "complaint",
  "start_training",
  "navigate_to",
  "none",
] as const;
export type Intent = (typeof INTENTS)[number];

export function isIntent(value: string): value is Intent {
  return (INTENTS as readonly string[]).includes(value);
}

/**
 * What the assistant needs to know about a product and a training: the database catalog
 * (db/catalog.ts) satisfies it, and so does the demo catalog file once mapped.
 */
export type AssistantProduct = Pick<
  CatalogProduct,
  | "sku"
  | "category"
  | "name"
  | "synonyms"
  | "description"
  | "priceCents"
  | "currency"
  | "stock"
  | "leadTimeDays"
  | "dimensionsCm"
  | "colors"
  | "position"
  | "trainingId"
>;

export type AssistantTraining = Pick<Training, "id" | "productSku" | "title">;

export interface AssistantCatalog {
  products: AssistantProduct[];
  trainings: AssistantTraining[];
}

/** Shipping terms from configuration; amounts in whole currency units. */
export interface ShippingPolicy {
  currency: string;
  flatFee: number;
  freeOver: number;
  deliveryDays: { min: number; max: number };
  expressFee: number | null;
  returnDays: number;
  regions: LocalizedText;
}

export interface Entities {
  /** SKUs in the order they were mentioned, without repeats. */
  products: string[];
  /** Catalog category keys ("sofa", "lamp"). */
  categories: string[];
  /** Numbers that are not part of a product name, in the order mentioned. */
  quantities: number[];
}

export interface Classification {
  intent: Intent;
  score: number;
  locale: Locale;
  entities: Entities;
}

export type AssistantAction =
  | { kind: "navigate"; sku: string; position: [number, number, number] }
  | { kind: "training"; trainingId: string }
  | { kind: "demo_requested"; id: string }
  | { kind: "quote_requested"; id: string }
  | { kind: "support_requested"; ticketId: string };

export interface AssistantReply extends Classification {
  text: string;
  /** True when the assistant asked a question back instead of acting on a guess. */
  clarifying: boolean;
  action?: AssistantAction;
}

export interface AnswerContext {
  locale?: Locale | null;
  customerId: string;
  showroomId: string;
  visitId?: string | null;
  /** The product the visitor stands at or holds, so "how much is this?" resolves. */
  nearProductSku?: string | null;
}

export interface RequestOrigin {
  customerId: string;
  showroomId: string;
  visitId: string | null;
  /** What the visitor wrote, kept with the request for whoever follows it up. */
  text: string;
  locale: Locale;
}

export interface QuoteItem {
  sku: string;
  quantity: number;
}

export type SupportReason = "assistant_escalation" | "complaint";

/** The CRM side effects the assistant may cause; the room passes a database-backed one. */
export interface AssistantActions {
  requestDemo(request: RequestOrigin & { productSku: string | null }): Promise<{ id: string }>;
  requestQuote(request: RequestOrigin & { items: QuoteItem[] }): Promise<{ id: string }>;
  requestSupport(
    request: RequestOrigin & { productSku: string | null; reason: SupportReason },
  ): Promise<{ ticketId: string }>;
}
