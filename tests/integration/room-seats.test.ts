import { readFileSync } from "node:fs";
import { CloseCode, Protocol } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type CatalogFile, demoCatalogPath, seedShowroom } from "../../db/catalog";
import { showrooms } from "../../db/schema";
import { ShowroomState } from "../../schema/state";
import { ShowroomCloseCode } from "../../server/room/message-door";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken, joinShowroom, type Visitor } from "../support/visitor";

/** Who may hold a seat: nobody without a token, one seat per visitor, none for a client the server cut off. */
describe("seats in a showroom", () => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  const join = async (options: Parameters<typeof joinShowroom>[1] = {}) => {
    const visitor = await joinShowroom(server.baseUrl, options);
    visitors.push(visitor);
    await visitor.until(() => visitor.room.state?.avatars?.has(visitor.sessionId) === true, 10_000, "own avatar");
    return visitor;
  };
  const matchmake = (body: Record<string, unknown>, method = "joinOrCreate") =>
    fetch(`${server.baseUrl}/matchmake/${method}/showroom`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startTestServer();
    const file = JSON.parse(readFileSync(demoCatalogPath(), "utf8")) as CatalogFile;
    file.showroom.slug = "small-room";
    await seedShowroom(server.database.db, file);
    await server.database.db.update(showrooms).set({ capacity: 2 }).where(eq(showrooms.slug, "small-room"));
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave().catch(() => undefined)));
    await server?.close();
  });

  it("reserves no seat for a request without a valid token, so token-less requests cannot fill a showroom", async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        matchmake({ slug: "small-room", name: "Mallory", ...(i % 2 ? { token: "v1.forged.token" } : {}) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(401));
    const body = (await answers[0]?.json()) as { code: number; error: string };
    expect(body).toEqual({ code: 401, error: "Cannot enter the showroom: a join token is required." });
    // Both places of the two-seat showroom are still free.
    const one = await join({ slug: "small-room", name: "One" });
    const two = await join({ slug: "small-room", name: "Two" });
    await one.until(() => one.room.state.avatars.size === 3, 5_000, "two visitors and the assistant");
    await Promise.all([one.leave(), two.leave()]);
  });

  it("caps the seat requests of one visitor, so one token cannot hold reservations open", async () => {
    const guest = await guestToken(server.baseUrl);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => matchmake({ slug: "home-living", token: guest.token, name: "Rex" })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });

  it("gives a visitor one seat: opening the showroom again takes the seat over and tells the older tab why", async () => {
    const guest = await guestToken(server.baseUrl);
    const first = await join({ token: guest.token, name: "Tab one" });
    let firstClosedWith: number | undefined;
    first.room.onLeave((code) => {
      firstClosedWith = code;
    });
    const second = await join({ token: guest.token, name: "Tab two" });
    await second.until(() => !second.room.state.avatars.has(first.sessionId), 10_000, "the older tab's avatar gone");
    expect(firstClosedWith).toBe(ShowroomCloseCode.SeatTakenOver);
    const mine = [...second.room.state.avatars.values()].filter((a) => a.name.startsWith("Tab"));
    expect(mine.map((a) => a.name)).toEqual(["Tab two"]);
  });

  it("holds no seat for a client cut off for flooding frames: its avatar goes at once and it cannot resume", async () => {
    const watcher = await join({ name: "Watcher" });
    const flooder = await join({ name: "Flooder" });
    const token = flooder.room.reconnectionToken;
    // Colyseus cuts a client sending more than 150 frames a second (WITH_ERROR).
    for (let i = 0; i < 400; i++) flooder.room.send("nonsense", i);
    await watcher.until(() => !watcher.room.state.avatars.has(flooder.sessionId), 5_000, "the flooder's avatar gone");
    await expect(new Client(server.baseUrl).reconnect(token, ShowroomState)).rejects.toThrow();
  });

  it("holds no seat for a client cut off for an oversized frame: its avatar goes at once and it cannot resume", async () => {
    const watcher = await join({ name: "Watcher two" });
    const sender = await join({ name: "Big sender" });
    const token = sender.room.reconnectionToken;
    sender.room.sendBytes("pose", new Uint8Array(64 * 1024));
    await watcher
      .until(() => !watcher.room.state.avatars.has(sender.sessionId), 5_000, "the sender's avatar gone")
      .catch((error: Error) => {
        throw new Error(`${error.message}\n${server.output()}`);
      });
    await expect(new Client(server.baseUrl).reconnect(token, ShowroomState)).rejects.toThrow();
  });

  it("holds no seat for a client cut off for a malformed frame: its avatar goes at once and it cannot resume", async () => {
    const watcher = await join({ name: "Watcher four" });
    const guest = await guestToken(server.baseUrl);
    const reservation = await matchmake({ slug: "home-living", token: guest.token, name: "Garbler" });
    expect(reservation.status).toBe(200);
    const seat = (await reservation.json()) as { roomId: string; processId: string; sessionId: string };
    // Connected as the SDK does: the seat reservation's session on /<processId>/<roomId>.
    const socket = new WebSocket(
      `${server.baseUrl.replace(/^http/, "ws")}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`,
    );
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    // The server's JOIN_ROOM: [10, length, reconnection token, ...].
    const joined = await new Promise<Buffer>((resolve, reject) => {
      socket.once("message", (data) => resolve(Buffer.from(data as Buffer)));
      socket.once("error", reject);
    });
    expect(joined[0]).toBe(Protocol.JOIN_ROOM);
    const reconnectionToken = `${seat.roomId}:${joined.subarray(2, 2 + (joined[1] ?? 0)).toString("utf8")}`;
    socket.send(Uint8Array.of(Protocol.JOIN_ROOM));
    await watcher.until(() => watcher.room.state.avatars.has(seat.sessionId), 5_000, "the garbler's avatar");

    // A chat message whose payload is cut short: an array of two with one element is no msgpack.
    socket.send(Uint8Array.of(Protocol.ROOM_DATA, 0xa4, ...Buffer.from("chat"), 0x92, 0x01));
    expect(await closed).toBe(CloseCode.WITH_ERROR);
    await watcher.until(() => !watcher.room.state.avatars.has(seat.sessionId), 5_000, "the garbler's avatar gone");
    expect(server.output()).toContain(`[room] ${seat.sessionId} dropped (close code 4002): no seat held`);
    await expect(new Client(server.baseUrl).reconnect(reconnectionToken, ShowroomState)).rejects.toThrow(
      "reconnection token invalid or expired.",
    );
  });

  it("still holds the seat of a visitor whose connection was lost on the way", async () => {
    const watcher = await join({ name: "Watcher three" });
    const traveller = await join({ name: "Traveller" });
    const token = traveller.room.reconnectionToken;
    traveller.room.connection.close(); // the network goes: no leave message
    await watcher.until(
      () => watcher.room.state.avatars.get(traveller.sessionId)?.connected === false,
      5_000,
      "shown disconnected",
    );
    const back = await new Client(server.baseUrl).reconnect(token, ShowroomState);
    expect(back.sessionId).toBe(traveller.sessionId);
    await watcher.until(
      () => watcher.room.state.avatars.get(traveller.sessionId)?.connected === true,
      5_000,
      "shown connected again",
    );
    await back.leave();
  });
});

describe("seat requests from one address", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { ATRIUM_GUEST_TOKENS_PER_ADDRESS: "1000" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("are capped by the address the connection comes from, whatever X-Forwarded-For claims", async () => {
    const guests = await Promise.all(Array.from({ length: 64 }, () => guestToken(server.baseUrl)));
    const statuses = await Promise.all(
      guests.map(async (guest, i) => {
        const response = await fetch(`${server.baseUrl}/matchmake/joinOrCreate/showroom`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.1.0.${i}` },
          body: JSON.stringify({ slug: "home-living", token: guest.token, name: `Guest ${i}` }),
        });
        return response.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });
});
