import { dwell } from "./systems/dwell";
import { grabRelease } from "./systems/grab-release";
import { heldFollow } from "./systems/held-follow";
import { poseInput } from "./systems/pose-input";
import { teleportInput } from "./systems/teleport-input";
import type { ShowroomWorld } from "./world";

/**
 * One simulation step, in order. Teleports come before poses so the speed limit measures from
 * where the avatar now stands; grabs come after poses so reach is judged on this step's hands;
 * held products follow after grabs so a product grabbed this step already moves with the hand;
 * dwell looks at the settled scene.
 */
export const pipeline: readonly ((world: ShowroomWorld) => void)[] = [
  teleportInput,
  poseInput,
  grabRelease,
  heldFollow,
  dwell,
];

/** Advances simulated time by dtMs, then runs every system once. Events are stamped with the new time. */
export function stepWorld(world: ShowroomWorld, dtMs: number): void {
  if (!Number.isFinite(dtMs) || dtMs < 0) throw new RangeError(`dtMs must be a finite number >= 0, got ${dtMs}`);
  world.time.dtMs = dtMs;
  world.time.elapsedMs += dtMs;
  for (const system of pipeline) system(world);
}
