import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { appSecrets } from "../../db/schema";

/**
 * The token-signing secret shared by every process of an installation: made once, at the
 * first start, and kept in the database (never in the repository).
 */
export async function loadSigningSecret(db: Database, override: string | undefined): Promise<string> {
  if (override) return override;
  await db
    .insert(appSecrets)
    .values({ name: "token-signing", value: randomBytes(32).toString("base64url") })
    .onConflictDoNothing();
  const rows = await db
    .select({ value: appSecrets.value })
    .from(appSecrets)
    .where(eq(appSecrets.name, "token-signing"));
  const secret = rows[0]?.value;
  if (!secret) throw new Error("could not read the token-signing secret from the database");
  return secret;
}
