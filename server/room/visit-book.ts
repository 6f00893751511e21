import { ServerError } from "@colyseus/core";
import { JoinErrorCode } from "../../schema/errors";
import { type InteractionRow, interaction, type VisitContext } from "../crm/interactions";
import type { CrmWriter } from "../crm/writer";
import type { ShowroomEvent } from "./simulation";
import { telemetryOf } from "./telemetry";

/** Opens a customer's visit in the CRM; null when the customer is unknown (a token for a database that was reset). */
export type OpenVisit = (request: {
  customerId: string;
  roomId: string;
  displayName: string;
}) => Promise<VisitContext | null>;

/**
 * The customers' visits in one room, from join to leave. A visit is kept by session until the
 * visitor leaves for good: a dropped visitor whose seat is held is not among the room's clients,
 * yet what they did just before dropping still lands in the CRM.
 */
export class VisitBook {
  private readonly bySession = new Map<string, VisitContext>();

  constructor(
    private readonly openVisit: OpenVisit,
    private readonly writer: Pick<CrmWriter, "record" | "endVisit">,
  ) {}

  /** Opens the visit (a database round trip); `begin` then makes it the session's. */
  async open(customerId: string, roomId: string, displayName: string): Promise<VisitContext> {
    const visit = await this.openVisit({ customerId, roomId, displayName });
    if (!visit)
      throw new ServerError(
        JoinErrorCode.TokenRefused,
        "Cannot enter the showroom: this visitor is unknown here. Reload the page.",
      );
    return visit;
  }

  begin(sessionId: string, visit: VisitContext, details: { roomId: string; name: string }): void {
    this.bySession.set(sessionId, visit);
    this.writer.record(interaction(visit, "session_joined", { sessionId, roomId: details.roomId, name: details.name }));
  }

  /** A visit opened for a client the room let go meanwhile: ended at once, never left open. */
  abandon(sessionId: string, visit: VisitContext): void {
    this.writer.record(interaction(visit, "session_left", { sessionId, code: null }));
    this.writer.endVisit(visit.visitId);
  }

  of(sessionId: string): VisitContext | undefined {
    return this.bySession.get(sessionId);
  }

  /** The visitor left for good (or their seat expired): the visit ends with the close code. */
  end(sessionId: string, code: number | undefined): void {
    const visit = this.bySession.get(sessionId);
    if (!visit) return;
    this.bySession.delete(sessionId);
    this.writer.record(interaction(visit, "session_left", { sessionId, code: code ?? null }));
    this.writer.endVisit(visit.visitId);
  }

  /** What the simulation saw becomes CRM telemetry for the visit it happened in; staff's acts are not recorded. */
  record(event: ShowroomEvent): InteractionRow | undefined {
    const visit = this.bySession.get(event.sessionId);
    const row = visit && telemetryOf(visit, event);
    if (row) this.writer.record(row);
    return row;
  }
}
