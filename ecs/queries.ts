import { query } from "bitecs";
import type { ShowroomWorld } from "./world";

// Queries needed by more than one file live here so each is written once; a query used by a
// single system sits at the top of that system's file instead.

export const avatars = (world: ShowroomWorld) => query(world, [world.components.Avatar]);
export const products = (world: ShowroomWorld) => query(world, [world.components.Product]);
