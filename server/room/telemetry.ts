import { interaction, type InteractionRow, type VisitContext } from "../crm/interactions";
import type { ShowroomEvent } from "./simulation";

/** The CRM row a simulation event becomes, if any (refusals are answers to the client, not history). */
export function telemetryOf(
  visit: VisitContext,
  event: ShowroomEvent,
  now: number = Date.now(),
): InteractionRow | undefined {
  switch (event.type) {
    case "grabbed":
      return interaction(visit, "product_grabbed", { hand: event.hand }, { productSku: event.sku });
    case "released":
      return interaction(
        visit,
        "product_released",
        { hand: event.hand, position: event.position },
        { productSku: event.sku },
      );
    case "dwell": {
      // Dated from when the visitor started looking.
      const startedAt = now - event.endedAgoMs - event.durationMs;
      return interaction(
        visit,
        "product_dwell",
        { durationMs: Math.round(event.durationMs) },
        { productSku: event.sku, occurredAt: new Date(startedAt) },
      );
    }
    default:
      return undefined;
  }
}
