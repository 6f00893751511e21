import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../db/client";
import { DataFolderInUseError, startEmbeddedPostgres } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";
import { projectRoot } from "../../db/paths";

describe("the embedded Postgres", () => {
  const dir = mkdtempSync(join(tmpdir(), "atrium-embedded-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps its data across restarts", async () => {
    const first = await startEmbeddedPostgres(dir);
    const db = createDatabase(first.url);
    await runMigrations(db.pool);
    await db.pool.query(
      "INSERT INTO customers (id, visitor_id) VALUES ('01a21500-0000-7000-8000-000000000001', 'kept-across-restarts')",
    );
    await db.close();
    await first.stop();

    const second = await startEmbeddedPostgres(dir);
    const again = createDatabase(second.url);
    const { rows } = await again.pool.query("SELECT visitor_id FROM customers");
    expect(rows).toEqual([{ visitor_id: "kept-across-restarts" }]);
    await again.close();
    await second.stop();
  });

  it("answers many concurrent connections, with and without transactions, each with its own results", async () => {
    const embedded = await startEmbeddedPostgres(dir);
    const db = createDatabase(embedded.url, { max: 10 });
    try {
      const work = Array.from({ length: 200 }, async (_, i) => {
        if (i % 4 === 0) {
          const client = await db.pool.connect();
          try {
            await client.query("BEGIN");
            const { rows } = await client.query("SELECT $1::int * 2 AS doubled, $2::text AS tag", [i, `t${i}`]);
            await client.query("COMMIT");
            return rows[0];
          } finally {
            client.release();
          }
        }
        const { rows } = await db.pool.query("SELECT $1::int * 2 AS doubled, $2::text AS tag", [i, `t${i}`]);
        return rows[0];
      });
      const results = await Promise.all(work);
      expect(results).toEqual(Array.from({ length: 200 }, (_, i) => ({ doubled: i * 2, tag: `t${i}` })));
    } finally {
      await db.close();
      await embedded.stop();
    }
  });

  it("refuses a second user of the same data folder with a clear error", async () => {
    const holder = await startEmbeddedPostgres(dir);
    try {
      await expect(startEmbeddedPostgres(dir)).rejects.toBeInstanceOf(DataFolderInUseError);
      // And a whole second Atrium process pointed at the folder says so and exits.
      const child = spawn(process.execPath, [join(projectRoot(), "dist", "server.js")], {
        env: { ...process.env, DATABASE_URL: "", ATRIUM_DATA_DIR: dir, PORT: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(code).toBe(1);
      expect(output).toContain(`The data folder ${dir} is in use by another Atrium process (pid ${process.pid})`);
    } finally {
      await holder.stop();
    }
  });
});
