import type { Catalog } from "../../db/catalog";

/** How often a room looks for catalog changes (prices, stock, products) to follow. */
export const CATALOG_CHECK_MS = 30_000;

/**
 * Keeps a room's idea of its catalog current. What follows a change is the assistant: its answers
 * about prices, stock and lead times, and the products it knows by name, change without a
 * restart. The world does not: products added, removed or moved in the catalog appear in the
 * showroom the next time its room opens.
 */
export class CatalogFollower {
  constructor(
    private current: Catalog,
    private readonly load: () => Promise<Catalog | undefined>,
    private readonly changed: (catalog: Catalog) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  get catalog(): Catalog {
    return this.current;
  }

  /** Reads the catalog; true when it changed and the change was passed on. Never rejects. */
  async check(): Promise<boolean> {
    try {
      const latest = await this.load();
      if (!latest || catalogVersion(latest) === catalogVersion(this.current)) return false;
      this.current = latest;
      await this.changed(latest);
      this.log(`[room] "${latest.showroom.slug}": catalog changed, assistant updated`);
      return true;
    } catch (error) {
      this.log(`[room] could not check the catalog: ${(error as Error).message}`);
      return false;
    }
  }
}

/** What a change in the catalog is: a product's price, stock or update time, or the set of products. */
export function catalogVersion(catalog: Catalog): string {
  return catalog.products.map((p) => `${p.sku}@${p.updatedAt.getTime()}:${p.priceCents}:${p.stock}`).join("|");
}
