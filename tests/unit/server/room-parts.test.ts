import { ServerError } from "@colyseus/core";
import { describe, expect, it } from "vitest";
import type { Catalog } from "../../../db/catalog";
import { Role } from "../../../ecs";
import { encodePoseMessage } from "../../../schema/codec";
import type { ChatLine } from "../../../schema/messages";
import { ShowroomState } from "../../../schema/state";
import { signToken } from "../../../server/auth/tokens";
import type { InteractionRow } from "../../../server/crm/interactions";
import { admit, SeatRequestLimiter } from "../../../server/room/admission";
import { holdsSeat, SeatBook } from "../../../server/room/seats";
import { ASSISTANT_SESSION_ID } from "../../../server/room/assistant-desk";
import { CatalogFollower } from "../../../server/room/catalog-follower";
import { ChatRelay } from "../../../server/room/chat-relay";
import { STRIKE_LIMIT } from "../../../server/room/client-guard";
import { type MessageHandlers, MessageDoor, ShowroomCloseCode } from "../../../server/room/message-door";
import { Roster, welcomeOf } from "../../../server/room/roster";
import { ShowroomSimulation } from "../../../server/room/simulation";
import { VisitBook } from "../../../server/room/visit-book";
import type { RoomClient } from "../../../server/room/visitor";
import { fakeRoomClient, VISIT } from "../../support/room-client";

const SECRET = "room-parts-test-secret-0123456789";

/** A room client with no socket: what it was sent and how it was let go are kept for the test. */

function recordingHandlers() {
  const calls: { type: string; message: unknown }[] = [];
  const record =
    (type: string) =>
    (_client: RoomClient, message: unknown): void => {
      calls.push({ type, message });
    };
  const handlers: MessageHandlers = {
    pose: record("pose"),
    teleport: record("teleport"),
    grab: record("grab"),
    release: record("release"),
    chat: record("chat"),
    ask: record("ask"),
    "support:request": record("support:request"),
    "support:say": record("support:say"),
    "support:csat": record("support:csat"),
  };
  return { handlers, calls };
}

const catalog = {
  showroom: {
    id: "s-1",
    slug: "test",
    name: { en: "Test", zh: "测试" },
    capacity: 10,
    spawn: { x: 0, z: 4 },
    bounds: { minX: -10, maxX: 10, minZ: -10, maxZ: 10, height: 4 },
  },
  products: [],
  trainings: [],
} as unknown as Catalog;

describe("the message door", () => {
  it("hands a valid message to its type's handler, already parsed", () => {
    const { handlers, calls } = recordingHandlers();
    const door = new MessageDoor({ handlers, log: () => {} });
    const { client, sent } = fakeRoomClient("s1");
    door.receive(client, "teleport", { x: 1.5, z: -2 });
    door.receive(
      client,
      "pose",
      encodePoseMessage([0, 1.6, 0, 0, 0, 0, 1, -0.2, 1, -0.3, 0, 0, 0, 1, 0.2, 1, -0.3, 0, 0, 0, 1]),
    );
    expect(calls.map((c) => c.type)).toEqual(["teleport", "pose"]);
    expect(calls[0]?.message).toEqual({ x: 1.5, z: -2 });
    expect(calls[1]?.message).toHaveLength(21);
    expect(sent).toEqual([]);
  });

  it("refuses a malformed message with its reason, and names a refused chat line so the page can mark it", () => {
    const { handlers, calls } = recordingHandlers();
    const log: string[] = [];
    const door = new MessageDoor({ handlers, log: (line) => log.push(line) });
    const { client, sent } = fakeRoomClient("s1");
    door.receive(client, "teleport", { x: "far", z: 0 });
    door.receive(client, "chat", { text: "", clientMessageId: "m-1" });
    expect(calls).toEqual([]);
    expect(sent[0]?.type).toBe("refused");
    expect(sent[1]).toMatchObject({ type: "chat:refused", message: { clientMessageId: "m-1" } });
    expect(log[0]).toContain('refused "teleport" from s1');
  });

  it("throttles a type past its rate and answers a flood once a second, not once a message", () => {
    let now = 1_000_000;
    const { handlers, calls } = recordingHandlers();
    const door = new MessageDoor({ handlers, log: () => {}, now: () => now });
    const { client, sent } = fakeRoomClient("s1");
    for (let i = 0; i < 10; i++) door.receive(client, "teleport", { x: 0, z: 0 });
    expect(calls).toHaveLength(4); // teleport: burst of 4
    expect(sent.filter((s) => s.type === "refused")).toHaveLength(3);
    now += 1000;
    door.receive(client, "teleport", { x: 0, z: 0 });
    expect(calls).toHaveLength(5);
  });

  it("disconnects a client that keeps sending what is refused, and holds no seat for it", () => {
    const { handlers } = recordingHandlers();
    const door = new MessageDoor({ handlers, log: () => {} });
    const { client, left, visitor } = fakeRoomClient("s1");
    for (let i = 0; i < STRIKE_LIMIT - 1; i++) door.receiveUnknown(client, "nonsense");
    expect(left).toEqual([]);
    door.receiveUnknown(client, "nonsense");
    expect(left).toEqual([{ code: ShowroomCloseCode.TooManyInvalidMessages, reason: "Too many invalid messages" }]);
    expect(visitor.disconnectedByServer).toBe(true);
  });

  it("logs a client-chosen type name quoted and cut short, so it cannot forge log lines", () => {
    const { handlers } = recordingHandlers();
    const log: string[] = [];
    const door = new MessageDoor({ handlers, log: (line) => log.push(line) });
    door.receiveUnknown(fakeRoomClient("s1").client, `x\n[room] forged line ${"y".repeat(100)}`);
    expect(log[0]).not.toContain("\n");
    expect(log[0]).toContain('"x\\n[room] forged line');
  });
});

describe("admission", () => {
  const token = (role: "customer" | "agent" | "manager") =>
    signToken(SECRET, { sub: "c-1", role, exp: Math.floor(Date.now() / 1000) + 60 });

  it("lets in a token this server signed, with the name given", () => {
    expect(admit(SECRET, { token: token("customer"), name: "Ada" })).toEqual({
      claims: expect.objectContaining({ sub: "c-1", role: "customer" }),
      name: "Ada",
    });
  });

  it("refuses no token (401), a token of another server (401), a role the token was not signed for (403), a manager (403) and a bad name (400)", () => {
    const refusal = (request: Parameters<typeof admit>[1]) => {
      try {
        admit(SECRET, request);
      } catch (error) {
        expect(error).toBeInstanceOf(ServerError);
        return (error as ServerError).code;
      }
      throw new Error("admitted");
    };
    expect(refusal({ name: "Ada" })).toBe(401);
    expect(refusal({ token: signToken("another-secret", { sub: "c-1", role: "customer", exp: 9e9 }) })).toBe(401);
    expect(refusal({ token: token("customer"), role: "agent" })).toBe(403);
    expect(refusal({ token: token("manager") })).toBe(403);
    expect(refusal({ token: token("customer"), name: "x".repeat(500) })).toBe(400);
  });
});

describe("the roster", () => {
  it("adds an avatar to the world and the state together, posed at once, and removes both", () => {
    const state = new ShowroomState();
    const sim = new ShowroomSimulation(catalog, 10);
    const roster = new Roster(sim, state);
    roster.placeAssistant(catalog.showroom.spawn);
    const avatar = roster.add("s1", Role.Customer, "");
    expect(avatar.name).toBe("Guest");
    expect(avatar.hxz).not.toBe(0);
    expect(state.avatars.get(ASSISTANT_SESSION_ID)?.role).toBe(Role.Assistant);
    expect(roster.visitorCount).toBe(1);
    roster.setConnected("s1", false);
    expect(state.avatars.get("s1")?.connected).toBe(false);
    roster.remove("s1");
    expect(state.avatars.has("s1")).toBe(false);
    expect(sim.avatarOf("s1")).toBeUndefined();
    expect(roster.visitorCount).toBe(0);
  });

  it("greets a customer with their visit and staff with empty ids", () => {
    expect(welcomeOf("s1", { ...VISIT, name: "Ada" }, false)).toEqual({
      sessionId: "s1",
      customerId: "c-1",
      visitId: "v-1",
      name: "Ada",
      resumed: false,
    });
    expect(welcomeOf("s2", { name: "Agent" }, true)).toEqual({
      sessionId: "s2",
      customerId: "",
      visitId: "",
      name: "Agent",
      resumed: true,
    });
  });
});

describe("the visit book", () => {
  function book() {
    const recorded: InteractionRow[] = [];
    const ended: string[] = [];
    const writer = { record: (row: InteractionRow) => recorded.push(row), endVisit: (id: string) => ended.push(id) };
    const visits = new VisitBook(async ({ customerId }) => (customerId === "c-1" ? VISIT : null), writer);
    return { visits, recorded, ended };
  }

  it("records the join, what the visitor did (even after dropping), and the leave with its code", async () => {
    const { visits, recorded, ended } = book();
    const visit = await visits.open("c-1", "room-1", "Ada");
    visits.begin("s1", visit, { roomId: "room-1", name: "Ada" });
    visits.record({ type: "grabbed", sessionId: "s1", sku: "vase", hand: 0 });
    visits.record({ type: "grabbed", sessionId: "staff-session", sku: "vase", hand: 0 });
    visits.end("s1", 4000);
    visits.end("s1", 4000);
    expect(recorded.map((r) => r.type)).toEqual(["session_joined", "product_grabbed", "session_left"]);
    expect(recorded[2]?.payload).toEqual({ sessionId: "s1", code: 4000 });
    expect(ended).toEqual(["v-1"]);
  });

  it("refuses a visitor the database does not know (401)", async () => {
    await expect(book().visits.open("unknown", "room-1", "Ada")).rejects.toMatchObject({ code: 401 });
  });
});

describe("the chat relay", () => {
  it("acknowledges and shows a customer's line only once it is committed", async () => {
    const committed: InteractionRow[] = [];
    const shown: ChatLine[] = [];
    const relay = new ChatRelay(
      { commit: async (rows: InteractionRow[]) => void committed.push(...rows) },
      (line) => shown.push(line),
      () => ({ name: "Ada", role: Role.Customer }),
      () => {},
    );
    const { client, sent } = fakeRoomClient("s1");
    await relay.say(client, { text: "hello", clientMessageId: "m-1" });
    expect(committed).toHaveLength(1);
    expect(sent).toEqual([{ type: "chat:ack", message: { clientMessageId: "m-1", id: committed[0]?.id } }]);
    expect(shown).toEqual([expect.objectContaining({ id: committed[0]?.id, text: "hello", name: "Ada" })]);
  });

  it("refuses a line the CRM could not save, and shows it to nobody", async () => {
    const shown: ChatLine[] = [];
    const relay = new ChatRelay(
      {
        commit: async () => {
          throw new Error("database down");
        },
      },
      (line) => shown.push(line),
      () => ({ name: "Ada", role: Role.Customer }),
      () => {},
    );
    const { client, sent } = fakeRoomClient("s1");
    await relay.say(client, { text: "hello", clientMessageId: "m-1" });
    expect(shown).toEqual([]);
    expect(sent[0]).toMatchObject({ type: "chat:refused", message: { clientMessageId: "m-1" } });
  });
});

describe("the catalog follower", () => {
  it("passes a changed price on once, and keeps the catalog it has when the database cannot be read", async () => {
    const product = { sku: "vase", updatedAt: new Date(1000), priceCents: 100, stock: 3 };
    const first = { ...catalog, products: [product] } as unknown as Catalog;
    const cheaper = { ...catalog, products: [{ ...product, priceCents: 90 }] } as unknown as Catalog;
    let next: Catalog | Error = first;
    const changes: Catalog[] = [];
    const follower = new CatalogFollower(
      first,
      async () => {
        if (next instanceof Error) throw next;
        return next;
      },
      async (latest) => void changes.push(latest),
      () => {},
    );
    expect(await follower.check()).toBe(false);
    next = cheaper;
    expect(await follower.check()).toBe(true);
    expect(await follower.check()).toBe(false);
    next = new Error("database down");
    expect(await follower.check()).toBe(false);
    expect(changes).toEqual([cheaper]);
    expect(follower.catalog).toBe(cheaper);
  });
});

describe("seats", () => {
  it("are held only for a connection lost on the way, not for one the server cut", () => {
    expect(holdsSeat(1006, false)).toBe(true);
    expect(holdsSeat(1001, false)).toBe(true);
    expect(holdsSeat(undefined, false)).toBe(true);
    expect(holdsSeat(1006, true)).toBe(false);
    for (const cut of [1002, 1007, 1008, 1009, 4002, ShowroomCloseCode.TooManyInvalidMessages]) {
      expect(holdsSeat(cut, false)).toBe(false);
    }
  });

  it("are one per visitor: a newer connection lets the older ones go, connected or held", () => {
    const seats = new SeatBook();
    const older = fakeRoomClient("s1");
    const other = fakeRoomClient("s9", { ...VISIT, customerId: "c-2" });
    const newer = fakeRoomClient("s3");
    const rejected: unknown[] = [];
    seats.hold("s2", "c-1", { reject: (reason) => rejected.push(reason) });
    seats.hold("s8", "c-2", { reject: (reason) => rejected.push(reason) });
    expect(seats.takeOver("c-1", "s3", [older.client, other.client, newer.client])).toBe(2);
    expect(older.left).toEqual([
      { code: ShowroomCloseCode.SeatTakenOver, reason: "You opened this showroom in another tab or window." },
    ]);
    expect(older.visitor.disconnectedByServer).toBe(true);
    expect(other.left).toEqual([]);
    expect(newer.left).toEqual([]);
    expect(rejected).toHaveLength(1);
  });

  it("requests are capped per visitor and per address over a sliding window", () => {
    let now = 0;
    const limiter = new SeatRequestLimiter({ perCustomer: 2, perAddress: 3, windowMs: 1000 }, () => now);
    expect([limiter.take("a", "1.1.1.1"), limiter.take("a", "1.1.1.1"), limiter.take("a", "1.1.1.1")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.take("b", "1.1.1.1")).toBe(true);
    expect(limiter.take("c", "1.1.1.1")).toBe(false); // the address has had its three
    expect(limiter.take("c", "2.2.2.2")).toBe(true);
    now = 1001;
    expect(limiter.take("a", "1.1.1.1")).toBe(true);
  });
});
