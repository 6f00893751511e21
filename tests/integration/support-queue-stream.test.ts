import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { sleep } from "../support/visitor";
import { goOnline, staffConsole, waitFor, type StaffConsole } from "./support-fixtures";

/** A console's open queue stream: what it received so far, and whether the server ended it. */
interface QueueStream {
  text(): string;
  ended(): boolean;
  close(): void;
}

describe.each(databaseKinds())("the agents' live queue stream on %s Postgres", (kind) => {
  let server: TestServer;
  const streams: QueueStream[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database: kind });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await server?.close();
  });

  async function openStream(staff: StaffConsole): Promise<QueueStream> {
    const aborter = new AbortController();
    const response = await fetch(`${server.baseUrl}/api/support/queue/stream`, {
      headers: { cookie: staff.cookie },
      signal: aborter.signal,
    });
    expect(response.status).toBe(200);
    let text = "";
    let ended = false;
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
      }
    })()
      .catch(() => undefined)
      .finally(() => (ended = true));
    const stream = { text: () => text, ended: () => ended, close: () => aborter.abort() };
    streams.push(stream);
    await waitFor(
      async () => text,
      (received) => received.includes("event: queue"),
      5000,
      "the first queue snapshot",
    );
    return stream;
  }

  /** Marks the agent as last heard from an hour ago, waits, and tells whether anything counted them as present since. */
  async function presenceTouchedWithin(agent: StaffConsole, ms: number): Promise<boolean> {
    await server.database.pool.query(
      "UPDATE agent_presence SET last_seen_at = now() - interval '1 hour' WHERE staff_id = $1",
      [agent.id],
    );
    await sleep(ms);
    const { rows } = await server.database.pool.query(
      "SELECT last_seen_at > now() - interval '1 minute' AS touched FROM agent_presence WHERE staff_id = $1",
      [agent.id],
    );
    return rows[0].touched as boolean;
  }

  it("a console that goes away before its stream answers stops being polled and no longer keeps the agent present", async () => {
    const ray = await staffConsole(server, "agent", "Ray");
    await goOnline(ray);
    // The request goes out and the connection is gone at once, while the server is still checking the session.
    const socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write(`GET /api/support/queue/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${ray.cookie}\r\n\r\n`);
    socket.destroy();
    await sleep(500);
    expect(await presenceTouchedWithin(ray, 1500)).toBe(false);
  });

  it("a console that closes its stream stops being polled, while an open one keeps the agent present", async () => {
    const sky = await staffConsole(server, "agent", "Sky");
    await goOnline(sky);
    const stream = await openStream(sky);
    expect(await presenceTouchedWithin(sky, 1500)).toBe(true);
    stream.close();
    await sleep(500);
    expect(await presenceTouchedWithin(sky, 1500)).toBe(false);
  });

  it("a session keeps at most four streams: a fifth replaces the oldest, which the server ends", async () => {
    const tam = await staffConsole(server, "manager", "Tam");
    const open: QueueStream[] = [];
    for (let i = 0; i < 4; i++) open.push(await openStream(tam));
    await sleep(600);
    expect(open.map((stream) => stream.ended())).toEqual([false, false, false, false]);
    const fifth = await openStream(tam);
    await waitFor(
      async () => open[0].ended(),
      (ended) => ended,
      3000,
      "the oldest stream ended",
    );
    expect([...open.slice(1), fifth].map((stream) => stream.ended())).toEqual([false, false, false, false]);
    // Another session is not affected.
    const una = await staffConsole(server, "manager", "Una");
    expect((await openStream(una)).ended()).toBe(false);
  });
});
