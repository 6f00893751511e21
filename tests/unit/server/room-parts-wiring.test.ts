import { ServerError } from "@colyseus/core";
import { describe, expect, it } from "vitest";
import { AVATAR_ROLES } from "../../../schema/roles";
import { Conversation } from "../../../server/room/conversation";
import { Entrance } from "../../../server/room/entrance";
import { ErasureWatch } from "../../../server/room/erasure-watch";
import { ShowroomCloseCode } from "../../../server/room/message-door";
import { SimulationOutcomes } from "../../../server/room/outcomes";
import { fakeRoomClient, VISIT } from "../../support/room-client";

describe("the conversation", () => {
  function conversation(action?: { kind: "support_requested"; ticketId: string }) {
    const said: string[] = [];
    const asked: { text: string; near: string | null }[] = [];
    const watched: string[] = [];
    const parts = new Conversation({
      chat: { say: async (_client, line) => void said.push(line.text) },
      desk: {
        answer: async (_client, question, near) => {
          asked.push({ text: question.text, near });
          return {
            clientMessageId: question.clientMessageId,
            id: "x-1",
            text: "Hello",
            intent: "greet",
            score: 1,
            locale: "en",
            clarifying: false,
            ...(action ? { action } : {}),
          };
        },
      },
      support: { watch: (customerId) => void watched.push(customerId) },
      productNear: () => "SOFA-1",
    });
    return { parts, said, asked, watched };
  }

  it("sends a customer's @assistant line to the assistant, not to the room, about the product they stand at", async () => {
    const { parts, said, asked } = conversation();
    await parts.chat(fakeRoomClient("a").client, { text: "@assistant, how much is it?", clientMessageId: "m-1" });
    expect(asked).toEqual([{ text: "how much is it?", near: "SOFA-1" }]);
    expect(said).toEqual([]);
  });

  it("sends any other line to the room", async () => {
    const { parts, said, asked } = conversation();
    await parts.chat(fakeRoomClient("a").client, { text: "hello all", clientMessageId: "m-1" });
    expect(said).toEqual(["hello all"]);
    expect(asked).toEqual([]);
  });

  it("follows the request for a person the assistant made, for that customer", async () => {
    const { parts, watched } = conversation({ kind: "support_requested", ticketId: "t-1" });
    await parts.ask(fakeRoomClient("a").client, { text: "a person please", clientMessageId: "m-1", locale: null });
    expect(watched).toEqual(["c-1"]);
  });
});

describe("the simulation's outcomes", () => {
  it("tell a visitor their grab or teleport was refused, and record every event to the visit", () => {
    const ada = fakeRoomClient("a");
    const recorded: string[] = [];
    const outcomes = new SimulationOutcomes((sessionId) => (sessionId === "a" ? ada.client : undefined), {
      record: (event) => void recorded.push(event.type),
    });
    outcomes.handle([
      { type: "grab_refused", sessionId: "a", sku: "SOFA-1", hand: 0, reason: "out_of_reach" },
      { type: "teleport_refused", sessionId: "a", reason: "out_of_bounds" },
      { type: "teleport_refused", sessionId: "gone", reason: "out_of_bounds" },
    ]);
    expect(ada.sent).toEqual([
      { type: "grab:refused", message: { sku: "SOFA-1", hand: 0, reason: "out_of_reach" } },
      { type: "teleport:refused", message: { reason: "out_of_bounds" } },
    ]);
    expect(recorded).toEqual(["grab_refused", "teleport_refused", "teleport_refused"]);
  });
});

describe("the erasure watch", () => {
  it("lets an erased customer go with its close code and no seat held, and keeps the others", async () => {
    const erased = fakeRoomClient("a", VISIT);
    const kept = fakeRoomClient("b", { ...VISIT, customerId: "c-2" });
    const watch = new ErasureWatch(
      async (ids) => new Set(ids.filter((id) => id === "c-1")),
      () => [erased.client, kept.client],
      () => {},
    );
    expect(await watch.check()).toEqual(["a"]);
    expect(erased.left.map((l) => l.code)).toEqual([ShowroomCloseCode.Erased]);
    expect(erased.client.userData?.disconnectedByServer).toBe(true);
    expect(kept.left).toEqual([]);
  });

  it("lets nobody go when the database cannot be read", async () => {
    const lines: string[] = [];
    const watch = new ErasureWatch(
      async () => Promise.reject(new Error("down")),
      () => [fakeRoomClient("a").client],
      (l) => lines.push(l),
    );
    expect(await watch.check()).toEqual([]);
    expect(lines).toEqual(["[room] could not check for erased visitors: down"]);
  });
});

describe("the entrance", () => {
  const admission = { claims: { sub: "c-1", role: "customer" as const, exp: 0 }, name: "Ada" };
  function entrance(over: { visitors?: number; consented?: boolean; stillHere?: boolean } = {}) {
    const abandoned: string[] = [];
    const door = new Entrance({
      showroom: () => ({ id: "s-1", slug: "test", name: { en: "Test", zh: "测试" }, capacity: 2 }),
      visitorCount: () => over.visitors ?? 0,
      authorize: async () => {},
      mayEnter: async () => over.consented ?? true,
      visits: {
        open: async () => VISIT,
        abandon: (sessionId) => void abandoned.push(sessionId),
      },
      stillHere: () => over.stillHere ?? true,
      roomId: "r-1",
      log: () => {},
    });
    return { door, abandoned };
  }
  const codeOf = (error: unknown) => (error instanceof ServerError ? error.code : undefined);

  it("lets a customer in with their visit, as a customer avatar", async () => {
    const { client } = fakeRoomClient("a");
    const entered = await entrance().door.enter(client, admission, {});
    expect(entered.party).toBe("customer");
    expect(AVATAR_ROLES[entered.party]).toBe(0);
    expect(entered.visitor.visit).toEqual(VISIT);
    expect(client.userData).toBe(entered.visitor);
  });

  it("refuses a full showroom, and a customer who has not accepted its privacy notice", async () => {
    const full = await entrance({ visitors: 2 }).door.enter(fakeRoomClient("a").client, admission, {}).catch(codeOf);
    const noConsent = await entrance({ consented: false })
      .door.enter(fakeRoomClient("a").client, admission, {})
      .catch(codeOf);
    expect([full, noConsent]).toEqual([503, 403]);
  });

  it("closes the visit it opened for a client the closing room let go meanwhile", async () => {
    const { door, abandoned } = entrance({ stillHere: false });
    const code = await door.enter(fakeRoomClient("a").client, admission, {}).catch(codeOf);
    expect(abandoned).toEqual(["a"]);
    expect(code).toBe(410);
  });
});
