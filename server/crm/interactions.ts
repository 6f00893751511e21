import { uuidv7 } from "uuidv7";
import type { interactions } from "../../db/schema";

export type InteractionRow = typeof interactions.$inferInsert;

/** The kinds of interaction the showroom records; the CRM's timeline speaks these names. */
export type InteractionType =
  | "session_joined"
  | "session_left"
  | "product_dwell"
  | "product_grabbed"
  | "product_released"
  | "chat"
  | "assistant_exchange";

/** Who an interaction belongs to: fixed for the length of one visit. */
export interface VisitContext {
  customerId: string;
  showroomId: string;
  visitId: string;
}

/** Makes an interaction with its id created here, where the act happened (UUIDv7). */
export function interaction(
  visit: VisitContext,
  type: InteractionType,
  payload: Record<string, unknown>,
  options: { productSku?: string; occurredAt?: Date } = {},
): InteractionRow {
  return {
    id: uuidv7(),
    customerId: visit.customerId,
    showroomId: visit.showroomId,
    visitId: visit.visitId,
    type,
    productSku: options.productSku ?? null,
    payload,
    occurredAt: options.occurredAt ?? new Date(),
  };
}
