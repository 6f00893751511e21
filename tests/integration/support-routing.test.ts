import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import type { Visitor } from "../support/visitor";
import { holdsFor, waitFor } from "../support/wait";
import {
  customerAsksForHelp,
  goOnline,
  joinAsAgent,
  joinAsCustomer,
  lastStatus,
  queueOf,
  staffConsole,
} from "./support-fixtures";

type TicketRow = { id: string; status: string; assigned_agent_id: string | null; accepted_at: Date | null };

const ASSIGN_TIMEOUT_SECONDS = 2;
const PRESENCE_TTL_SECONDS = 3;
const AGENT_GONE_SECONDS = 4;

describe.each(databaseKinds())("routing tickets to agents on %s Postgres (auto-assign)", (kind) => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  const heartbeats: NodeJS.Timeout[] = [];
  const customer = async (name: string) => {
    const visitor = await joinAsCustomer(server, name);
    visitors.push(visitor);
    return visitor;
  };
  /** An agent with the console open: it polls the queue every second, as the page does. */
  const onlineAgent = async (name: string, capacity: number) => {
    const agent = await staffConsole(server, "agent", name);
    await goOnline(agent, capacity);
    heartbeats.push(setInterval(() => void queueOf(agent).catch(() => undefined), 1000));
    return agent;
  };
  const ticketRow = async (id: string): Promise<TicketRow> =>
    (await server.database.pool.query("SELECT * FROM support_tickets WHERE id = $1", [id])).rows[0];
  const changes = async (id: string) =>
    (
      await server.database.pool.query(
        "SELECT type, payload FROM interactions WHERE payload->>'ticketId' = $1 ORDER BY occurred_at, id",
        [id],
      )
    ).rows as Array<{ type: string; payload: Record<string, unknown> }>;

  beforeAll(async () => {
    server = await startTestServer({
      database: kind,
      env: {
        ATRIUM_SUPPORT_AUTO_ASSIGN: "1",
        ATRIUM_SUPPORT_ASSIGN_TIMEOUT_SECONDS: String(ASSIGN_TIMEOUT_SECONDS),
        ATRIUM_SUPPORT_DISPATCH_MS: "200",
        ATRIUM_SUPPORT_PRESENCE_TTL_SECONDS: String(PRESENCE_TTL_SECONDS),
        ATRIUM_SUPPORT_AGENT_GONE_SECONDS: String(AGENT_GONE_SECONDS),
      },
    });
  });
  afterEach(async () => {
    heartbeats.splice(0).forEach(clearInterval);
    await Promise.all(visitors.splice(0).map((v) => v.leave()));
    // Nobody from one test takes tickets in the next.
    await server.database.pool.query("UPDATE agent_presence SET status = 'away'");
    await server.database.pool.query(
      "UPDATE support_tickets SET status = 'abandoned' WHERE status IN ('queued', 'assigned', 'agent_joined')",
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it("offers the waiting ticket to an online agent; unanswered, it returns to the queue after the timeout and goes to the next agent in turn", async () => {
    const [ari, bea] = [await onlineAgent("Ari", 2), await onlineAgent("Bea", 2)];
    const away = await staffConsole(server, "agent", "Cleo");
    await away.call("PUT", "/presence", { status: "away" });
    const ida = await customer("Ida");
    const { ticketId } = await customerAsksForHelp(ida);

    const offered = await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "assigned",
      10_000,
      "the ticket offered",
    );
    const [first, second] = offered.assigned_agent_id === ari.id ? [ari, bea] : [bea, ari];
    expect([ari.id, bea.id]).toContain(offered.assigned_agent_id);
    expect(offered.accepted_at).toBeNull();
    const mine = (await queueOf(first)).items.find((i) => i.ticketId === ticketId);
    expect(mine).toMatchObject({ mine: true, acceptedAt: null, status: "assigned" });
    await ida.until(() => lastStatus(ida)?.status === "assigned", 10_000, "Ida told someone is coming");

    // Nobody answers: back to the queue, then offered to the other agent (round robin).
    const reassigned = await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "assigned" && t.assigned_agent_id === second.id,
      (ASSIGN_TIMEOUT_SECONDS + 3) * 1000,
      "the ticket offered to the next agent",
    );
    expect(reassigned.assigned_agent_id).toBe(second.id);
    const history = await changes(ticketId);
    expect(history.map((c) => c.type)).toEqual([
      "support_requested",
      "support_assigned",
      "support_assignment_expired",
      "support_assigned",
    ]);
    expect(history[2]?.payload).toMatchObject({
      agentId: first.id,
      actor: { kind: "system", id: null },
      from: "assigned",
      to: "queued",
    });
    // The first agent can no longer take it; the second accepts and walks in, and it stays theirs.
    expect((await first.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(409);
    expect((await second.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    visitors.push(await joinAsAgent(server, second, ticketId));
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "agent_joined",
      10_000,
      "the agent arrived",
    );
    await holdsFor(
      () => ticketRow(ticketId),
      (t) => t.status === "agent_joined" && t.assigned_agent_id === second.id,
      (ASSIGN_TIMEOUT_SECONDS + 1) * 1000,
      "the ticket with the agent who arrived, past the offer timeout",
    );
  });

  it("an accepted ticket whose agent never arrives goes back to the queue too", async () => {
    const dev = await onlineAgent("Dev", 1);
    const jan = await customer("Jan");
    const { ticketId } = await customerAsksForHelp(jan);
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.assigned_agent_id === dev.id,
      10_000,
      "offered to Dev",
    );
    expect((await dev.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    await dev.call("PUT", "/presence", { status: "away" });
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "queued",
      (ASSIGN_TIMEOUT_SECONDS + 3) * 1000,
      "the ticket back in the queue",
    );
    await jan.until(() => lastStatus(jan)?.status === "queued", 10_000, "Jan waiting again");
    expect(lastStatus(jan)).toMatchObject({ position: 1, agentName: null });
  });

  it("an offer accepted late gives the agent the whole timeout from the accept to arrive", async () => {
    const eli = await onlineAgent("Eli", 1);
    const kai = await customer("Kai");
    const { ticketId } = await customerAsksForHelp(kai);
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.assigned_agent_id === eli.id,
      10_000,
      "offered to Eli",
    );
    // The offer has been waiting most of the timeout when Eli accepts it.
    await server.database.pool.query(
      "UPDATE support_tickets SET assigned_at = now() - interval '1.2 seconds' WHERE id = $1",
      [ticketId],
    );
    expect((await eli.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    // Past the offer's own timeout (0.8 s away), the accepted ticket stays with Eli.
    await holdsFor(
      () => ticketRow(ticketId),
      (t) => t.status === "assigned" && t.assigned_agent_id === eli.id && t.accepted_at !== null,
      1300,
      "the accepted ticket with Eli, not expired and offered again",
    );
    expect((await changes(ticketId)).map((c) => c.type)).not.toContain("support_assignment_expired");
    // Without arriving, it still goes back in the end.
    await eli.call("PUT", "/presence", { status: "away" });
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "queued",
      (ASSIGN_TIMEOUT_SECONDS + 3) * 1000,
      "the ticket back in the queue",
    );
  });

  it("a ticket whose agent's console goes silent while helping goes back to the queue, and the customer is told", async () => {
    const flo = await staffConsole(server, "agent", "Flo");
    await goOnline(flo, 1);
    const lia = await customer("Lia");
    const { ticketId } = await customerAsksForHelp(lia);
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.assigned_agent_id === flo.id,
      10_000,
      "offered to Flo",
    );
    expect((await flo.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    const inRoom = await joinAsAgent(server, flo, ticketId);
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "agent_joined",
      10_000,
      "Flo beside Lia",
    );
    // Flo's browser dies: her console stops polling and her avatar leaves.
    await inRoom.leave();
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "queued",
      (AGENT_GONE_SECONDS + 5) * 1000,
      "the ticket back in the queue",
    );
    const released = (await changes(ticketId)).filter((c) => c.type === "support_released");
    expect(released.at(-1)?.payload).toMatchObject({
      actor: { kind: "system" },
      reason: "agent_gone",
      agentId: flo.id,
      from: "agent_joined",
      to: "queued",
    });
    await lia.until(() => lastStatus(lia)?.status === "queued", 10_000, "Lia waiting again");
  });

  it("respects capacity and presence: away, busy and silent consoles get nothing, and a freed place is filled from the queue", async () => {
    const eli = await onlineAgent("Eli", 1);
    const busy = await staffConsole(server, "agent", "Fox");
    await busy.call("PUT", "/presence", { status: "busy", capacity: 5 });
    // Online, but its console stops answering: after the presence TTL it is passed over.
    const silent = await staffConsole(server, "agent", "Gus");
    await goOnline(silent, 5);
    await waitFor(
      async () =>
        (
          await server.database.pool.query(
            "SELECT last_seen_at < now() - make_interval(secs => $2) AS stale FROM agent_presence WHERE staff_id = $1",
            [silent.id, PRESENCE_TTL_SECONDS],
          )
        ).rows[0]?.stale === true,
      (stale) => stale,
      (PRESENCE_TTL_SECONDS + 3) * 1000,
      "the silent console's presence older than the TTL",
    );

    const [kit, lou] = [await customer("Kit"), await customer("Lou")];
    const first = (await customerAsksForHelp(kit)).ticketId;
    // The second request comes strictly later, so the queue's order is Kit's, then Lou's.
    await waitFor(
      async () =>
        (
          await server.database.pool.query(
            "SELECT clock_timestamp() > created_at AS later FROM support_tickets WHERE id = $1",
            [first],
          )
        ).rows[0]?.later === true,
      (later) => later,
      1000,
      "the clock past Kit's request",
    );
    const second = (await customerAsksForHelp(lou)).ticketId;
    await waitFor(
      () => ticketRow(first),
      (t) => t.status === "assigned",
      10_000,
      "the first ticket offered",
    );
    expect(await ticketRow(first)).toMatchObject({ assigned_agent_id: eli.id });
    // Five dispatch rounds: nobody else eligible takes the second.
    await holdsFor(
      () => ticketRow(second),
      (t) => t.status === "queued" && t.assigned_agent_id === null,
      1000,
      "the second ticket waiting in the queue",
    );
    await lou.until(() => lastStatus(lou)?.position === 1, 10_000, "Lou next in line");

    // Eli takes the first, walks in and resolves it: the second comes to Eli.
    expect((await eli.call("POST", `/tickets/${first}/accept`)).status).toBe(200);
    visitors.push(await joinAsAgent(server, eli, first));
    expect((await eli.call("POST", `/tickets/${first}/resolve`)).status).toBe(200);
    await waitFor(
      () => ticketRow(second),
      (t) => t.status === "assigned",
      10_000,
      "the second ticket offered",
    );
    expect((await ticketRow(second)).assigned_agent_id).toBe(eli.id);

    // The silent console comes back: it is eligible again.
    const mia = await customer("Mia");
    const third = (await customerAsksForHelp(mia)).ticketId;
    await holdsFor(
      () => ticketRow(third),
      (t) => t.status === "queued",
      600,
      "the third ticket waiting while Eli is full and the other console silent",
    );
    await queueOf(silent);
    await waitFor(
      () => ticketRow(third),
      (t) => t.assigned_agent_id === silent.id,
      10_000,
      "the third ticket offered to the returning agent",
    );
  });
});
