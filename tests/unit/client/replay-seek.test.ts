import { describe, expect, it } from "vitest";
import { decodeBase64, describeDamage, ReplayPlayback } from "../../../client/replay/playback";
import type { AvatarFields, ProductFields, ShowroomStateSource } from "../../../client/world/state-source";
import { unpackX } from "../../../schema/codec";
import {
  ALICE,
  aliceVisit,
  aliceX,
  DURATION_MS,
  GRAB_MS,
  IDLE_FROM_MS,
  IDLE_TO_MS,
  RELEASE_MS,
  SAM,
  type StoredRecording,
} from "./replay-fixtures";

const SKU = "VASE-1";
const SPAWN = { x: 1, z: 2 };
const recording = (): StoredRecording =>
  aliceVisit({ sku: SKU, products: [{ sku: SKU, position: [3, 0.9, -2] }], spawn: SPAWN });

function player(stored: StoredRecording, loads: number[] = []): ReplayPlayback {
  return new ReplayPlayback(decodeBase64(stored.detail.format.reflection), stored.detail.chunks, async (seq) => {
    loads.push(seq);
    const bytes = stored.chunks.get(seq);
    if (!bytes) throw new Error(`no chunk ${seq}`);
    return bytes;
  });
}

function get<V>(collection: { forEach(cb: (value: V, key: string) => void): void }, key: string): V | undefined {
  let found: V | undefined;
  collection.forEach((value, k) => {
    if (k === key) found = value;
  });
  return found;
}

function aliceAt(state: ShowroomStateSource | null): number {
  const alice = state ? get<AvatarFields>(state.avatars, ALICE) : undefined;
  if (!alice) throw new Error("Alice is not in the state");
  return unpackX(alice.hxz);
}

function vase(state: ShowroomStateSource | null): ProductFields {
  const product = state ? get<ProductFields>(state.products, SKU) : undefined;
  if (!product) throw new Error("the vase is not in the state");
  return product;
}

const noop = (): void => undefined;

describe("replaying a recording", () => {
  it("plays forward across chunk boundaries, each frame emitted once and in order, Alice where she was", async () => {
    const replay = player(recording());
    const times: number[] = [];
    for (let ms = 0; ms <= DURATION_MS; ms += 130) {
      await replay.goTo(ms, (state, tMs) => {
        times.push(tMs);
        expect(aliceAt(state)).toBeCloseTo(aliceX(SPAWN.x, tMs), 2);
      });
      expect(aliceAt(replay.state())).toBeCloseTo(aliceX(SPAWN.x, Math.floor(ms / 50) * 50), 2);
    }
    // Every tick with a change is a patch, and each chunk's keyframe repeats its start.
    expect(times.length).toBeGreaterThan(300);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(replay.damaged.size).toBe(0);
  });

  it("seeks back and forward from the chunk's keyframe: the same state as playing there", async () => {
    const replay = player(recording());
    await replay.goTo(33_000, noop);
    expect(aliceAt(replay.state())).toBeCloseTo(aliceX(SPAWN.x, 33_000), 2);
    await replay.goTo(2_000, noop);
    expect(aliceAt(replay.state())).toBeCloseTo(aliceX(SPAWN.x, 2_000), 2);
    expect(get<AvatarFields>(replay.state()!.avatars, SAM)?.role).toBe(1);
    await replay.goTo(27_500, noop);
    expect(aliceAt(replay.state())).toBeCloseTo(SPAWN.x + 3, 2);
    expect(replay.positionMs).toBe(27_500);
  });

  it("shows the vase in Alice's right hand between the grab and the release, resting after it", async () => {
    const replay = player(recording());
    await replay.goTo(GRAB_MS - 100, noop);
    expect(vase(replay.state()).heldBy).toBe("");
    await replay.goTo(GRAB_MS + 50, noop);
    expect(vase(replay.state())).toMatchObject({ heldBy: ALICE, hand: 1 });
    await replay.goTo(RELEASE_MS + 50, noop);
    expect(vase(replay.state()).heldBy).toBe("");
    await replay.goTo(GRAB_MS + 1000, noop);
    expect(vase(replay.state()).heldBy).toBe(ALICE);
  });

  it("clamps a seek past the end (or before the start) to the recording", async () => {
    const replay = player(recording());
    await replay.goTo(DURATION_MS + 60_000, noop);
    expect(replay.positionMs).toBe(DURATION_MS);
    expect(aliceAt(replay.state())).toBeCloseTo(SPAWN.x, 2);
    await replay.goTo(-5_000, noop);
    expect(replay.positionMs).toBe(0);
  });

  it("loads each chunk once, however often the playhead goes back to it", async () => {
    const loads: number[] = [];
    const replay = player(recording(), loads);
    for (const ms of [1_000, 12_000, 1_500, 12_500, 3_000]) await replay.goTo(ms, noop);
    expect(loads).toEqual([0, 2]);
  });

  it("finds the idle stretch where nobody moves and nothing happens, and none where someone moves", async () => {
    const stored = recording();
    const replay = player(stored);
    const markers = stored.detail.markers.map((m) => m.atMs);
    expect(await replay.idleStretchAfter(2_000, 10_000, markers)).toBeNull();
    expect(await replay.idleStretchAfter(IDLE_FROM_MS + 500, 10_000, markers)).toEqual({
      fromMs: IDLE_FROM_MS + 500,
      toMs: IDLE_TO_MS + 50,
    });
    // Within 10 s of the next movement it is not worth skipping.
    expect(await replay.idleStretchAfter(IDLE_TO_MS - 5_000, 10_000, markers)).toBeNull();
  });

  it("says which chunk is damaged, shows the room as it was before it, and plays on after it", async () => {
    const stored = recording();
    stored.chunks.set(2, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const replay = player(stored);
    await replay.goTo(12_000, noop);
    const damage = replay.damageAt(12_000);
    expect(damage && describeDamage(damage)).toMatch(/^Chunk 2 \(0:10-0:15\) is damaged: it does not inflate/);
    expect(aliceAt(replay.state())).toBeCloseTo(SPAWN.x + 3, 2);
    await replay.goTo(16_000, noop);
    expect(replay.damageAt(16_000)).toBeNull();
    expect(aliceAt(replay.state())).toBeCloseTo(SPAWN.x + 3, 2);
    await replay.goTo(33_000, noop);
    expect(aliceAt(replay.state())).toBeCloseTo(aliceX(SPAWN.x, 33_000), 2);
  });

  it("does not download a chunk the server marked damaged, and plays through it keeping the last state", async () => {
    const stored = recording();
    const chunk = stored.detail.chunks[1]!;
    chunk.damaged = true;
    const loads: number[] = [];
    const replay = player(stored, loads);
    for (let ms = 0; ms <= 11_000; ms += 500) await replay.goTo(ms, noop);
    expect(loads).not.toContain(1);
    expect(replay.damageAt(7_000)?.reason).toBe("it was stored damaged");
    expect(aliceAt(replay.state())).toBeCloseTo(aliceX(SPAWN.x, 11_000), 2);
  });

  it("keeps what decoded of a chunk whose later frame is garbage, and names the time it broke", async () => {
    const stored = recording();
    const { readChunk } = await import("../../../client/replay/frames");
    const { encodeFrames } = await import("./replay-fixtures");
    const { deflateSync } = await import("fflate");
    const frames = readChunk(stored.chunks.get(1)!);
    const broken = frames.map((f, i) => (i === 20 ? { ...f, bytes: new Uint8Array([255, 255, 255, 255]) } : f));
    stored.chunks.set(1, deflateSync(encodeFrames(broken)));
    const replay = player(stored);
    await replay.goTo(9_000, noop);
    const damage = replay.damaged.get(1);
    expect(damage?.startMs).toBe(frames[20]!.tMs);
    expect(aliceAt(replay.state())).toBeCloseTo(aliceX(SPAWN.x, frames[19]!.tMs), 2);
  });
});
