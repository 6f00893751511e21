import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { staffConsole } from "./support-fixtures";

type Health = { status: number; body: { ok: boolean; message?: string } };

/** What went wrong, as the server logged it for the operator after `prefix`. */
function loggedError(output: string, prefix: string): string | undefined {
  const line = output.split("\n").find((candidate) => candidate.includes(prefix));
  return line?.slice(line.indexOf(prefix) + prefix.length).trim();
}

describe.each(databaseKinds())("the health check on %s Postgres", (kind) => {
  let server: TestServer;
  let queueStream = "";
  const streamAborter = new AbortController();
  const health = async (): Promise<Health> => {
    const response = await fetch(`${server.baseUrl}/healthz`).catch((error: unknown) => {
      throw new Error(`the server did not answer (${String(error)}); its log:\n${server.output()}`);
    });
    return { status: response.status, body: (await response.json()) as Health["body"] };
  };

  beforeAll(async () => {
    server = await startTestServer({ database: kind });
    // An agent's console watching the queue while the database is still there.
    const agent = await staffConsole(server, "agent", "Hale");
    const response = await fetch(`${server.baseUrl}/api/support/queue/stream`, {
      headers: { cookie: agent.cookie },
      signal: streamAborter.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        queueStream += value;
      }
    })().catch(() => undefined);
    await waitFor(
      async () => queueStream,
      (text) => text.includes("event: queue"),
      5000,
      "the first queue snapshot",
    );
  });
  afterAll(async () => {
    streamAborter.abort();
    await server?.stop();
  });

  it("answers ok while the database answers", async () => {
    expect(await health()).toEqual({ status: 200, body: { ok: true } });
  });

  it("answers 503 saying only that the database does not answer, once it is gone; the error itself goes to the log", async () => {
    // Stops the embedded server, or drops the database (ending its connections) on a real one.
    await server.database.close();
    const down = await waitFor(health, (h) => h.status !== 200, 10_000, "the health check to notice");
    expect(down).toEqual({ status: 503, body: { ok: false, message: "The database does not answer." } });
    const error = loggedError(server.output(), "[health] the database does not answer:");
    expect(error, "the database's error, in the log").toMatch(/\S/);
    expect(JSON.stringify(down.body)).not.toContain(error ?? "");
  });

  it("tells an open queue stream only that the queue cannot be read; the error itself goes to the log", async () => {
    const trouble = await waitFor(
      async () => queueStream,
      (text) => text.includes("event: trouble"),
      10_000,
      "the queue stream to notice",
    );
    const event = trouble.slice(trouble.indexOf("event: trouble")).split("\n\n")[0];
    expect(event).toBe('event: trouble\ndata: {"message":"The queue cannot be read right now; retrying."}');
    const error = loggedError(server.output(), "[support] queue stream could not read the queue:");
    expect(error, "the database's error, in the log").toMatch(/\S/);
    expect(trouble).not.toContain(error ?? "");
  });
});
