import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, teleportTo, type Visitor } from "../support/visitor";
import { waitFor } from "../support/wait";

const METRICS_TOKEN = "assistant-room-test-metrics-token-0123456789";

describe("the assistant in the showroom", () => {
  let server: TestServer;
  const dataDir = mkdtempSync(join(tmpdir(), "atrium-assistant-"));
  let kim: Visitor;
  let lee: Visitor;

  beforeAll(async () => {
    // A data folder of its own, so no cached model exists and the server must train one.
    server = await startTestServer({ env: { ATRIUM_DATA_DIR: dataDir, ATRIUM_METRICS_TOKEN: METRICS_TOKEN } });
    kim = await joinShowroom(server.baseUrl, { name: "Kim" });
    lee = await joinShowroom(server.baseUrl, { name: "Lee" });
    await kim.until(() => kim.room.state?.avatars?.size === 3, 10_000, "Kim, Lee and the assistant");
  });
  afterAll(async () => {
    await Promise.all([kim?.leave(), lee?.leave()]);
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is trained at start in a worker thread, off the simulation's thread, and cached", async () => {
    // The room opens without waiting for the model; training goes on in the worker meanwhile, and
    // the trained model is cached in a data folder that had none.
    const cache = join(dataDir, "nlp-cache");
    const cached = await waitFor(
      async () => (existsSync(cache) ? readdirSync(cache).filter((file) => file.endsWith(".nlp")) : []),
      (files) => files.length === 1,
      30_000,
      "the trained model in the cache",
    );
    expect(cached).toHaveLength(1);
    // node-nlp's dictionaries and the model (~200 MB) live in the worker's heap, not the simulation's.
    const answer = await fetch(`${server.baseUrl}/api/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const metrics = (await answer.json()) as { memory: { heapUsed: number } };
    expect(metrics.memory.heapUsed).toBeLessThan(120 * 1024 * 1024);
  });

  it("stands in the room as a visible assistant avatar", () => {
    const assistant = kim.room.state.avatars.get("assistant");
    expect(assistant).toMatchObject({ name: "Assistant", role: 2, connected: true });
    expect(kim.headOf("assistant")?.y).toBeCloseTo(1.7, 2);
  });

  it("answers an @assistant chat to the asker alone and records the exchange with intent, score, entities and locale", async () => {
    kim.room.send("chat", { text: "@assistant how much is the Oslo sofa?", clientMessageId: "q-1" });
    await kim.until(() => kim.received.some((m) => m.type === "assistant:reply"), 10_000, "the assistant's reply");
    const reply = kim.received.find((m) => m.type === "assistant:reply")!.payload as {
      id: string;
      text: string;
      intent: string;
      locale: string;
    };
    expect(reply).toMatchObject({ intent: "ask_price", locale: "en" });
    expect(reply.text).toContain("1,299");
    // A line Kim says to the room after the answer: Lee hears it, and nothing before it.
    kim.room.send("chat", { text: "thanks", clientMessageId: "after-1" });
    await lee.until(
      () => lee.received.some((m) => m.type === "chat" && m.payload.text === "thanks"),
      10_000,
      "Kim's next line at Lee's",
    );
    expect(lee.received.filter((m) => m.type === "assistant:reply" || m.type === "chat").map((m) => m.type)).toEqual([
      "chat",
    ]);

    const { rows } = await server.database.pool.query(
      "SELECT customer_id, type, product_sku, payload FROM interactions WHERE id = $1",
      [reply.id],
    );
    expect(rows[0]).toMatchObject({
      customer_id: kim.guest.customerId,
      type: "assistant_exchange",
      product_sku: "SOFA-OSLO-3",
    });
    expect(rows[0].payload).toMatchObject({
      question: "how much is the Oslo sofa?",
      intent: "ask_price",
      locale: "en",
      entities: { products: ["SOFA-OSLO-3"] },
    });
    expect(rows[0].payload.score).toBeGreaterThan(0.6);
  });

  it("understands Chinese and what the visitor stands at", async () => {
    await teleportTo(lee, -4, -2.5); // beside the Luna armchair, which is sold out
    lee.room.send("ask", { text: "这个有货吗", clientMessageId: "q-2", locale: null });
    await lee.until(() => lee.received.some((m) => m.type === "assistant:reply"), 10_000, "the reply");
    const reply = lee.received.find((m) => m.type === "assistant:reply")!.payload as {
      text: string;
      intent: string;
      locale: string;
    };
    expect(reply).toMatchObject({ intent: "ask_availability", locale: "zh" });
    expect(reply.text).toContain("露娜");
  });

  it("hands a visitor who asks for a person to live support", async () => {
    kim.room.send("ask", { text: "can I talk to a real person please", clientMessageId: "q-3", locale: "en" });
    await kim.until(
      () => kim.received.some((m) => m.type === "assistant:reply" && m.payload.clientMessageId === "q-3"),
      10_000,
      "the reply",
    );
    const reply = kim.received.find((m) => m.type === "assistant:reply" && m.payload.clientMessageId === "q-3")!
      .payload as { intent: string; action?: { kind: string } };
    expect(reply.intent).toBe("ask_human_agent");
    expect(reply.action?.kind).toBe("support_requested");
    const tickets = await waitFor(
      async () =>
        (
          await server.database.pool.query("SELECT status FROM support_tickets WHERE customer_id = $1", [
            kim.guest.customerId,
          ])
        ).rows,
      (rows) => rows.length > 0,
    );
    expect(tickets[0].status).toBe("queued");
  });
});
