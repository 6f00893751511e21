import { productColumns, readCatalogFile, type CatalogFile } from "../../db/catalog";
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
    products: file.products.map(productColumns),
    trainings: file.trainings.map((t) => ({ id: t.id, productSku: t.product, title: t.title })),
  };
}
