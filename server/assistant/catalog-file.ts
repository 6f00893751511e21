import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../db/paths";
import type { LocalizedList, LocalizedText } from "../../db/tables/core";
import type { AssistantCatalog } from "./types";

interface CatalogFile {
  products: {
    sku: string;
    category: string;
    name: LocalizedText;
    synonyms: LocalizedList;
    description: LocalizedText;
    price: number;
    currency: string;
    stock: number;
    leadTimeDays: number;
    dimensionsCm: [number, number, number];
    colors: string[];
    position: [number, number, number];
    training?: string;
  }[];
  trainings: { id: string; product: string; title: LocalizedText }[];
}

export const demoCatalogPath = (): string => join(projectRoot(), "data", "demo-catalog.json");

/**
 * The demo catalog read straight from its JSON file, in the shape the database gives, so the
 * operator CLI and the benchmarks run without Postgres.
 */
export function readCatalogFile(path: string = demoCatalogPath()): AssistantCatalog {
  const file = JSON.parse(readFileSync(path, "utf8")) as CatalogFile;
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
