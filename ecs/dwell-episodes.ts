import { NO_ENTITY } from "./components";
import { avatars } from "./queries";
import type { ShowroomWorld } from "./world";

export function openDwellEpisode(world: ShowroomWorld, avatar: number, product: number): void {
  const { DwellFocus } = world.components;
  DwellFocus.product[avatar] = product;
  DwellFocus.startedAtMs[avatar] = world.time.elapsedMs;
}

/** Ends the avatar's episode, reporting it only if it lasted long enough to mean interest. */
export function closeDwellEpisode(world: ShowroomWorld, avatar: number): void {
  const { DwellFocus } = world.components;
  const product = DwellFocus.product[avatar]!;
  if (product === NO_ENTITY) return;
  DwellFocus.product[avatar] = NO_ENTITY;
  const startedAtMs = DwellFocus.startedAtMs[avatar]!;
  const atMs = world.time.elapsedMs;
  const durationMs = atMs - startedAtMs;
  if (durationMs >= world.config.dwellMinMs) {
    world.events.push({ type: "dwell", avatar, product, startedAtMs, durationMs, atMs });
  }
}

/** For a graceful shutdown: no episode in progress is lost. */
export function endAllDwells(world: ShowroomWorld): void {
  for (const avatar of avatars(world)) closeDwellEpisode(world, avatar);
}
