import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";
import { migrationsFolder } from "./paths";

/** Arbitrary but fixed: every Atrium process migrating the same database takes this lock. */
const MIGRATION_LOCK_KEY = 7_317_420_001;

/**
 * Applies the committed migrations. Two processes starting at once would both try to create
 * the same tables, so the work happens under a session-level advisory lock on one connection.
 */
export async function runMigrations(pool: pg.Pool, folder: string = migrationsFolder()): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder: folder });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
