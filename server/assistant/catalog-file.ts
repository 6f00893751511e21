import { readCatalogFile, type CatalogFile } from "../../db/catalog";
import type { AssistantCatalog } from "./types";

/**
 * A catalog file (data/demo-catalog.json by default) in the shape the database gives, so the
 * operator CLI, the benchmark and the unit tests run without Postgres.
 */
export function assistantCatalogFromFile(path?: string): AssistantCatalog {
  return toAssistantCatalog(readCatalogFile(path));
}

export function toAssistantCatalog(file: CatalogFile): AssistantCatalog {
  return {
    products: file.products.map((p) => ({
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
      trainingId: p.training ?? null,
    })),
    trainings: file.trainings.map((t) => ({ id: t.id, productSku: t.product, title: t.title })),
  };
}
