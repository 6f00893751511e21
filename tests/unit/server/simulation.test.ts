import { describe, expect, it } from "vitest";
import type { Catalog } from "../../../db/catalog";
import { ShowroomSimulation, SIM_STEP_MS } from "../../../server/room/simulation";

/** The simulation reads only the bounds and the products from a catalog. */
const emptyShowroom = {
  showroom: { bounds: { minX: -10, maxX: 10, minZ: -10, maxZ: 10, height: 4 } },
  products: [],
  trainings: [],
} as unknown as Catalog;

describe("the room's simulation clock", () => {
  it("runs exactly one step per tick through timer jitter and slow drift", () => {
    const sim = new ShowroomSimulation(emptyShowroom, 10);
    let seed = 7;
    const jitter = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647) * 10 - 5;
    };
    const steps = Array.from({ length: 600 }, () => sim.advance(SIM_STEP_MS + 0.6 + jitter()));
    // 600 ticks late by 0.6 ms on average are 360 ms behind the wall clock: not repaid by a double step.
    expect(steps.every((n) => n === 1)).toBe(true);
  });

  it("catches up whole missed steps after a stall, at most five, and runs none for a tick far too early", () => {
    const sim = new ShowroomSimulation(emptyShowroom, 10);
    expect(sim.advance(SIM_STEP_MS * 2.6)).toBe(3);
    expect(sim.advance(SIM_STEP_MS * 1.4)).toBe(1);
    expect(sim.advance(10_000)).toBe(5);
    expect(sim.advance(SIM_STEP_MS / 5)).toBe(0);
  });

  it("never steps for a clock that stood still or went back", () => {
    const sim = new ShowroomSimulation(emptyShowroom, 10);
    for (const elapsed of [0, -3000, Number.NaN]) expect(sim.advance(elapsed), String(elapsed)).toBe(0);
    expect(sim.advance(SIM_STEP_MS)).toBe(1);
  });
});
