import { uuidv7 } from "uuidv7";
import type { Database, Transaction } from "../../db/client";
import { demoRequests, interactions, quoteRequests } from "../../db/schema";
import { requestHelp } from "../support/tickets";
import type { AssistantActions, RequestOrigin } from "./types";

/**
 * The assistant's CRM side effects written to Postgres: each request row and the interaction
 * that puts it in the customer's history are inserted in one transaction.
 */
export function createDatabaseActions(db: Database): AssistantActions {
  const recordInteraction = (
    tx: Transaction,
    origin: RequestOrigin,
    type: "demo_requested" | "quote_requested",
    productSku: string | null,
    payload: Record<string, unknown>,
  ) =>
    tx.insert(interactions).values({
      id: uuidv7(),
      customerId: origin.customerId,
      showroomId: origin.showroomId,
      visitId: origin.visitId,
      type,
      productSku,
      payload: { ...payload, text: origin.text, locale: origin.locale, source: "assistant" },
      occurredAt: new Date(),
    });

  return {
    requestDemo: (request) =>
      db.transaction(async (tx) => {
        const id = uuidv7();
        await tx.insert(demoRequests).values({ id, ...requestColumns(request), productSku: request.productSku });
        await recordInteraction(tx, request, "demo_requested", request.productSku, { demoRequestId: id });
        return { id };
      }),

    requestQuote: (request) =>
      db.transaction(async (tx) => {
        const id = uuidv7();
        await tx.insert(quoteRequests).values({ id, ...requestColumns(request), items: request.items });
        const productSku = request.items.length === 1 ? (request.items[0]?.sku ?? null) : null;
        await recordInteraction(tx, request, "quote_requested", productSku, {
          quoteRequestId: id,
          items: request.items,
        });
        return { id };
      }),

    // Through the support queue, which merges it into the customer's open ticket if there is one.
    requestSupport: async (request) => {
      const { ticket } = await requestHelp(db, {
        customerId: request.customerId,
        showroomId: request.showroomId,
        visitId: request.visitId,
        productSku: request.productSku,
        reason: request.reason,
        source: "assistant",
        message: request.text,
      });
      return { ticketId: ticket.id };
    },
  };
}

/** The columns demo and quote requests share: who asked, where, and in their words. */
function requestColumns(request: RequestOrigin) {
  return {
    customerId: request.customerId,
    showroomId: request.showroomId,
    visitId: request.visitId,
    message: request.text,
    locale: request.locale,
  };
}
