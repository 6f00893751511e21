import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { readCatalogFile, seedShowroom } from "../../db/catalog";
import { createDatabase, type DatabaseHandle } from "../../db/client";
import { startEmbeddedPostgres } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";

export interface TestDatabase extends DatabaseHandle {
  url: string;
  /** "postgres" for the real server named by TEST_DATABASE_URL, "embedded" for PGlite. */
  kind: "postgres" | "embedded";
}

/**
 * A fresh, migrated database seeded with the demo showroom. With TEST_DATABASE_URL it is a
 * new database on that server (dropped on close); otherwise an embedded Postgres in a
 * temporary folder.
 */
export async function createTestDatabase(
  options: { seed?: boolean; kind?: TestDatabase["kind"] } = {},
): Promise<TestDatabase> {
  const base = options.kind === "embedded" ? undefined : process.env.TEST_DATABASE_URL;
  if (options.kind === "postgres" && !base) throw new Error("TEST_DATABASE_URL is not set");
  let url: string;
  let dispose: () => Promise<void>;
  let kind: TestDatabase["kind"];
  if (base) {
    kind = "postgres";
    const name = `atrium_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(base);
    target.pathname = `/${name}`;
    url = target.toString();
    dispose = async () => {
      const drop = new pg.Client({ connectionString: base });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    };
  } else {
    kind = "embedded";
    const dir = mkdtempSync(join(tmpdir(), "atrium-testdb-"));
    const embedded = await startEmbeddedPostgres(dir);
    url = embedded.url;
    dispose = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const handle = createDatabase(url);
  await runMigrations(handle.pool);
  if (options.seed ?? true) await seedShowroom(handle.db, readCatalogFile());
  return {
    ...handle,
    url,
    kind,
    async close() {
      await handle.close();
      await dispose();
    },
  };
}

/** The databases the integration suites run on: always the embedded one, and the real server when TEST_DATABASE_URL names one. */
export function databaseKinds(): TestDatabase["kind"][] {
  return process.env.TEST_DATABASE_URL ? ["embedded", "postgres"] : ["embedded"];
}
