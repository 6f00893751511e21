import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, readCatalogFile, seedShowroom } from "../../db/catalog";
import { runMigrations } from "../../db/migrate";
import { createTestDatabase, type TestDatabase } from "../support/db";

describe("the CRM database", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("holds the demo showroom with its whole catalog after the first start", async () => {
    const catalog = await loadCatalog(database.db, "home-living");
    const file = readCatalogFile();
    expect(catalog?.showroom.name.zh).toBe("家居生活展厅");
    expect(catalog?.products.map((p) => p.sku).sort()).toEqual(file.products.map((p) => p.sku).sort());
    const sofa = catalog?.products.find((p) => p.sku === "SOFA-OSLO-3");
    expect(sofa?.priceCents).toBe(129900);
    expect(sofa?.grabbable).toBe(false);
    expect(catalog?.products.find((p) => p.sku === "VASE-KOI")?.grabbable).toBe(true);
    expect(catalog?.trainings.map((t) => t.id)).toEqual(["speaker-setup"]);
  });

  it("seeds only once and migrates concurrently without colliding", async () => {
    expect(await seedShowroom(database.db, readCatalogFile())).toBe(false);
    await Promise.all([runMigrations(database.pool), runMigrations(database.pool)]);
    const { rows } = await database.pool.query("SELECT count(*)::int AS n FROM products");
    expect(rows[0].n).toBe(readCatalogFile().products.length);
  });
});
