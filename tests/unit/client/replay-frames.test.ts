import { deflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import { DamagedChunkError, FrameKind, parseFrames, readChunk } from "../../../client/replay/frames";
import { encodeFrames } from "./replay-fixtures";

const keyframe = { tMs: 5000, kind: FrameKind.Keyframe, bytes: new Uint8Array([1, 2, 3]) };
const patch = { tMs: 5050, kind: FrameKind.Patch, bytes: new Uint8Array([4, 5]) };

describe("a recording chunk's frames", () => {
  it("read back as written: time, kind and bytes of each frame, in order", () => {
    const frames = readChunk(
      deflateSync(encodeFrames([keyframe, patch, { ...patch, tMs: 5100, bytes: new Uint8Array() }])),
    );
    expect(frames.map((f) => [f.tMs, f.kind, Array.from(f.bytes)])).toEqual([
      [5000, 0, [1, 2, 3]],
      [5050, 1, [4, 5]],
      [5100, 1, []],
    ]);
  });

  it("keep times beyond 16 bits (a recording longer than a minute)", () => {
    const late = { ...keyframe, tMs: 3_600_000 };
    expect(parseFrames(encodeFrames([late]))[0]?.tMs).toBe(3_600_000);
  });

  it("refuse bytes that are not deflate data", () => {
    expect(() => readChunk(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00]))).toThrow(DamagedChunkError);
  });

  it("refuse a chunk whose frame header or body is cut short", () => {
    const whole = encodeFrames([keyframe, patch]);
    expect(() => parseFrames(whole.subarray(0, whole.length - 1))).toThrow(/runs past the chunk's end/);
    expect(() => parseFrames(whole.subarray(0, 12 + 4))).toThrow(/cut short/);
  });

  it("refuse an unknown frame kind, a chunk not starting with a keyframe, and frames going back in time", () => {
    expect(() => parseFrames(encodeFrames([{ ...keyframe, kind: 7 as FrameKind }]))).toThrow(/unknown kind 7/);
    expect(() => parseFrames(encodeFrames([patch]))).toThrow(/does not start with a keyframe/);
    expect(() => parseFrames(encodeFrames([keyframe, { ...patch, tMs: 4000 }]))).toThrow(/back in time/);
    expect(() => parseFrames(new Uint8Array())).toThrow(DamagedChunkError);
  });
});
