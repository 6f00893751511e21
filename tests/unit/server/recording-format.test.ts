import { Reflection } from "@colyseus/schema";
import { inflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import { recordingV1 } from "../../support/recording-fixture";
import { RECORDING_FORMAT_VERSION } from "../../../schema/recording";
import {
  checksumOf,
  DamagedChunkError,
  FrameKind,
  packChunkSync,
  readFrames,
  servedChunk,
  unpackChunk,
} from "../../../server/recording/format";

const fixture = recordingV1;

interface SeenAvatar {
  name: string;
  hxz: number;
  hy: number;
}

/** The state at `atMs`, as the player finds it: the chunk that covers it, its keyframe and patches up to then. */
function stateAt(atMs: number) {
  const chunk = fixture.chunks.find((c) => c.startMs <= atMs && atMs <= c.endMs);
  if (!chunk) throw new Error(`no chunk covers ${atMs} ms`);
  const decoder = Reflection.decode(Buffer.from(fixture.reflection, "base64"));
  const frames = readFrames(unpackChunk(Buffer.from(chunk.data, "base64")));
  expect(frames[0]?.kind).toBe(FrameKind.Keyframe);
  for (const frame of frames) {
    if (frame.tMs > atMs) break;
    decoder.decode(frame.bytes);
  }
  const state = decoder.state as unknown as {
    slug: string;
    avatars: Map<string, SeenAvatar>;
    products: Map<string, { heldBy: string }>;
  };
  return state;
}

describe("recordings of format version 1 stay readable", () => {
  it("is the version this build writes, or one it still reads", () => {
    expect(fixture.formatVersion).toBeLessThanOrEqual(RECORDING_FORMAT_VERSION);
    expect(fixture.chunks.map((c) => c.seq)).toEqual([0, 1, 2]);
    expect(fixture.chunks.every((c) => c.endMs - c.startMs <= 5000)).toBe(true);
  });

  it("decodes known values at known moments", () => {
    const early = stateAt(1000);
    expect(early.slug).toBe("fixture");
    expect(early.avatars.get("ann")?.hxz).toBe(1020);
    expect(early.avatars.has("bob")).toBe(false);

    const middle = stateAt(6000);
    expect(middle.avatars.get("ann")?.hxz).toBe(1120);
    expect(middle.avatars.get("bob")?.name).toBe("Bob");
    expect(middle.avatars.get("bob")?.hy).toBe(1600);
    expect(middle.products.get("CHAIR-1")?.heldBy).toBe("ann");

    const late = stateAt(11_000);
    expect(late.avatars.get("ann")?.hxz).toBe(1220);
    expect(late.avatars.has("bob")).toBe(false);
    expect(late.products.get("CHAIR-1")?.heldBy).toBe("");
  });

  it("serves each chunk as deflate-raw frames the browser inflates to exactly the recorded ones", () => {
    for (const chunk of fixture.chunks) {
      const stored = Buffer.from(chunk.data, "base64");
      const recorded = unpackChunk(stored);
      expect(Buffer.from(inflateSync(servedChunk(stored)))).toEqual(Buffer.from(recorded));
      expect(Buffer.from(unpackChunk(packChunkSync(recorded)))).toEqual(Buffer.from(recorded));
    }
  });

  it("reports a corrupt chunk as damaged instead of decoding garbage", () => {
    const stored = Buffer.from(fixture.chunks[0]?.data ?? "", "base64");
    const corrupt = Buffer.from(stored);
    corrupt[10] = (corrupt[10] ?? 0) ^ 0xff;
    expect(checksumOf(corrupt)).not.toBe(checksumOf(stored));
    expect(() => readFrames(unpackChunk(corrupt.subarray(0, corrupt.length - 20)))).toThrow(DamagedChunkError);
  });
});
