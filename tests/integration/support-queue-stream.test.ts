import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { heldFor, holdsFor, waitFor } from "../support/wait";
import { goOnline, staffConsole, type StaffConsole } from "./support-fixtures";

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

  /** Marks the agent as last heard from an hour ago. */
  async function forget(agent: StaffConsole): Promise<void> {
    await server.database.pool.query(
      "UPDATE agent_presence SET last_seen_at = now() - interval '1 hour' WHERE staff_id = $1",
      [agent.id],
    );
  }

  /** Whether anything counted the agent as present since forget(). */
  async function touched(agent: StaffConsole): Promise<boolean> {
    const { rows } = await server.database.pool.query(
      "SELECT last_seen_at > now() - interval '1 minute' AS touched FROM agent_presence WHERE staff_id = $1",
      [agent.id],
    );
    return rows[0]?.touched === true;
  }

  /** The stream's poll (every second) keeps the agent present: forgotten, they are soon seen again. */
  async function keptPresent(agent: StaffConsole): Promise<void> {
    await forget(agent);
    await waitFor(
      () => touched(agent),
      (yes) => yes,
      3000,
      "the stream's poll to count the agent as present",
    );
  }

  /**
   * Nothing keeps the agent present any more: once forgotten, they stay forgotten for 1.5 s
   * (longer than a poll's interval). A poll already running when the stream went may still touch
   * them once, so this retries until a quiet window is seen.
   */
  async function leftAlone(agent: StaffConsole): Promise<void> {
    await waitFor(
      async () => {
        await forget(agent);
        return heldFor(
          () => touched(agent),
          (yes) => !yes,
          1500,
        );
      },
      (quiet) => quiet,
      8000,
      "a quiet window of 1.5 s in which nothing counted the agent as present",
    );
  }

  it("a console that goes away before its stream answers stops being polled and no longer keeps the agent present", async () => {
    const ray = await staffConsole(server, "agent", "Ray");
    await goOnline(ray);
    // The request goes out and the connection is gone at once, while the server is still checking the session.
    const socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write(`GET /api/support/queue/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${ray.cookie}\r\n\r\n`);
    socket.destroy();
    await leftAlone(ray);
  });

  it("a console that closes its stream stops being polled, while an open one keeps the agent present", async () => {
    const sky = await staffConsole(server, "agent", "Sky");
    await goOnline(sky);
    const stream = await openStream(sky);
    await keptPresent(sky);
    stream.close();
    await leftAlone(sky);
  });

  it("a session keeps at most four streams: a fifth replaces the oldest, which the server ends", async () => {
    const tam = await staffConsole(server, "manager", "Tam");
    const open: QueueStream[] = [];
    for (let i = 0; i < 4; i++) open.push(await openStream(tam));
    await holdsFor(
      () => open.map((stream) => stream.ended()),
      (ended) => ended.every((e) => !e),
      600,
      "four streams of one session open together",
    );
    const fifth = await openStream(tam);
    await waitFor(
      () => open[0]?.ended() ?? false,
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
