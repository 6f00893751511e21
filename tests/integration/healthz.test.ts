import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";

type Health = { status: number; body: { ok: boolean; message?: string } };

describe.each(databaseKinds())("the health check on %s Postgres", (kind) => {
  let server: TestServer;
  const health = async (): Promise<Health> => {
    const response = await fetch(`${server.baseUrl}/healthz`).catch((error: unknown) => {
      throw new Error(`the server did not answer (${String(error)}); its log:\n${server.output()}`);
    });
    return { status: response.status, body: (await response.json()) as Health["body"] };
  };

  beforeAll(async () => {
    server = await startTestServer({ database: kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers ok while the database answers", async () => {
    expect(await health()).toEqual({ status: 200, body: { ok: true } });
  });

  it("answers 503 with the database's error once the database is gone", async () => {
    // Stops the embedded server, or drops the database (ending its connections) on a real one.
    await server.database.close();
    const down = await waitFor(health, (h) => h.status !== 200, 10_000, "the health check to notice");
    expect(down.status).toBe(503);
    expect(down.body.ok).toBe(false);
    expect(down.body.message, "says what went wrong").toMatch(/\S/);
  });
});
