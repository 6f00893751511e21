import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SupportMetrics, TicketMeasures } from "../../schema/support";
import { startTestServer, type TestServer } from "../support/server";
import type { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait";
import { customerAsksForHelp, goOnline, joinAsAgent, joinAsCustomer, staffConsole } from "./support-fixtures";

const SLA = { waitSeconds: 30, firstResponseSeconds: 60, resolutionSeconds: 90 };

describe("service levels in the manager's figures", () => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  const customer = async (name: string) => {
    const visitor = await joinAsCustomer(server, name);
    visitors.push(visitor);
    return visitor;
  };
  /** A ticket requested `seconds` ago: what a customer waiting that long looks like to the figures. */
  const requestedAgo = async (ticketId: string, seconds: number) => {
    await server.database.pool.query(
      "UPDATE support_tickets SET created_at = now() - make_interval(secs => $2) WHERE id = $1",
      [ticketId, seconds],
    );
  };
  const measuresOf = async (ticketId: string): Promise<TicketMeasures | undefined> => {
    const manager = await staffConsole(server, "manager", "Mona");
    const { status, body } = await manager.call<SupportMetrics>("GET", "/metrics");
    expect(status).toBe(200);
    return body.tickets.find((t) => t.ticketId === ticketId);
  };

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        ATRIUM_SLA_WAIT_SECONDS: String(SLA.waitSeconds),
        ATRIUM_SLA_FIRST_RESPONSE_SECONDS: String(SLA.firstResponseSeconds),
        ATRIUM_SLA_RESOLUTION_SECONDS: String(SLA.resolutionSeconds),
      },
    });
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  it("reports the thresholds it was configured with", async () => {
    const manager = await staffConsole(server, "manager", "Max");
    const { body } = await manager.call<SupportMetrics>("GET", "/metrics");
    expect(body.sla).toEqual(SLA);
  });

  it("flags nothing on a ticket answered, joined and resolved within every threshold", async () => {
    const ada = await customer("Ada");
    const { ticketId } = await customerAsksForHelp(ada);
    const agent = await staffConsole(server, "agent", "Abe");
    await goOnline(agent);
    expect((await agent.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    const inRoom = await joinAsAgent(server, agent, ticketId);
    visitors.push(inRoom);
    inRoom.room.send("support:say", { ticketId, text: "Hello Ada", clientMessageId: "s-1" });
    await ada.until(() => ada.received.some((m) => m.type === "support:say"), 10_000, "the agent's line at Ada's");
    expect((await agent.call("POST", `/tickets/${ticketId}/resolve`)).status).toBe(200);
    const measured = await waitFor(
      () => measuresOf(ticketId),
      (m) => m?.status === "resolved" && m.firstResponseSeconds !== null,
      5000,
      "Ada's ticket measured as resolved",
    );
    expect(measured?.breached).toEqual([]);
  });

  it("flags only the wait on an open ticket waiting past the wait threshold but not the others", async () => {
    const bo = await customer("Bo");
    const { ticketId } = await customerAsksForHelp(bo);
    await requestedAgo(ticketId, SLA.waitSeconds + 15);
    expect(await measuresOf(ticketId)).toMatchObject({ status: "queued", breached: ["wait"] });
  });

  it("flags the wait, the first response and the resolution on an open ticket waiting past all three", async () => {
    const cy = await customer("Cy");
    const { ticketId } = await customerAsksForHelp(cy);
    await requestedAgo(ticketId, SLA.resolutionSeconds + 10);
    expect(await measuresOf(ticketId)).toMatchObject({
      status: "queued",
      breached: ["wait", "first_response", "resolution"],
    });
    const manager = await staffConsole(server, "manager", "Mia");
    const { body } = await manager.call<SupportMetrics>("GET", "/metrics");
    expect(body.summary.breached).toBe(body.tickets.filter((t) => t.breached.length > 0).length);
    expect(body.summary.breached).toBeGreaterThanOrEqual(2);
  });
});
