import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, type Catalog } from "../../db/catalog";
import { customers, demoRequests, interactions, products, quoteRequests, supportTickets } from "../../db/schema";
import { createDatabaseActions } from "../../server/assistant/actions";
import { Assistant } from "../../server/assistant/assistant";
import { loadShippingPolicy } from "../../server/assistant/shipping";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { nth } from "../support/items";

describe("the assistant against the CRM database", () => {
  let database: TestDatabase;
  let cacheDir: string;
  let assistant: Assistant;
  let visitor: { customerId: string; showroomId: string };

  const currentCatalog = async (): Promise<Catalog> => {
    const catalog = await loadCatalog(database.db, "home-living");
    if (!catalog) throw new Error("the demo showroom is missing");
    return catalog;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    cacheDir = mkdtempSync(join(tmpdir(), "atrium-nlp-it-"));
    const catalog = await currentCatalog();
    const customerId = uuidv7();
    await database.db.insert(customers).values({ id: customerId, visitorId: `visitor-${customerId}` });
    visitor = { customerId, showroomId: catalog.showroom.id };
    assistant = await Assistant.create({
      catalog,
      shipping: loadShippingPolicy(),
      cacheDir,
      actions: createDatabaseActions(database.db),
    });
  });
  afterAll(async () => {
    await database?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  const historyOf = (type: string) =>
    database.db
      .select()
      .from(interactions)
      .where(and(eq(interactions.customerId, visitor.customerId), eq(interactions.type, type)));

  it("answers with the price stored in the database, and a new price after a retrain", async () => {
    expect((await assistant.answer("how much is the Oslo sofa?", visitor)).text).toContain("$1,299.00");
    await database.db.update(products).set({ priceCents: 109_900 }).where(eq(products.sku, "SOFA-OSLO-3"));
    await assistant.retrain(await currentCatalog());
    expect((await assistant.answer("how much is the Oslo sofa?", visitor)).text).toContain("$1,099.00");
    expect((await assistant.answer("奥斯陆沙发多少钱", visitor)).text).toContain("US$1,099.00");
  });

  it("queues a support ticket and records the interaction when a visitor asks for a person", async () => {
    const reply = await assistant.answer("can I talk to a real person?", visitor);
    expect(reply.action?.kind).toBe("support_requested");
    const ticketId = reply.action?.kind === "support_requested" ? reply.action.ticketId : "";
    const [ticket] = await database.db.select().from(supportTickets).where(eq(supportTickets.id, ticketId));
    expect(ticket).toMatchObject({
      customerId: visitor.customerId,
      reason: "assistant_escalation",
      status: "queued",
      assignedAgentId: null,
      resolvedAt: null,
    });
    const history = await historyOf("support_requested");
    expect(history.map((i) => i.payload.ticketId)).toContain(ticketId);
  });

  it("turns a complaint into a queued ticket about the product", async () => {
    const reply = await assistant.answer("我的奥斯陆沙发收到时坏了", visitor);
    expect(reply.intent).toBe("complaint");
    const ticketId = reply.action?.kind === "support_requested" ? reply.action.ticketId : "";
    const [ticket] = await database.db.select().from(supportTickets).where(eq(supportTickets.id, ticketId));
    expect(ticket).toMatchObject({ reason: "complaint", status: "queued", productSku: "SOFA-OSLO-3" });
    // The same visitor asked for a person above: live support merges the complaint into that open ticket.
    expect(
      (await historyOf("support_request_merged")).some(
        (i) => i.payload.ticketId === ticketId && i.payload.reason === "complaint" && i.productSku === "SOFA-OSLO-3",
      ),
    ).toBe(true);
  });

  it("stores a quote request with its items and quantities", async () => {
    const reply = await assistant.answer("I need a quote for 20 Mika chairs and 4 Fjord tables", visitor);
    const id = reply.action?.kind === "quote_requested" ? reply.action.id : "";
    const quotes = await database.db.select().from(quoteRequests).where(eq(quoteRequests.id, id));
    expect(quotes).toHaveLength(1);
    const quote = nth(quotes, 0);
    expect(quote.items).toEqual([
      { sku: "CHAIR-MIKA", quantity: 20 },
      { sku: "TABLE-FJORD-6", quantity: 4 },
    ]);
    expect(quote.locale).toBe("en");
    expect((await historyOf("quote_requested")).map((i) => i.payload.quoteRequestId)).toContain(id);
  });

  it("stores a demo request for the product", async () => {
    const reply = await assistant.answer("能预约升降桌的演示吗", visitor);
    const id = reply.action?.kind === "demo_requested" ? reply.action.id : "";
    const [demo] = await database.db.select().from(demoRequests).where(eq(demoRequests.id, id));
    expect(demo).toMatchObject({ productSku: "DESK-ATLAS", locale: "zh", customerId: visitor.customerId });
    expect((await historyOf("demo_requested")).length).toBe(1);
  });
});
