import { describe, expect, it } from "vitest";
import type { Catalog } from "../../../db/catalog";
import type { ServerMessages } from "../../../schema/messages";
import type { VisitContext } from "../../../server/crm/interactions";
import { ClientGuard } from "../../../server/room/client-guard";
import type { ShowroomSimulation } from "../../../server/room/simulation";
import { SupportChannel } from "../../../server/room/support-channel";
import type { SupportStore } from "../../../server/room/support-store";
import type { RoomClient } from "../../../server/room/visitor";

const VISIT: VisitContext = { customerId: "c-1", showroomId: "s-1", visitId: "v-1" };
type Sent = { [K in keyof ServerMessages]: { type: K; message: ServerMessages[K] } }[keyof ServerMessages];

function customer(sessionId: string) {
  const sent: Sent[] = [];
  const client: RoomClient = {
    sessionId,
    userData: {
      claims: { sub: VISIT.customerId, role: "customer", exp: 0 },
      name: "Ada",
      guard: new ClientGuard(),
      visit: VISIT,
      disconnectedByServer: false,
    },
    send(type, message) {
      sent.push({ type, message } as Sent);
    },
    leave() {},
  };
  return { client, sent };
}

/** A ticket store where the customer has no open request; what is abandoned is kept. */
function channel(clients: RoomClient[]) {
  const abandoned: string[] = [];
  const refuse = () => Promise.reject(new Error("not expected in this test"));
  const store: SupportStore = {
    activeAgent: refuse,
    heldTicket: refuse,
    agentArrived: refuse,
    abandon: async (customerId) => {
      abandoned.push(customerId);
      return ["t-1"];
    },
    requestHelp: refuse,
    openTicketOf: async () => undefined,
    lastDwelledSku: async () => null,
    recordMessage: refuse,
    recordCsat: refuse,
    currentTickets: async () => [],
  };
  const support = new SupportChannel({
    store,
    statuses: { watch: () => {}, tell: async () => {}, refresh: async () => {}, forget: () => {} },
    catalog: { showroom: { id: "s-1" } } as Catalog,
    sim: {} as ShowroomSimulation,
    clients: () => clients,
    log: () => {},
  });
  return { support, abandoned };
}

describe("live support in the room", () => {
  it("refuses a customer's private line when they have no open request, to them only", async () => {
    const ada = customer("a");
    await channel([ada.client]).support.receive(ada.client, "support:say", { text: "hello?", clientMessageId: "m-1" });
    expect(ada.sent).toEqual([
      { type: "support:refused", message: { type: "support:say", reason: "You have no open request." } },
    ]);
  });

  it("abandons the request of a customer who leaves, but not when the server sent them away", async () => {
    const ada = customer("a");
    const leaving = channel([]);
    await leaving.support.left(ada.client, false);
    expect(leaving.abandoned).toEqual(["c-1"]);
    const stopping = channel([]);
    await stopping.support.left(ada.client, true);
    expect(stopping.abandoned).toEqual([]);
  });

  it("keeps the request of a customer who is still here in another connection", async () => {
    const first = customer("a");
    const second = customer("b");
    const { support, abandoned } = channel([second.client]);
    await support.left(first.client, false);
    expect(abandoned).toEqual([]);
  });
});
