import { type SQL, sql } from "drizzle-orm";

/**
 * A list of constants the code owns (statuses, roles) as SQL literals: `('a', 'b')`. Check
 * constraints, partial indexes and hand-written queries spell their lists from the one definition,
 * and migrations keep them as literals. Never for outside input.
 */
export function literalList(values: readonly string[]): SQL {
  return sql.raw(`(${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(", ")})`);
}
