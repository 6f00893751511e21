import type { ShowroomEvent } from "./simulation";
import type { VisitBook } from "./visit-book";
import type { RoomClient } from "./visitor";

/**
 * What the simulation saw, sent where it belongs: a refused grab or teleport to its visitor if
 * connected, and every event to the visit it happened in (kept until the visitor leaves for good,
 * so what a dropped visitor did just before dropping is recorded too).
 */
export class SimulationOutcomes {
  constructor(
    private readonly clientOf: (sessionId: string) => RoomClient | undefined,
    private readonly visits: Pick<VisitBook, "record">,
  ) {}

  handle(events: readonly ShowroomEvent[]): void {
    for (const event of events) {
      if (event.type === "grab_refused") {
        this.clientOf(event.sessionId)?.send("grab:refused", {
          sku: event.sku,
          hand: event.hand,
          reason: event.reason,
        });
      } else if (event.type === "teleport_refused") {
        this.clientOf(event.sessionId)?.send("teleport:refused", { reason: event.reason });
      }
      this.visits.record(event);
    }
  }
}
