import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unpackPose } from "../../schema/codec";
import type { SupportMetrics, TicketDetail } from "../../schema/support";
import { requestHelp } from "../../server/support/tickets";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { dwellWith, standingPose, teleportTo, type Visitor } from "../support/visitor";
import { waitFor } from "../support/wait";
import {
  customerAsksForHelp,
  goOnline,
  joinAsAgent,
  joinAsCustomer,
  lastStatus,
  queueOf,
  staffConsole,
  ticketOf,
  type StaffConsole,
} from "./support-fixtures";

type TicketRow = {
  id: string;
  status: string;
  assigned_agent_id: string | null;
  request_count: number;
  reason: string;
  csat_score: number | null;
  csat_comment: string | null;
  first_agent_message_at: Date | null;
  agent_joined_at: Date | null;
};

describe.each(databaseKinds())("live support on %s Postgres", (kind) => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  const customer = async (name: string) => {
    const visitor = await joinAsCustomer(server, name);
    visitors.push(visitor);
    return visitor;
  };
  const agentInRoom = async (agent: StaffConsole, ticketId: string) => {
    const visitor = await joinAsAgent(server, agent, ticketId);
    visitors.push(visitor);
    return visitor;
  };
  const ticketRow = async (ticketId: string): Promise<TicketRow> =>
    (await server.database.pool.query("SELECT * FROM support_tickets WHERE id = $1", [ticketId])).rows[0];
  const openTickets = async (customerId: string): Promise<TicketRow[]> =>
    (
      await server.database.pool.query(
        "SELECT * FROM support_tickets WHERE customer_id = $1 AND status IN ('queued', 'assigned', 'agent_joined')",
        [customerId],
      )
    ).rows;

  beforeAll(async () => {
    server = await startTestServer({ database: kind });
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  describe("a customer who presses Help, with two agents competing for the request", () => {
    let ana: Visitor;
    let ben: Visitor;
    let alex: StaffConsole;
    let blair: StaffConsole;
    let ticketId: string;
    let winner: StaffConsole;
    let loser: StaffConsole;
    let agentView: Visitor;

    beforeAll(async () => {
      ana = await customer("Ana");
      ben = await customer("Ben");
      await teleportTo(ana, 3, 2);
      alex = await staffConsole(server, "agent", "Alex");
      blair = await staffConsole(server, "agent", "Blair");
      await Promise.all([goOnline(alex), goOnline(blair)]);
    });

    it("is queued, and both consoles see the request with the customer's context", async () => {
      const requested = await customerAsksForHelp(ana, "Is the sofa available in blue?");
      ticketId = requested.ticketId;
      expect(requested.merged).toBe(false);
      await ana.until(() => lastStatus(ana)?.status === "queued", 10_000, "Ana's request shown as queued");
      expect(lastStatus(ana)).toMatchObject({ ticketId, position: 1, agentName: null, csatPending: false });

      // Both consoles see it with the customer's context.
      for (const agent of [alex, blair]) {
        const item = (await queueOf(agent)).items.find((i) => i.ticketId === ticketId);
        expect(item).toMatchObject({
          status: "queued",
          position: 1,
          reason: "help_button",
          message: "Is the sofa available in blue?",
          showroom: { slug: "home-living" },
        });
        expect(item?.customer).toMatchObject({ name: "Ana", visits: 1 });
      }
    });

    it("is taken by exactly one of two agents accepting at once; the other can neither read it nor act on it", async () => {
      // Both press Accept at once: exactly one gets it.
      const attempts = await Promise.all([
        alex.call("POST", `/tickets/${ticketId}/accept`),
        blair.call("POST", `/tickets/${ticketId}/accept`),
      ]);
      expect(attempts.map((a) => a.status).sort()).toEqual([200, 409]);
      [winner, loser] = attempts[0]?.status === 200 ? [alex, blair] : [blair, alex];
      expect(attempts.find((a) => a.status === 409)?.body).toMatchObject({ error: "taken" });
      expect((await ticketRow(ticketId)).assigned_agent_id).toBe(winner.id);
      // Neither can take it again.
      expect((await winner.call("POST", `/tickets/${ticketId}/accept`)).body).toMatchObject({
        error: "already_accepted",
      });
      expect((await loser.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(409);
      // The loser can neither read it, nor open the room for it, nor act on it.
      expect((await loser.call("GET", `/tickets/${ticketId}`)).status).toBe(403);
      expect((await loser.call("POST", "/room-token", { ticketId })).status).toBe(403);
      expect((await loser.call("POST", `/tickets/${ticketId}/resolve`)).status).toBe(403);
    });

    it("is told who is coming, and the agent's avatar arrives beside them, facing them, marked as staff", async () => {
      await ana.until(() => lastStatus(ana)?.status === "assigned", 10_000, "Ana told an agent is coming");
      expect(lastStatus(ana)?.agentName).toBe(winner.name);

      // The agent opens the showroom: their avatar stands beside Ana, facing her, marked as staff.
      agentView = await agentInRoom(winner, ticketId);
      await ana.until(
        () => lastStatus(ana)?.status === "agent_joined" && ana.room.state.avatars.has(agentView.sessionId),
        10_000,
        "the agent beside Ana",
      );
      expect(lastStatus(ana)).toMatchObject({ agentName: winner.name, agentSessionId: agentView.sessionId });
      const agentAvatar = ana.room.state.avatars.get(agentView.sessionId)!;
      expect(agentAvatar.role).toBe(1);
      const anaHead = ana.headOf(ana.sessionId)!;
      const pose = new Array<number>(7);
      unpackPose(agentAvatar.hxz, agentAvatar.hy, agentAvatar.hq, pose);
      const [px = NaN, , pz = NaN, qx = NaN, qy = NaN, qz = NaN, qw = NaN] = pose;
      const toAna = { x: anaHead.x - px, z: anaHead.z - pz };
      const distance = Math.hypot(toAna.x, toAna.z);
      expect(distance).toBeGreaterThan(0.8);
      expect(distance).toBeLessThan(2);
      // The agent's forward (-Z turned by the head rotation) points at Ana.
      const forward = { x: -2 * (qx * qz + qw * qy), z: -(1 - 2 * (qx * qx + qy * qy)) };
      expect((forward.x * toAna.x + forward.z * toAna.z) / distance).toBeGreaterThan(0.95);
      await agentView.until(
        () => agentView.received.some((m) => m.type === "support:customer"),
        10_000,
        "the agent told who the customer is",
      );
      expect(agentView.received.find((m) => m.type === "support:customer")?.payload).toMatchObject({
        ticketId,
        sessionId: ana.sessionId,
        name: "Ana",
      });
    });

    it("talks privately with the agent, and the others in the room see none of it", async () => {
      // Private lines both ways; Ben, in the same room, sees none of them.
      agentView.room.send("support:say", { ticketId, text: "Hi Ana, yes it comes in blue.", clientMessageId: "a1" });
      await ana.until(() => ana.received.some((m) => m.type === "support:say"), 10_000, "the agent's line at Ana's");
      expect(ana.received.find((m) => m.type === "support:say")?.payload).toMatchObject({
        ticketId,
        from: "agent",
        name: winner.name,
        text: "Hi Ana, yes it comes in blue.",
      });
      ana.room.send("support:say", { text: "Great, thank you!", clientMessageId: "c1" });
      await agentView.until(
        () => agentView.received.some((m) => m.type === "support:say" && m.payload.from === "customer"),
        10_000,
        "Ana's line at the agent's",
      );
      await ana.until(() => ana.received.some((m) => m.type === "support:say:ack"), 10_000, "Ana's line acknowledged");
      // Ana then says something to the whole room: Ben hears it, and none of the private lines before it.
      ana.room.send("chat", { text: "Back in a minute", clientMessageId: "room-1" });
      await ben.until(
        () => ben.received.some((m) => m.type === "chat" && m.payload.text === "Back in a minute"),
        10_000,
        "Ana's room line at Ben's",
      );
      expect(ben.received.filter((m) => m.type.startsWith("support:"))).toEqual([]);
      expect((await ticketRow(ticketId)).first_agent_message_at).not.toBeNull();
      // What the customer received never names a staff email.
      expect(JSON.stringify(ana.received)).not.toContain("@");
    });

    it("shows in the agent's console with the conversation, and takes notes", async () => {
      // The ticket in the console: the conversation and its history.
      const detail: TicketDetail = await ticketOf(winner, ticketId);
      expect(detail.messages.map((m) => [m.from, m.text])).toEqual([
        ["agent", "Hi Ana, yes it comes in blue."],
        ["customer", "Great, thank you!"],
      ]);
      const note = await winner.call("POST", `/tickets/${ticketId}/notes`, {
        text: "Wants the blue sofa; send a quote.",
      });
      expect(note.status).toBe(201);
    });

    it("is asked to rate once the agent resolves, and only the first rating counts", async () => {
      // Resolve: Ana is asked to rate, and her rating lands in the database.
      expect((await winner.call("POST", `/tickets/${ticketId}/resolve`)).status).toBe(200);
      await ana.until(() => lastStatus(ana)?.status === "resolved", 10_000, "the CSAT prompt");
      expect(lastStatus(ana)?.csatPending).toBe(true);
      ana.room.send("support:csat", { ticketId, score: 5, comment: "Very helpful" });
      await ana.until(() => ana.received.some((m) => m.type === "support:csat:ack"), 10_000, "the rating acknowledged");
      expect(await ticketRow(ticketId)).toMatchObject({
        status: "resolved",
        csat_score: 5,
        csat_comment: "Very helpful",
      });
      ana.room.send("support:csat", { ticketId, score: 1 });
      await ana.until(
        () => ana.received.some((m) => m.type === "support:refused" && m.payload.type === "support:csat"),
        10_000,
        "a second rating refused",
      );
      expect((await ticketRow(ticketId)).csat_score).toBe(5);
      await ana.until(() => lastStatus(ana) === null, 10_000, "the request cleared from Ana's panel");
    });

    it("has every change on the customer's timeline, with who made it", async () => {
      // Every change is on Ana's timeline, with who made it.
      const timeline = (
        await server.database.pool.query(
          "SELECT type, payload FROM interactions WHERE customer_id = $1 AND type LIKE 'support%' ORDER BY occurred_at, id",
          [ana.guest.customerId],
        )
      ).rows as Array<{ type: string; payload: { actor: { kind: string; id: string | null } } }>;
      expect(timeline.map((r) => r.type)).toEqual([
        "support_requested",
        "support_accepted",
        "support_agent_joined",
        "support_message",
        "support_message",
        "support_resolved",
        "support_csat",
      ]);
      expect(timeline.map((r) => r.payload.actor.kind)).toEqual([
        "customer",
        "agent",
        "agent",
        "agent",
        "customer",
        "agent",
        "customer",
      ]);
      expect(timeline[1]?.payload.actor.id).toBe(winner.id);
    });

    it("shows in the manager's figures as resolved in time and rated", async () => {
      // The manager's figures.
      const manager = await staffConsole(server, "manager", "Morgan");
      const metrics = await manager.call<SupportMetrics>("GET", "/metrics");
      expect(metrics.status).toBe(200);
      const measured = metrics.body.tickets.find((t) => t.ticketId === ticketId);
      expect(measured).toMatchObject({ status: "resolved", csat: 5, agentName: winner.name, breached: [] });
      expect(measured?.waitSeconds).toBeGreaterThan(0);
      expect(measured?.firstResponseSeconds).toBeGreaterThanOrEqual(measured!.waitSeconds!);
      expect(measured?.resolutionSeconds).toBeGreaterThanOrEqual(measured!.firstResponseSeconds!);
      expect(metrics.body.sla).toMatchObject({ waitSeconds: 120 });
    });
  });

  it("an agent who is away, or at capacity, cannot take more tickets; releasing one frees a place", async () => {
    const [cat, dan] = [await customer("Cat"), await customer("Dan")];
    const first = (await customerAsksForHelp(cat)).ticketId;
    const second = (await customerAsksForHelp(dan)).ticketId;
    const casey = await staffConsole(server, "agent", "Casey");

    expect((await casey.call("POST", `/tickets/${first}/accept`)).body).toMatchObject({ error: "not_online" });
    await goOnline(casey, 1);
    expect((await casey.call("POST", `/tickets/${first}/accept`)).status).toBe(200);
    const refused = await casey.call("POST", `/tickets/${second}/accept`);
    expect(refused).toMatchObject({ status: 409, body: { error: "at_capacity" } });
    expect((await queueOf(casey)).presence).toMatchObject({ status: "online", capacity: 1, held: 1 });

    // Released, the first goes back to the queue ahead of the second (it has waited longer).
    expect((await casey.call("POST", `/tickets/${first}/release`)).body).toMatchObject({ status: "queued" });
    await cat.until(() => lastStatus(cat)?.status === "queued", 10_000, "Cat back in the queue");
    const queue = await queueOf(casey);
    const positions = Object.fromEntries(queue.items.map((i) => [i.ticketId, i.position]));
    expect(positions[first]).toBeLessThan(positions[second]!);
    expect((await casey.call("POST", `/tickets/${second}/accept`)).status).toBe(200);

    // Busy: no new tickets, even under capacity.
    await casey.call("PUT", "/presence", { status: "busy", capacity: 3 });
    expect((await casey.call("POST", `/tickets/${first}/accept`)).body).toMatchObject({ error: "not_online" });
    await casey.call("POST", `/tickets/${second}/release`);
  });

  it("a second request from a customer with an open ticket is merged into it, whichever way it comes", async () => {
    const eve = await customer("Eve");
    const first = await customerAsksForHelp(eve, "Where is the lamp?");
    const again = await customerAsksForHelp(eve);
    expect(again).toEqual({ ticketId: first.ticketId, merged: true });
    // The assistant escalating a complaint, and two more at once, land on the same ticket.
    const showroomId = (await server.database.pool.query("SELECT id FROM showrooms WHERE slug = 'home-living'")).rows[0]
      .id as string;
    const viaAssistant = () =>
      requestHelp(server.database.db, {
        customerId: eve.guest.customerId,
        showroomId,
        visitId: null,
        productSku: null,
        reason: "complaint",
        source: "assistant",
        message: "This is taking too long",
      });
    const results = await Promise.all([viaAssistant(), viaAssistant(), viaAssistant()]);
    expect(results.every((r) => r.merged && r.ticket.id === first.ticketId)).toBe(true);
    const open = await openTickets(eve.guest.customerId);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ id: first.ticketId, request_count: 5, reason: "complaint" });
    const merges = await server.database.pool.query(
      "SELECT count(*)::int AS n FROM interactions WHERE customer_id = $1 AND type = 'support_request_merged'",
      [eve.guest.customerId],
    );
    expect(merges.rows[0].n).toBe(4);
  });

  it("a request made through the in-room assistant reaches the agents' queue, and a Help press afterwards merges into it", async () => {
    const ned = await customer("Ned");
    ned.room.send("ask", { text: "can I talk to a real person please", clientMessageId: "q-1", locale: "en" });
    await ned.until(() => lastStatus(ned)?.status === "queued", 15_000, "Ned's request queued");
    const ticketId = lastStatus(ned)!.ticketId;
    const agent = await staffConsole(server, "agent", "Noor");
    const item = (await queueOf(agent)).items.find((i) => i.ticketId === ticketId);
    expect(item).toMatchObject({
      reason: "assistant_escalation",
      message: "can I talk to a real person please",
      customer: { name: "Ned" },
    });
    expect(await customerAsksForHelp(ned)).toEqual({ ticketId, merged: true });
    expect(await openTickets(ned.guest.customerId)).toHaveLength(1);
  });

  it("the agents see, on the request, the product the customer holds and what they said", async () => {
    const ola = await customer("Ola");
    ola.room.send("chat", { text: "This vase is lovely", clientMessageId: "c-1" });
    await teleportTo(ola, -0.5, -3.2);
    // Facing the vase a few seconds (a dwell), then picking it up.
    await dwellWith(ola, standingPose(-0.5, -3.2, 0, [-0.2, 0.9, -3.8]));
    ola.room.send("grab", { sku: "VASE-KOI", hand: 1 });
    await ola.until(
      () => ola.room.state.products.get("VASE-KOI")?.heldBy === ola.sessionId,
      10_000,
      "the vase in Ola's hand",
    );
    const { ticketId } = await customerAsksForHelp(ola, "How heavy is it?");
    expect((await ticketRow(ticketId)) as unknown).toMatchObject({ product_sku: "VASE-KOI" });
    const agent = await staffConsole(server, "agent", "Pia");
    const item = await waitFor(
      async () => (await queueOf(agent)).items.find((i) => i.ticketId === ticketId),
      (found) => (found?.customer.held.length ?? 0) > 0,
      5000,
      "the held vase in the customer's context",
    );
    expect(item).toMatchObject({
      productSku: "VASE-KOI",
      productName: expect.stringMatching(/vase/i),
      message: "How heavy is it?",
    });
    expect(item?.customer.held).toEqual([{ sku: "VASE-KOI", name: item?.productName, amount: 1 }]);
    expect(item?.customer.recentLines.map((l) => l.text)).toContain("This vase is lovely");
    // The visitor id is the customer's credential (it gets a token for them): never shown to staff.
    expect(item?.customer.reference).toMatch(/^[0-9a-f]{8}$/);
    expect(JSON.stringify(await queueOf(agent))).not.toContain(ola.guest.visitorId);
    const detail = await agent.call("GET", `/tickets/${ticketId}`);
    expect(detail.status).toBe(200);
    expect(JSON.stringify(detail.body)).toContain(item!.customer.reference);
    expect(JSON.stringify(detail.body)).not.toContain(ola.guest.visitorId);
  });

  it("a customer who leaves before being helped abandons the request, and it leaves the queue", async () => {
    const fay = await customer("Fay");
    const { ticketId } = await customerAsksForHelp(fay);
    const gale = await staffConsole(server, "agent", "Gale");
    expect((await queueOf(gale)).items.some((i) => i.ticketId === ticketId)).toBe(true);
    await fay.leave();
    await waitFor(
      () => ticketRow(ticketId),
      (t) => t.status === "abandoned",
      10_000,
      "the ticket abandoned",
    );
    expect((await queueOf(gale)).items.some((i) => i.ticketId === ticketId)).toBe(false);
    expect((await gale.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(409);
    // A customer with an agent already on the way abandons too.
    const hal = await customer("Hal");
    const second = (await customerAsksForHelp(hal)).ticketId;
    await goOnline(gale);
    expect((await gale.call("POST", `/tickets/${second}/accept`)).status).toBe(200);
    await hal.leave();
    await waitFor(
      () => ticketRow(second),
      (t) => t.status === "abandoned",
      10_000,
      "the assigned ticket abandoned",
    );
    expect((await queueOf(gale)).presence?.held).toBe(0);
  });

  // Several processes share a real Postgres server; the embedded one serves a single process.
  it.runIf(kind === "postgres")(
    "two server processes on one database share the queue: of two agents accepting through different processes, one wins",
    async () => {
      const other = await startSecondProcess(server);
      try {
        const ivy = await customer("Ivy");
        const { ticketId } = await customerAsksForHelp(ivy);
        const [jo, kim] = [await staffConsole(server, "agent", "Jo"), await staffConsole(server, "agent", "Kim")];
        await Promise.all([goOnline(jo), goOnline(kim)]);
        const viaOther = (path: string) =>
          fetch(`${other.baseUrl}/api/support${path}`, { method: "POST", headers: { cookie: kim.cookie } }).then(
            (r) => r.status,
          );
        const statuses = await Promise.all([
          jo.call("POST", `/tickets/${ticketId}/accept`).then((r) => r.status),
          viaOther(`/tickets/${ticketId}/accept`),
        ]);
        expect(statuses.sort()).toEqual([200, 409]);
        expect((await openTickets(ivy.guest.customerId)).map((t) => t.status)).toEqual(["assigned"]);
      } finally {
        await other.stop();
      }
    },
  );
});

/** The same build on another port and the same database: what a second server process sees. */
async function startSecondProcess(
  first: TestServer,
): Promise<{ baseUrl: string; output(): string; stop(): Promise<void> }> {
  const { spawn } = await import("node:child_process");
  const { join } = await import("node:path");
  const { freePort } = await import("../support/server");
  const { projectRoot } = await import("../../db/paths");
  const port = await freePort();
  const proc = spawn(process.execPath, [join(projectRoot(), "dist", "server.js")], {
    cwd: projectRoot(),
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: first.database.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`second process did not start:\n${log}`)), 30_000);
    proc.stdout.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("[atrium] ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    proc.once("exit", (code) => reject(new Error(`second process exited with ${code}:\n${log}`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => log,
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}
