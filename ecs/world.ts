import { createWorld, type World } from "bitecs";
import { createComponents, POSE_STRIDE, TRANSFORM_STRIDE, type Components } from "./components";
import { defaultSimConfig, type Hand, type ShowroomBounds, type SimConfig, type SimEvent } from "./types";

export type TeleportCommand = { avatar: number; x: number; z: number };
export type HandCommand =
  | { kind: "grab"; avatar: number; product: number; hand: Hand }
  | { kind: "release"; avatar: number; hand: Hand };

export interface ShowroomState {
  readonly capacity: number;
  readonly bounds: Readonly<ShowroomBounds>;
  readonly config: Readonly<SimConfig>;
  readonly components: Components;
  /** Simulated time; only stepWorld advances it. */
  readonly time: { elapsedMs: number; dtMs: number };
  /** Discrete commands kept in arrival order: the first grab of a product wins. */
  readonly inputs: { teleports: TeleportCommand[]; hands: HandCommand[] };
  events: SimEvent[];
  readonly dirty: {
    avatarFlags: Uint8Array;
    productFlags: Uint8Array;
    avatars: number[];
    products: number[];
  };
  /** Reused buffers so the step allocates nothing per entity. */
  readonly scratch: { pose: Float64Array; transform: Float64Array };
}

export type ShowroomWorld = World<ShowroomState>;

export const DEFAULT_CAPACITY = 4096;

export function createShowroomWorld(
  bounds: ShowroomBounds,
  config: Partial<SimConfig> = {},
  capacity: number = DEFAULT_CAPACITY,
): ShowroomWorld {
  assertBounds(bounds);
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`world capacity must be a positive integer, got ${capacity}`);
  }
  const merged: SimConfig = { ...defaultSimConfig(), ...config };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`sim config ${name} must be a finite number >= 0, got ${value}`);
    }
  }
  const slots = capacity + 1;
  const state: ShowroomState = {
    capacity,
    bounds: Object.freeze({ ...bounds }),
    config: Object.freeze(merged),
    components: createComponents(capacity),
    time: { elapsedMs: 0, dtMs: 0 },
    inputs: { teleports: [], hands: [] },
    events: [],
    dirty: { avatarFlags: new Uint8Array(slots), productFlags: new Uint8Array(slots), avatars: [], products: [] },
    scratch: { pose: new Float64Array(POSE_STRIDE), transform: new Float64Array(TRANSFORM_STRIDE) },
  };
  return createWorld(state);
}

/** Returns and clears the events emitted since the last drain. */
export function drainEvents(world: ShowroomWorld): SimEvent[] {
  const events = world.events;
  world.events = [];
  return events;
}

function assertBounds(b: ShowroomBounds): void {
  const finite = [b.minX, b.maxX, b.minZ, b.maxZ, b.height].every(Number.isFinite);
  if (!finite || b.minX >= b.maxX || b.minZ >= b.maxZ || b.height <= 0.3) {
    throw new RangeError(`invalid showroom bounds ${JSON.stringify(b)}`);
  }
}
