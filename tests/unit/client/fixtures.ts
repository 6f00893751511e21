import { readFileSync } from "node:fs";
import type { ShowroomProductView, ShowroomView } from "../../../schema/api";

interface CatalogFile {
  showroom: Pick<ShowroomView, "slug" | "name" | "bounds" | "spawn">;
  products: Array<
    Omit<ShowroomProductView, "gltfUrl" | "grabbable" | "trainingId"> & { grabbable?: boolean; gltfUrl?: string | null }
  >;
}

/** The demo showroom as GET /api/showrooms/home-living describes it. */
export function demoShowroomView(): ShowroomView {
  const catalog = JSON.parse(
    readFileSync(new URL("../../../data/demo-catalog.json", import.meta.url), "utf8"),
  ) as CatalogFile;
  return {
    ...catalog.showroom,
    capacity: 50,
    requiresConsent: false,
    products: catalog.products.map((p) => ({
      ...p,
      gltfUrl: p.gltfUrl ?? null,
      grabbable: p.grabbable ?? false,
      trainingId: null,
    })),
  };
}
