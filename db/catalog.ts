import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Database } from "./client";
import { projectRoot } from "./paths";
import type { ShowroomProductView, ShowroomView } from "../schema/api";
import { products, showrooms, trainings, type LocalizedText, type TrainingStep } from "./schema";

/** A product in the catalog file: the browser's product, with the optional fields under shorter names. */
export type CatalogFileProduct = Omit<ShowroomProductView, "gltfUrl" | "grabbable" | "trainingId"> & {
  gltf?: string;
  grabbable?: boolean;
  training?: string;
};

/** The catalog file format (data/demo-catalog.json), which an operator may also import. */
export interface CatalogFile {
  showroom: Pick<ShowroomView, "slug" | "name" | "bounds" | "spawn">;
  products: CatalogFileProduct[];
  trainings: Array<{ id: string; product: string; title: LocalizedText; steps: TrainingStep[] }>;
}

export type Showroom = typeof showrooms.$inferSelect;
export type CatalogProduct = typeof products.$inferSelect;
export type Training = typeof trainings.$inferSelect;

export interface Catalog {
  showroom: Showroom;
  products: CatalogProduct[];
  trainings: Training[];
}

export const demoCatalogPath = (): string => join(projectRoot(), "data", "demo-catalog.json");

export function readCatalogFile(path: string = demoCatalogPath()): CatalogFile {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  const file = parsed as CatalogFile;
  if (!file?.showroom?.slug || !Array.isArray(file.products) || !Array.isArray(file.trainings ?? [])) {
    throw new Error(`${path} is not a showroom catalog: it needs "showroom.slug", "products" and "trainings"`);
  }
  for (const product of file.products) {
    if (typeof product.sku !== "string" || !Number.isFinite(product.price) || !Array.isArray(product.position)) {
      throw new Error(`${path}: product ${JSON.stringify(product.sku)} needs a sku, a price and a position`);
    }
  }
  return file;
}

/**
 * Creates the showroom with its products and trainings unless a showroom with that slug
 * exists. Returns whether anything was created. Safe to run from several processes at once.
 */
export async function seedShowroom(db: Database, file: CatalogFile): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(showrooms)
      .values({
        id: uuidv7(),
        slug: file.showroom.slug,
        name: file.showroom.name,
        bounds: file.showroom.bounds,
        spawn: file.showroom.spawn,
      })
      .onConflictDoNothing({ target: showrooms.slug })
      .returning({ id: showrooms.id });
    const showroom = inserted[0];
    if (!showroom) return false;
    await tx
      .insert(products)
      .values(file.products.map((p) => ({ id: uuidv7(), showroomId: showroom.id, ...productColumns(p) })));
    if (file.trainings.length > 0) {
      await tx.insert(trainings).values(
        file.trainings.map((t) => ({
          id: t.id,
          showroomId: showroom.id,
          productSku: t.product,
          title: t.title,
          steps: t.steps,
        })),
      );
    }
    return true;
  });
}

/** A catalog file's product as the products table stores it (prices in cents, defaults applied). */
export function productColumns(p: CatalogFileProduct) {
  return {
    sku: p.sku,
    category: p.category,
    name: p.name,
    synonyms: p.synonyms,
    description: p.description,
    priceCents: Math.round(p.price * 100),
    currency: p.currency,
    stock: p.stock,
    leadTimeDays: p.leadTimeDays,
    dimensionsCm: p.dimensionsCm,
    colors: p.colors,
    position: p.position,
    model: p.model,
    gltfUrl: p.gltf ?? null,
    grabbable: p.grabbable === true,
    trainingId: p.training ?? null,
  };
}

export async function findShowroom(db: Database, slug: string): Promise<Showroom | undefined> {
  const rows = await db.select().from(showrooms).where(eq(showrooms.slug, slug)).limit(1);
  return rows[0];
}

export async function listShowrooms(db: Database): Promise<Showroom[]> {
  return db.select().from(showrooms).orderBy(showrooms.createdAt);
}

/** The showroom and everything in it, as stored now; undefined when the slug is unknown. */
export async function loadCatalog(db: Database, slug: string): Promise<Catalog | undefined> {
  const showroom = await findShowroom(db, slug);
  if (!showroom) return undefined;
  const [productRows, trainingRows] = await Promise.all([
    db.select().from(products).where(eq(products.showroomId, showroom.id)).orderBy(products.sku),
    db.select().from(trainings).where(eq(trainings.showroomId, showroom.id)).orderBy(trainings.id),
  ]);
  return { showroom, products: productRows, trainings: trainingRows };
}
