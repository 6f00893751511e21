import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, sleep, type Visitor } from "../support/visitor";
import { customerAsksForHelp, joinAsCustomer, waitFor } from "./support-fixtures";

type TicketRow = { id: string; status: string };
type ChangeRow = { type: string; payload: { actor?: { kind: string }; reason?: string } };

const RETURN_SECONDS = 3;

describe.each(databaseKinds())("open tickets across a server stop on %s Postgres", (kind) => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  const ticketRow = async (id: string): Promise<TicketRow> =>
    (await server.database.pool.query("SELECT id, status FROM support_tickets WHERE id = $1", [id])).rows[0];
  const abandonments = async (id: string): Promise<ChangeRow[]> =>
    (
      await server.database.pool.query(
        "SELECT type, payload FROM interactions WHERE type = 'support_abandoned' AND payload->>'ticketId' = $1",
        [id],
      )
    ).rows;

  beforeAll(async () => {
    server = await startTestServer({
      database: kind,
      env: { ATRIUM_SUPPORT_CUSTOMER_RETURN_SECONDS: String(RETURN_SECONDS) },
    });
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  it("a stop does not abandon the customers' tickets; one who comes back keeps it, one who does not loses it to the system", async () => {
    const gone = await joinAsCustomer(server, "Gus");
    const back = await joinAsCustomer(server, "Bea");
    visitors.push(gone, back);
    const goneTicket = (await customerAsksForHelp(gone)).ticketId;
    const backTicket = (await customerAsksForHelp(back)).ticketId;
    // Cy's connection drops just before the stop: the room still holds her seat when it goes.
    const dropped = await joinAsCustomer(server, "Cy");
    const droppedTicket = (await customerAsksForHelp(dropped)).ticketId;
    await dropped.room.leave(false);
    await sleep(300);

    await server.restart();
    expect((await ticketRow(droppedTicket)).status).toBe("queued");
    expect((await ticketRow(goneTicket)).status).toBe("queued");
    expect((await ticketRow(backTicket)).status).toBe("queued");
    expect(await abandonments(goneTicket)).toEqual([]);
    expect(server.output()).toContain("stay open for their return");

    // Bea's browser brings her back as the same visitor; Gus does not return.
    const returned = await joinShowroom(server.baseUrl, { name: "Bea", returning: back.guest });
    visitors.push(returned);
    await waitFor(
      () => ticketRow(goneTicket),
      (t) => t.status === "abandoned",
      (RETURN_SECONDS + 10) * 1000,
      "Gus's ticket abandoned",
    );
    const [change] = await abandonments(goneTicket);
    expect(change.payload).toMatchObject({ actor: { kind: "system" }, reason: "customer_gone" });

    await sleep((RETURN_SECONDS + 2) * 1000);
    expect((await ticketRow(backTicket)).status).toBe("queued");
  });
});
