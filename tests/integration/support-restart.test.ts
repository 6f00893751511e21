import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, type Visitor } from "../support/visitor";
import { holdsFor, waitFor } from "../support/wait";
import { customerAsksForHelp, joinAsCustomer } from "./support-fixtures";

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
    await gone.until(
      () => gone.room.state.avatars.get(dropped.sessionId)?.connected === false,
      8000,
      "Cy's seat held for her return",
    );

    await server.restart();
    expect((await ticketRow(droppedTicket)).status).toBe("queued");
    expect((await ticketRow(goneTicket)).status).toBe("queued");
    expect((await ticketRow(backTicket)).status).toBe("queued");
    expect(await abandonments(goneTicket)).toEqual([]);
    expect(await abandonments(droppedTicket)).toEqual([]);
    expect(await abandonments(backTicket)).toEqual([]);

    // Bea's browser brings her back as the same visitor; Gus does not return.
    const returned = await joinShowroom(server.baseUrl, { name: "Bea", returning: back.guest });
    visitors.push(returned);
    await waitFor(
      () => ticketRow(goneTicket),
      (t) => t.status === "abandoned",
      (RETURN_SECONDS + 10) * 1000,
      "Gus's ticket abandoned",
    );
    expect(await abandonments(goneTicket)).toEqual([
      {
        type: "support_abandoned",
        payload: expect.objectContaining({ actor: { kind: "system", id: null }, reason: "customer_gone" }),
      },
    ]);
    // Both visits ended at the same stop, so Bea's grace has run out too: the next sweeps (one a
    // second) leave her ticket open, as she came back.
    await holdsFor(
      () => ticketRow(backTicket),
      (t) => t.status === "queued",
      2500,
      "Bea's ticket open after her return",
    );
  });
});
