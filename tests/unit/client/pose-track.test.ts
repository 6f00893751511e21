import { describe, expect, it } from "vitest";
import { PoseTrack } from "../../../client/interp/pose-track";
import { nth } from "../../support/items";

const pose = (x: number, yawRadians = 0): number[] => [
  x,
  1.6,
  0,
  0,
  Math.sin(yawRadians / 2),
  0,
  Math.cos(yawRadians / 2),
];

describe("a pose track rendered in the past", () => {
  it("interpolates position linearly between two patches", () => {
    const track = new PoseTrack(1);
    track.push(1000, pose(0));
    track.push(1050, pose(1));
    const out = new Float32Array(7);
    track.sample(1025, out);
    expect(out[0]).toBeCloseTo(0.5, 5);
    expect(out[1]).toBeCloseTo(1.6, 5);
  });

  it("turns along the short arc with unit quaternions", () => {
    const track = new PoseTrack(1);
    track.push(0, pose(0, 0));
    track.push(50, pose(0, Math.PI / 2));
    const out = new Float32Array(7);
    track.sample(25, out);
    expect(2 * Math.asin(nth(out, 4))).toBeCloseTo(Math.PI / 4, 4);
    expect(Math.hypot(nth(out, 3), nth(out, 4), nth(out, 5), nth(out, 6))).toBeCloseTo(1, 6);
  });

  it("holds the first pose before it and the last pose after it", () => {
    const track = new PoseTrack(1);
    track.push(100, pose(2));
    track.push(150, pose(3));
    const out = new Float32Array(7);
    track.sample(50, out);
    expect(out[0]).toBeCloseTo(2, 5);
    track.sample(500, out);
    expect(out[0]).toBeCloseTo(3, 5);
  });

  it("keeps a still avatar still until its next move instead of smearing the move over the quiet time", () => {
    const track = new PoseTrack(1);
    track.push(0, pose(0));
    track.push(2000, pose(1));
    const out = new Float32Array(7);
    track.sample(1900, out);
    expect(out[0]).toBeCloseTo(0, 5);
    track.sample(1975, out);
    expect(out[0]).toBeCloseTo(0.5, 5);
  });

  it("gives a smooth path through steady 20 Hz patches", () => {
    const track = new PoseTrack(3);
    const out = new Float32Array(21);
    const xs: number[] = [];
    for (let t = 0; t <= 1000; t += 50) track.push(t, [...pose(t / 1000), ...pose(t / 1000), ...pose(t / 1000)]);
    for (let t = 700; t <= 950; t += 16) {
      track.sample(t, out);
      xs.push(nth(out, 0));
      expect(nth(out, 14)).toBeCloseTo(nth(out, 0), 5);
    }
    for (let i = 1; i < xs.length; i++) expect(nth(xs, i) - nth(xs, i - 1)).toBeCloseTo(0.016, 3);
  });

  it("forgets the oldest samples beyond its capacity", () => {
    const track = new PoseTrack(1);
    for (let i = 0; i < 20; i++) track.push(i * 50, pose(i));
    expect(track.size).toBe(8);
    const out = new Float32Array(7);
    track.latest(out);
    expect(out[0]).toBe(19);
  });
});
