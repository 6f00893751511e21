import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding package.json. Source files (db/, server/) and bundles (dist/) sit at
 * different depths, so the root is found by walking up rather than by a fixed relative path.
 */
export function projectRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "db"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the Atrium project folder above ${from}`);
    dir = parent;
  }
}

export const migrationsFolder = (): string => join(projectRoot(), "db", "migrations");
