import { Encoder } from "@colyseus/schema";
import { PgDialect } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { Catalog } from "../../../db/catalog";
import type { Database } from "../../../db/client";
import { Hand, POSE_STRIDE, readAvatarPose, Role, standingPose } from "../../../ecs";
import { packQuaternion, packXZ, quantizePosition } from "../../../schema/codec";
import { ShowroomCloseCode } from "../../../schema/close-codes";
import type { Assistant } from "../../../server/assistant/assistant";
import type { AnswerContext, AssistantReply } from "../../../server/assistant/types";
import type { InteractionRow } from "../../../server/crm/interactions";
import { CrmWriter } from "../../../server/crm/writer";
import { AssistantDesk } from "../../../server/room/assistant-desk";
import { ErasureWatch, erasedAmong } from "../../../server/room/erasure-watch";
import { RoomMetrics, SampleWindow } from "../../../server/room/metrics";
import { Roster } from "../../../server/room/roster";
import { ShowroomSimulation } from "../../../server/room/simulation";
import { initialState, syncDirtyToState } from "../../../server/room/state-sync";
import { SupportStatusBoard } from "../../../server/room/support-status";
import type { TicketSummary } from "../../../server/room/support-store";
import type { RoomClient } from "../../../server/room/visitor";
import { fakeRoomClient, VISIT } from "../../support/room-client";

/** A room client with no socket (staff, with no visit, when `customerVisit` is null): what it was sent and how it was let go are kept. */

describe("the assistant desk", () => {
  const writers: CrmWriter[] = [];
  afterEach(async () => {
    for (const writer of writers.splice(0)) await writer.close();
  });

  const REPLY: AssistantReply = {
    text: "The Oslo sofa is 1299 EUR.",
    intent: "ask_price",
    score: 0.875,
    locale: "en",
    entities: { products: ["SOFA-1"], categories: ["sofa"], quantities: [] },
    clarifying: false,
  };

  /** A desk whose assistant answers `reply` (or fails) and whose CRM keeps what is committed (or fails). */
  function desk(options: { reply?: AssistantReply | Error; commitFails?: boolean } = {}) {
    const order: string[] = [];
    const committed: InteractionRow[] = [];
    const asked: { text: string; ctx: AnswerContext }[] = [];
    const lines: string[] = [];
    const writer = new CrmWriter({} as Database, {
      flushIntervalMs: 60_000,
      log: () => {},
      insert: async (_db, rows) => {
        if (options.commitFails) throw new Error("database down");
        order.push("committed");
        committed.push(...rows);
        return rows.length;
      },
    });
    writers.push(writer);
    const reply = options.reply ?? REPLY;
    const assistant = {
      answer: async (text: string, ctx: AnswerContext) => {
        asked.push({ text, ctx });
        if (reply instanceof Error) throw reply;
        return reply;
      },
    } as unknown as Assistant;
    const parts = new AssistantDesk(
      async () => assistant,
      writer,
      (line) => lines.push(line),
    );
    return { parts, order, committed, asked, lines };
  }

  function customerOf(order: string[], sessionId = "a") {
    const fake = fakeRoomClient(sessionId);
    const send = fake.client.send.bind(fake.client);
    fake.client.send = (type, message) => {
      order.push(`sent ${type}`);
      send(type, message);
    };
    return fake;
  }

  it("answers a customer's question to them alone, after committing the exchange with its intent and locale", async () => {
    const { parts, order, committed, lines } = desk();
    const ada = customerOf(order);
    const returned = await parts.answer(
      ada.client,
      { text: "how much is the sofa?", clientMessageId: "m-1", locale: "en" },
      "LAMP-2",
    );
    expect(order).toEqual(["committed", "sent assistant:reply"]);
    expect(committed).toHaveLength(1);
    const row = committed[0]!;
    expect(row).toMatchObject({
      customerId: "c-1",
      showroomId: "s-1",
      visitId: "v-1",
      type: "assistant_exchange",
      productSku: "SOFA-1",
      payload: {
        question: "how much is the sofa?",
        answer: "The Oslo sofa is 1299 EUR.",
        intent: "ask_price",
        score: 0.875,
        locale: "en",
        entities: { products: ["SOFA-1"], categories: ["sofa"], quantities: [] },
        clarifying: false,
        action: null,
      },
    });
    const message = {
      clientMessageId: "m-1",
      id: row.id,
      text: "The Oslo sofa is 1299 EUR.",
      intent: "ask_price",
      score: 0.875,
      locale: "en",
      clarifying: false,
    };
    expect(ada.sent).toEqual([{ type: "assistant:reply", message }]);
    expect(returned).toEqual(message);
    expect(lines).toEqual(['[assistant] en "ask_price" (0.88)']);
  });

  it("asks the assistant in the customer's locale about their visit and the product they stand at, which the exchange is filed under when the question names none", async () => {
    const reply: AssistantReply = {
      text: "你好！",
      intent: "greet",
      score: 1,
      locale: "zh",
      entities: { products: [], categories: [], quantities: [] },
      clarifying: false,
    };
    const { parts, asked, committed } = desk({ reply });
    await parts.answer(fakeRoomClient("a").client, { text: "你好", clientMessageId: "m-2", locale: "zh" }, "LAMP-2");
    expect(asked).toEqual([
      {
        text: "你好",
        ctx: { locale: "zh", customerId: "c-1", showroomId: "s-1", visitId: "v-1", nearProductSku: "LAMP-2" },
      },
    ]);
    expect(committed[0]?.productSku).toBe("LAMP-2");
    expect(committed[0]?.payload).toMatchObject({ locale: "zh", intent: "greet" });
  });

  it("files an exchange about no product under none", async () => {
    const reply: AssistantReply = { ...REPLY, entities: { products: [], categories: [], quantities: [] } };
    const { parts, committed } = desk({ reply });
    await parts.answer(fakeRoomClient("a").client, { text: "hello", clientMessageId: "m-1", locale: null }, null);
    expect(committed[0]?.productSku).toBeNull();
  });

  it("hands the customer the action the assistant took, and records it with the exchange", async () => {
    const action = { kind: "support_requested" as const, ticketId: "t-1" };
    const { parts, committed } = desk({ reply: { ...REPLY, intent: "ask_human_agent", action } });
    const ada = fakeRoomClient("a");
    const reply = await parts.answer(
      ada.client,
      { text: "a person please", clientMessageId: "m-1", locale: "en" },
      null,
    );
    expect(reply?.action).toEqual(action);
    expect(ada.sent[0]).toMatchObject({ type: "assistant:reply", message: { action } });
    expect(committed[0]?.payload).toMatchObject({ action });
  });

  it("gives the customer a clear refusal when the assistant cannot answer, and records nothing", async () => {
    const { parts, committed, lines } = desk({ reply: new Error("model worker stopped") });
    const ada = fakeRoomClient("a");
    const reply = await parts.answer(ada.client, { text: "price?", clientMessageId: "m-9", locale: "en" }, null);
    expect(reply).toBeUndefined();
    expect(ada.sent).toEqual([
      {
        type: "chat:refused",
        message: { clientMessageId: "m-9", reason: "The assistant could not answer just now. Please ask again." },
      },
    ]);
    expect(committed).toEqual([]);
    expect(lines).toEqual(["[room] assistant exchange for a not saved: model worker stopped"]);
  });

  it("does not show an answer that could not be saved: the customer is refused and may ask again", async () => {
    const { parts, lines } = desk({ commitFails: true });
    const ada = fakeRoomClient("a");
    const reply = await parts.answer(ada.client, { text: "price?", clientMessageId: "m-3", locale: "en" }, null);
    expect(reply).toBeUndefined();
    expect(ada.sent).toEqual([
      {
        type: "chat:refused",
        message: { clientMessageId: "m-3", reason: "The assistant could not answer just now. Please ask again." },
      },
    ]);
    expect(lines).toEqual(["[room] assistant exchange for a not saved: database down"]);
  });

  it("answers staff without a CRM record, the reply then carrying no interaction id", async () => {
    const { parts, committed, asked } = desk();
    const agent = fakeRoomClient("g", null);
    const reply = await parts.answer(agent.client, { text: "price?", clientMessageId: "m-1", locale: null }, null);
    expect(committed).toEqual([]);
    expect(reply?.id).toBe("");
    expect(asked[0]?.ctx).toEqual({
      locale: null,
      customerId: "",
      showroomId: "",
      visitId: null,
      nearProductSku: null,
    });
    expect(agent.sent.map((s) => s.type)).toEqual(["assistant:reply"]);
  });

  it("answers nobody who has not been admitted yet, without asking the assistant", async () => {
    const { parts, asked } = desk();
    const stranger = fakeRoomClient("x");
    stranger.client.userData = undefined;
    expect(await parts.answer(stranger.client, { text: "hi", clientMessageId: "m-1", locale: null }, null)).toBe(
      undefined,
    );
    expect(asked).toEqual([]);
    expect(stranger.sent).toEqual([]);
  });
});

describe("the state sync", () => {
  /** A product within grab reach of the first newcomer's right hand (the spawn ring puts them at x 0.6). */
  const catalog = {
    showroom: {
      id: "s-1",
      slug: "test",
      name: { en: "Test", zh: "测试" },
      capacity: 10,
      spawn: { x: 0, z: 4 },
      bounds: { minX: -10, maxX: 10, minZ: -10, maxZ: 10, height: 4 },
    },
    products: [
      { sku: "VASE-1", position: [0.8, 1.0, 3.7], grabbable: true },
      { sku: "SOFA-1", position: [-5, 0.4, -5], grabbable: false },
    ],
    trainings: [],
  } as unknown as Catalog;

  function room() {
    const sim = new ShowroomSimulation(catalog, 10);
    const state = initialState("test", catalog);
    const roster = new Roster(sim, state);
    roster.add("a", Role.Customer, "Ada");
    roster.add("b", Role.Customer, "Bo");
    // Everything so far is in the state already: start from a clean patch.
    syncDirtyToState(sim, state);
    const encoder = new Encoder(state);
    encoder.encodeAll();
    encoder.discardChanges();
    return { sim, state, roster, encoder };
  }

  const fields = (avatar: object | undefined) => ({ ...avatar });

  it("opens a showroom with its products quantized where the catalog puts them, and nobody in it", () => {
    const state = initialState("test", catalog);
    expect(state.slug).toBe("test");
    expect(state.avatars.size).toBe(0);
    const vase = state.products.get("VASE-1");
    expect([vase?.sku, vase?.xz, vase?.y, vase?.q]).toEqual([
      "VASE-1",
      packXZ(0.8, 3.7),
      quantizePosition(1.0),
      packQuaternion(0, 0, 0, 1),
    ]);
  });

  it("copies a moved avatar's quantized pose into the state and leaves everyone else's untouched", () => {
    const { sim, state, encoder } = room();
    const before = state.avatars.get("b");
    const bFields = fields(before);
    const vase = fields(state.products.get("VASE-1"));
    const moved = standingPose(0.7, 3.9, 0.5);
    sim.queuePose("a", moved);
    sim.advance(50);
    syncDirtyToState(sim, state);
    const a = state.avatars.get("a");
    expect([a?.hxz, a?.hy, a?.hq]).toEqual([
      packXZ(moved[0]!, moved[2]!),
      quantizePosition(moved[1]!),
      packQuaternion(moved[3]!, moved[4]!, moved[5]!, moved[6]!),
    ]);
    expect([a?.lxz, a?.ly, a?.lq]).toEqual([
      packXZ(moved[7]!, moved[9]!),
      quantizePosition(moved[8]!),
      packQuaternion(moved[10]!, moved[11]!, moved[12]!, moved[13]!),
    ]);
    expect([a?.rxz, a?.ry, a?.rq]).toEqual([
      packXZ(moved[14]!, moved[16]!),
      quantizePosition(moved[15]!),
      packQuaternion(moved[17]!, moved[18]!, moved[19]!, moved[20]!),
    ]);
    expect(state.avatars.get("b")).toBe(before);
    expect(fields(state.avatars.get("b"))).toEqual(bFields);
    expect(fields(state.products.get("VASE-1"))).toEqual(vase);
    expect(encoder.hasChanges).toBe(true);
  });

  it("sends nothing in a patch where nothing moved", () => {
    const { sim, state, encoder } = room();
    sim.advance(50);
    syncDirtyToState(sim, state);
    expect(encoder.hasChanges).toBe(false);
  });

  it("sends nothing for a movement smaller than the state's millimetre step", () => {
    const { sim, state, encoder } = room();
    const pose = new Float64Array(POSE_STRIDE);
    readAvatarPose(sim.world, sim.avatarOf("a")!, pose);
    const a = fields(state.avatars.get("a"));
    // A tenth of a millimetre: the quantized pose is the same, so no field is written.
    sim.queuePose(
      "a",
      Array.from(pose, (v, i) => (i === 0 ? v + 0.0001 : v)),
    );
    sim.advance(50);
    syncDirtyToState(sim, state);
    expect(fields(state.avatars.get("a"))).toEqual(a);
    expect(encoder.hasChanges).toBe(false);
  });

  it("shows a grabbed product as held by its visitor in that hand, and resting again once they leave", () => {
    const { sim, state, roster } = room();
    expect(sim.queueGrab("a", "VASE-1", Hand.Right)).toBe(true);
    sim.advance(50);
    syncDirtyToState(sim, state);
    const vase = state.products.get("VASE-1");
    expect([vase?.heldBy, vase?.hand]).toEqual(["a", Hand.Right]);
    roster.remove("a");
    syncDirtyToState(sim, state);
    expect([vase?.heldBy, vase?.hand]).toEqual(["", 0]);
    expect(state.avatars.has("a")).toBe(false);
    expect([...state.avatars.keys()]).toEqual(["b"]);
  });

  it("does not bring back the avatar of a visitor who left in the same patch as they moved", () => {
    const { sim, state, roster } = room();
    sim.queuePose("a", standingPose(0.7, 3.9, 0.5));
    sim.advance(50);
    roster.remove("a");
    syncDirtyToState(sim, state);
    expect(state.avatars.has("a")).toBe(false);
    expect(state.avatars.size).toBe(1);
  });
});

describe("erased customers among those in the room", () => {
  it("asks the database nothing when no customer is in the room", async () => {
    const db = {
      select: () => {
        throw new Error("no query expected");
      },
    } as unknown as Database;
    expect(await erasedAmong(db, [])).toEqual(new Set());
  });

  it("asks in one query which of the room's customers have an erasure date", async () => {
    const queries: { sql: string; params: unknown[] }[] = [];
    const db = {
      select: () => ({
        from: () => ({
          where: async (condition: SQL) => {
            queries.push(new PgDialect().sqlToQuery(condition));
            return [{ id: "c-2" }];
          },
        }),
      }),
    } as unknown as Database;
    expect(await erasedAmong(db, ["c-1", "c-2", "c-3"])).toEqual(new Set(["c-2"]));
    expect(queries).toEqual([
      {
        sql: '("customers"."id" in ($1, $2, $3) and "customers"."erased_at" is not null)',
        params: ["c-1", "c-2", "c-3"],
        typings: ["uuid", "uuid", "uuid"],
      },
    ]);
  });
});

describe("the erasure watch's decisions", () => {
  it("asks only about the customers in the room, never staff, and tells why it let one go", async () => {
    const asked: (readonly string[])[] = [];
    const lines: string[] = [];
    const ada = fakeRoomClient("a");
    const bo = fakeRoomClient("b", { ...VISIT, customerId: "c-2" });
    const agent = fakeRoomClient("g", null);
    const watch = new ErasureWatch(
      async (ids) => {
        asked.push(ids);
        return new Set(["c-2"]);
      },
      () => [ada.client, agent.client, bo.client],
      (line) => lines.push(line),
    );
    expect(await watch.check()).toEqual(["b"]);
    expect(asked).toEqual([["c-1", "c-2"]]);
    expect(bo.left).toEqual([{ code: ShowroomCloseCode.Erased, reason: "Your data in this showroom was erased." }]);
    expect(lines).toEqual(["[room] b let go: their data was erased"]);
    expect(agent.left).toEqual([]);
  });

  it("lets nobody go for a customer who left while the database was read", async () => {
    const ada = fakeRoomClient("a");
    const watch = new ErasureWatch(
      async () => {
        ada.client.userData = undefined;
        return new Set(["c-1"]);
      },
      () => [ada.client],
      () => {},
    );
    expect(await watch.check()).toEqual([]);
    expect(ada.left).toEqual([]);
  });
});

describe("a room's timings", () => {
  it("gives the percentile of the samples in a trailing window, and nothing for an empty one", () => {
    const window = new SampleWindow(16);
    expect(window.percentile(99, Infinity, 0)).toEqual({ value: 0, samples: 0 });
    for (let i = 1; i <= 10; i++) window.add(i, i * 100);
    expect(window.percentile(50, Infinity, 1000)).toEqual({ value: 6, samples: 10 });
    expect(window.percentile(99, Infinity, 1000)).toEqual({ value: 10, samples: 10 });
    expect(window.percentile(0, Infinity, 1000)).toEqual({ value: 1, samples: 10 });
    // The last 300 ms at 1000: samples taken at 700, 800, 900 and 1000.
    expect(window.percentile(50, 300, 1000)).toEqual({ value: 9, samples: 4 });
    expect(window.percentile(50, 300, 5000)).toEqual({ value: 0, samples: 0 });
  });

  it("keeps only the newest samples once its ring is full", () => {
    const window = new SampleWindow(4);
    for (const [value, at] of [
      [100, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ] as const)
      window.add(value, at);
    expect(window.percentile(99, Infinity, 5)).toEqual({ value: 4, samples: 4 });
    expect(window.percentile(0, Infinity, 5)).toEqual({ value: 1, samples: 4 });
  });

  it("reports ticks, sync and patches of the room with the number of avatars", () => {
    const metrics = new RoomMetrics();
    metrics.avatars = 3;
    for (let i = 1; i <= 10; i++) metrics.tickMs.add(i);
    metrics.syncMs.add(0.5);
    metrics.patchMs.add(2);
    metrics.patchMs.add(4);
    expect(metrics.snapshot()).toEqual({
      avatars: 3,
      ticks: 10,
      tickMsP50: 6,
      tickMsP99: 10,
      syncMsP99: 0.5,
      patches: 2,
      patchMsP50: 4,
      patchMsP99: 4,
    });
  });

  it("leaves samples older than the window out of the report", () => {
    const metrics = new RoomMetrics();
    const longAgo = performance.now() - 3_600_000;
    metrics.tickMs.add(500, longAgo);
    metrics.tickMs.add(7);
    metrics.patchMs.add(900, longAgo);
    expect(metrics.snapshot(60_000)).toMatchObject({ ticks: 1, tickMsP50: 7, tickMsP99: 7, patches: 0, patchMsP99: 0 });
    expect(metrics.snapshot()).toMatchObject({ ticks: 2, tickMsP99: 500, patches: 1, patchMsP99: 900 });
  });
});

describe("the support status board", () => {
  const boards: SupportStatusBoard[] = [];
  afterEach(() => {
    for (const board of boards.splice(0)) board.dispose();
  });

  const QUEUED: TicketSummary = {
    id: "t-1",
    customerId: "c-1",
    status: "queued",
    agentId: null,
    agentName: "Grace",
    csatScore: null,
    position: 2,
  };

  /** A board over a fake ticket store: `tickets` is what it holds now; each read is kept. */
  function board(clients: RoomClient[], tickets: TicketSummary[] | Error = []) {
    const store = {
      tickets,
      reads: [] as { customerIds: readonly string[]; showroomId: string }[],
      gate: undefined as Promise<void> | undefined,
    };
    const lines: string[] = [];
    const statuses = new SupportStatusBoard({
      store: {
        currentTickets: async (customerIds, showroomId) => {
          store.reads.push({ customerIds: [...customerIds], showroomId });
          if (store.gate) await store.gate;
          if (store.tickets instanceof Error) throw store.tickets;
          return store.tickets.filter((t) => customerIds.includes(t.customerId));
        },
      },
      showroomId: "s-1",
      clients: () => clients,
      log: (line) => lines.push(line),
      pollMs: 3_600_000,
    });
    boards.push(statuses);
    return { statuses, store, lines };
  }

  function gate() {
    let open = () => {};
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  }

  it("tells a customer with a request where they are in the queue, without the name of an agent yet", async () => {
    const ada = fakeRoomClient("a");
    const clients: RoomClient[] = [];
    const { statuses, store } = board(clients, [QUEUED]);
    // Followed from the moment the request is made (here, before the customer's client is in the list).
    statuses.watch("c-1");
    clients.push(ada.client);
    await statuses.refresh();
    expect(store.reads[0]).toEqual({ customerIds: ["c-1"], showroomId: "s-1" });
    expect(ada.sent).toEqual([
      {
        type: "support:status",
        message: {
          ticket: {
            ticketId: "t-1",
            status: "queued",
            position: 2,
            agentName: null,
            agentSessionId: null,
            csatPending: false,
          },
        },
      },
    ]);
  });

  it("does not tell a customer the same status twice", async () => {
    const ada = fakeRoomClient("a");
    const { statuses } = board([ada.client], [QUEUED]);
    await statuses.tell(ada.client);
    await statuses.refresh();
    await statuses.refresh();
    expect(ada.sent).toHaveLength(1);
  });

  it("reads nothing for a room of customers browsing without a request, nor for staff", async () => {
    const { statuses, store } = board([fakeRoomClient("a").client, fakeRoomClient("g", null).client], [QUEUED]);
    await statuses.refresh();
    statuses.watch("staff-1");
    await statuses.refresh();
    expect(store.reads).toEqual([]);
  });

  it("tells a joining customer nothing when they have no request, and follows one found when they join", async () => {
    const ada = fakeRoomClient("a");
    const { statuses, store } = board([ada.client]);
    await statuses.tell(ada.client);
    expect(ada.sent).toEqual([]);
    await statuses.refresh();
    expect(store.reads).toHaveLength(1);
    store.tickets = [QUEUED];
    await statuses.tell(ada.client);
    store.tickets = [{ ...QUEUED, position: 1 }];
    await statuses.refresh();
    expect(ada.sent.map((s) => (s.type === "support:status" ? s.message.ticket?.position : undefined))).toEqual([2, 1]);
  });

  it("names the agent and their avatar once they are in the room, and asks for a rating once resolved", async () => {
    const ada = fakeRoomClient("a");
    const agent = fakeRoomClient("g", null, "agent-7");
    const { statuses, store } = board([ada.client, agent.client]);
    const withAgent = { ...QUEUED, agentId: "agent-7", position: null };
    store.tickets = [{ ...withAgent, status: "assigned" }];
    await statuses.tell(ada.client);
    store.tickets = [{ ...withAgent, status: "agent_joined" }];
    await statuses.refresh();
    store.tickets = [{ ...withAgent, status: "resolved" }];
    await statuses.refresh();
    store.tickets = [{ ...withAgent, status: "resolved", csatScore: 5 }];
    await statuses.refresh();
    const told = ada.sent.map((s) => (s.type === "support:status" ? s.message.ticket : undefined));
    expect(told).toEqual([
      {
        ticketId: "t-1",
        status: "assigned",
        position: null,
        agentName: "Grace",
        agentSessionId: null,
        csatPending: false,
      },
      {
        ticketId: "t-1",
        status: "agent_joined",
        position: null,
        agentName: "Grace",
        agentSessionId: "g",
        csatPending: false,
      },
      {
        ticketId: "t-1",
        status: "resolved",
        position: null,
        agentName: "Grace",
        agentSessionId: null,
        csatPending: true,
      },
      {
        ticketId: "t-1",
        status: "resolved",
        position: null,
        agentName: "Grace",
        agentSessionId: null,
        csatPending: false,
      },
    ]);
  });

  it("tells a customer once that their request is gone, then stops following them", async () => {
    const ada = fakeRoomClient("a");
    const { statuses, store } = board([ada.client], [QUEUED]);
    await statuses.tell(ada.client);
    store.tickets = [];
    await statuses.refresh();
    await statuses.refresh();
    expect(ada.sent).toEqual([
      {
        type: "support:status",
        message: expect.objectContaining({ ticket: expect.objectContaining({ ticketId: "t-1" }) }),
      },
      { type: "support:status", message: { ticket: null } },
    ]);
    expect(store.reads).toHaveLength(2);
  });

  it("stops following a customer who left, but not one still here in another connection", async () => {
    const ada = fakeRoomClient("a");
    const clients = [ada.client];
    const { statuses, store } = board(clients, [QUEUED]);
    await statuses.tell(ada.client);
    statuses.forget("old-session", "c-1", true);
    await statuses.refresh();
    expect(store.reads).toHaveLength(2);
    statuses.forget("a", "c-1", false);
    await statuses.refresh();
    expect(store.reads).toHaveLength(2);
  });

  it("tells a customer who comes back in a new session where their request stands again", async () => {
    const ada = fakeRoomClient("a");
    const { statuses } = board([ada.client], [QUEUED]);
    await statuses.tell(ada.client);
    statuses.forget("a", "c-1", true);
    await statuses.tell(ada.client);
    expect(ada.sent).toHaveLength(2);
  });

  it("tells nothing to a customer who left while the tickets were read", async () => {
    const ada = fakeRoomClient("a");
    const clients: RoomClient[] = [];
    const { statuses, store } = board(clients, [QUEUED]);
    statuses.watch("c-1");
    clients.push(ada.client);
    const reading = gate();
    store.gate = reading.promise;
    const refreshed = statuses.refresh();
    clients.length = 0;
    reading.open();
    await refreshed;
    expect(ada.sent).toEqual([]);
  });

  it("reads again once after a read under way when a change asked for one meanwhile", async () => {
    const ada = fakeRoomClient("a");
    const { statuses, store } = board([ada.client], [QUEUED]);
    await statuses.tell(ada.client);
    const reading = gate();
    store.gate = reading.promise;
    const first = statuses.refresh();
    await statuses.refresh();
    await statuses.refresh();
    expect(store.reads).toHaveLength(2);
    store.tickets = [{ ...QUEUED, position: 1 }];
    store.gate = undefined;
    reading.open();
    await first;
    expect(store.reads).toHaveLength(3);
    expect(ada.sent.map((s) => (s.type === "support:status" ? s.message.ticket?.position : undefined))).toEqual([2, 1]);
  });

  it("logs a store it cannot read and tells nobody anything", async () => {
    const ada = fakeRoomClient("a");
    const { statuses, lines } = board([ada.client], new Error("database down"));
    await statuses.tell(ada.client);
    expect(ada.sent).toEqual([]);
    expect(lines).toEqual(["[support] could not read the tickets of room customers: database down"]);
  });
});
