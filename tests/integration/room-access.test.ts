import { Client } from "@colyseus/sdk";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { showrooms } from "../../db/schema";
import { ShowroomCloseCode } from "../../schema/close-codes";
import { JoinErrorCode } from "../../schema/errors";
import { PRIVACY_NOTICE_VERSION } from "../../schema/privacy";
import type { FloorTokenResponse } from "../../schema/support";
import { ShowroomState } from "../../schema/state";
import { signToken } from "../../server/auth/tokens";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken, joinShowroom, type Visitor } from "../support/visitor";
import {
  customerAsksForHelp,
  goOnline,
  joinAsAgent,
  joinAsCustomer,
  type StaffConsole,
  staffConsole,
} from "./support-fixtures";

/** Who enters a showroom, and as what: agent tokens bound to their showroom and ticket, consent, erasure. */
describe("entering a showroom", () => {
  let server: TestServer;
  let secret: string;
  let agent: StaffConsole;
  let homeLivingId: string;
  const visitors: Visitor[] = [];
  const refusal = async (options: Record<string, unknown>): Promise<number | "joined"> => {
    try {
      const room = await new Client(server.baseUrl).joinOrCreate("showroom", { slug: "home-living", ...options });
      await room.leave(true);
      return "joined";
    } catch (error) {
      return (error as { code: number }).code;
    }
  };
  const exp = () => Math.floor(Date.now() / 1000) + 600;

  beforeAll(async () => {
    server = await startTestServer();
    const row = await server.database.pool.query<{ value: string }>(
      "SELECT value FROM app_secrets WHERE name = 'token-signing'",
    );
    secret = row.rows[0]?.value ?? "";
    agent = await staffConsole(server, "agent", "Ines");
    await goOnline(agent);
    const [showroom] = await server.database.db
      .select({ id: showrooms.id })
      .from(showrooms)
      .where(eq(showrooms.slug, "home-living"));
    homeLivingId = showroom?.id ?? "";
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave().catch(() => undefined)));
    await server?.close();
  });

  it("refuses an agent token not made for this showroom, or made for another ticket", async () => {
    // A token with no showroom (as minted before), one for another showroom: refused.
    expect(
      await refusal({ token: signToken(secret, { sub: agent.id, role: "agent", exp: exp() }), role: "agent" }),
    ).toBe(JoinErrorCode.Forbidden);
    const elsewhere = signToken(secret, { sub: agent.id, role: "agent", shw: crypto.randomUUID(), exp: exp() });
    expect(await refusal({ token: elsewhere, role: "agent" })).toBe(JoinErrorCode.Forbidden);
    // A token made for one ticket cannot be used for another.
    const wendy = await joinAsCustomer(server, "Wendy");
    visitors.push(wendy);
    const { ticketId } = await customerAsksForHelp(wendy);
    expect((await agent.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    const forTicket = signToken(secret, { sub: agent.id, role: "agent", shw: homeLivingId, tid: ticketId, exp: exp() });
    expect(await refusal({ token: forTicket, role: "agent", ticketId: crypto.randomUUID() })).toBe(
      JoinErrorCode.Forbidden,
    );
    // The console's own room token for the ticket works, and places the agent for that ticket.
    const ines = await joinAsAgent(server, agent, ticketId);
    visitors.push(ines);
    await ines.until(() => ines.received.some((m) => m.type === "support:customer"), 10_000, "the customer named");
  });

  it("lets an agent walk the floor on purpose with a floor token, as a visible agent for no ticket", async () => {
    const { status, body } = await agent.call<FloorTokenResponse>("POST", "/floor-token", { slug: "home-living" });
    expect(status).toBe(200);
    const client = new Client(server.baseUrl);
    const room = await client.joinOrCreate<ShowroomState>(
      "showroom",
      { slug: body.slug, token: body.token, name: body.name, role: "agent" },
      ShowroomState,
    );
    const avatar = await new Promise<{ role: number }>((resolve) => {
      const check = () => {
        const mine = room.state.avatars?.get(room.sessionId);
        if (mine) resolve(mine);
      };
      room.onStateChange(check);
      check();
    });
    expect(avatar.role).toBe(1);
    await room.leave(true);
    expect((await agent.call("POST", "/floor-token", { slug: "nowhere" })).status).toBe(404);
  });

  it("refuses a customer who has not accepted the notice of a showroom that asks for consent", async () => {
    await server.database.db.update(showrooms).set({ requiresConsent: true }).where(eq(showrooms.slug, "home-living"));
    try {
      const plain = await guestToken(server.baseUrl);
      expect(await refusal({ token: plain.token, name: "Nora" })).toBe(JoinErrorCode.Forbidden);
      const response = await fetch(`${server.baseUrl}/api/guest-token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ showroom: "home-living", consent: PRIVACY_NOTICE_VERSION }),
      });
      const consented = (await response.json()) as { token: string };
      expect(await refusal({ token: consented.token, name: "Nora" })).toBe("joined");
    } finally {
      await server.database.db
        .update(showrooms)
        .set({ requiresConsent: false })
        .where(eq(showrooms.slug, "home-living"));
    }
  });

  it("lets go a customer whose data is erased while in the room (close code Erased), and records nothing more of theirs", async () => {
    const manager = await staffConsole(server, "manager", "Mona");
    const zoe = await joinShowroom(server.baseUrl, { name: "Zoe" });
    visitors.push(zoe);
    const closedWith = new Promise<number>((resolve, reject) => {
      zoe.room.onLeave((code) => resolve(code));
      setTimeout(() => reject(new Error("not let go within 10 s")), 10_000).unref();
    });
    const customerId = zoe.guest.customerId;
    const erased = await fetch(`${server.baseUrl}/api/support/customers/${customerId}/erase`, {
      method: "POST",
      headers: { cookie: manager.cookie },
    });
    expect(erased.status).toBe(200);
    expect(await closedWith).toBe(ShowroomCloseCode.Erased);
    // The visit was closed by the erasure; nothing of the customer's was recorded after it.
    const after = await server.database.pool.query(
      "SELECT type FROM interactions WHERE customer_id = $1 AND recorded_at > (SELECT erased_at FROM customers WHERE id = $1)",
      [customerId],
    );
    expect(after.rows).toEqual([]);
  });

  it("logs a refused join in one line, without a stack", async () => {
    await refusal({ token: signToken(secret, { sub: agent.id, role: "agent", exp: exp() }), role: "agent" });
    const lines = server.output().split("\n");
    const refused = lines.filter((line) => line.includes("refused a join"));
    expect(refused.length).toBeGreaterThan(0);
    expect(lines.some((line) => /^\s+at .*showroom-room/.test(line))).toBe(false);
  });
});
