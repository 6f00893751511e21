import { describe, expect, it } from "vitest";
import {
  decodePoseMessage,
  dequantizePosition,
  encodePoseMessage,
  packPose,
  packQuaternion,
  packXZ,
  POSE_MESSAGE_BYTES,
  POSITION_RANGE,
  POSITION_STEP,
  quantizePosition,
  unpackPose,
  unpackQuaternion,
  unpackX,
  unpackZ,
} from "../../../schema/codec";
import { nth } from "../../support/items";

type Quaternion = [number, number, number, number];

/** Mulberry32: a small seeded PRNG, so a failure names the same quaternions on every run. */
function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniformly distributed unit quaternions: a normalized 4D Gaussian. */
function randomUnitQuaternions(count: number, seed: number): Quaternion[] {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, () => {
    const q = [gaussian(), gaussian(), gaussian(), gaussian()];
    const length = Math.hypot(...q);
    return q.map((c) => c / length) as Quaternion;
  });
}

function roundTrip(q: readonly number[]): Quaternion {
  const out: Quaternion = [0, 0, 0, 0];
  unpackQuaternion(packQuaternion(nth(q, 0), nth(q, 1), nth(q, 2), nth(q, 3)), out);
  return out;
}

/** The angle of the rotation that takes a to b, in degrees; q and -q are the same rotation. */
function rotationErrorDegrees(a: readonly number[], b: readonly number[]): number {
  const dot = Math.abs(nth(a, 0) * nth(b, 0) + nth(a, 1) * nth(b, 1) + nth(a, 2) * nth(b, 2) + nth(a, 3) * nth(b, 3));
  return (2 * Math.acos(Math.min(1, dot)) * 180) / Math.PI;
}

/**
 * The worst rotation error 10-bit smallest-three can make. Each stored component lies in
 * [-1/√2, 1/√2] on 1023 steps, so it is off by at most δ = (1/√2)/1023; the three together by
 * at most √3·δ. The dropped (largest) component is rebuilt from unit length; as it is at least
 * 1/2, its own error is at most √3 times theirs, so the quaternion moves at most 2·√3·δ, and
 * a rotation turns through twice the angle its quaternion does: 4·√3·δ ≈ 0.2744°.
 */
const COMPONENT_STEP_ERROR = Math.SQRT1_2 / 1023;
const MAX_ROTATION_ERROR_DEGREES = (4 * Math.sqrt(3) * COMPONENT_STEP_ERROR * 180) / Math.PI;

describe("positions on the wire", () => {
  it("come back within half a millimetre anywhere in the showroom", () => {
    let worst = 0;
    for (let metres = -POSITION_RANGE; metres <= POSITION_RANGE; metres += 0.0001237) {
      worst = Math.max(worst, Math.abs(dequantizePosition(quantizePosition(metres)) - metres));
    }
    for (const edge of [-POSITION_RANGE, 0, POSITION_RANGE, 0.0005, -0.0005, 1.2345, -17.0004999]) {
      worst = Math.max(worst, Math.abs(dequantizePosition(quantizePosition(edge)) - edge));
    }
    expect(worst).toBeLessThanOrEqual(POSITION_STEP / 2 + 1e-9);
    expect(worst).toBeGreaterThan(POSITION_STEP / 2 - 1e-5);
  });

  it("land on whole millimetres that fit a uint16", () => {
    expect(quantizePosition(-POSITION_RANGE)).toBe(0);
    expect(quantizePosition(0)).toBe(32767);
    expect(quantizePosition(POSITION_RANGE)).toBe(65534);
    expect(dequantizePosition(quantizePosition(1.25))).toBeCloseTo(1.25, 9);
  });

  it("outside ±32.767 m are held at the edge of the range", () => {
    const held: Array<[outside: number, edge: number]> = [
      [40, POSITION_RANGE],
      [32.768, POSITION_RANGE],
      [1e9, POSITION_RANGE],
      [Infinity, POSITION_RANGE],
      [-40, -POSITION_RANGE],
      [-32.7685, -POSITION_RANGE],
      [-Infinity, -POSITION_RANGE],
    ];
    for (const [outside, edge] of held) {
      expect(dequantizePosition(quantizePosition(outside))).toBeCloseTo(edge, 9);
    }
  });

  it("pack x and z into one uint32 that unpacks to each of them alone", () => {
    const random = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const x = (random() * 2 - 1) * POSITION_RANGE;
      const z = (random() * 2 - 1) * POSITION_RANGE;
      const xz = packXZ(x, z);
      expect(Number.isInteger(xz) && xz >= 0 && xz < 2 ** 32).toBe(true);
      expect(Math.abs(unpackX(xz) - x)).toBeLessThanOrEqual(POSITION_STEP / 2 + 1e-9);
      expect(Math.abs(unpackZ(xz) - z)).toBeLessThanOrEqual(POSITION_STEP / 2 + 1e-9);
    }
    // x lives in the high half: the far corner uses the sign bit of an int32 and must stay positive.
    const corner = packXZ(POSITION_RANGE, POSITION_RANGE);
    expect(corner).toBe(65534 * 65536 + 65534);
    expect(unpackX(packXZ(5, -3))).toBeCloseTo(5, 9);
    expect(unpackZ(packXZ(5, -3))).toBeCloseTo(-3, 9);
    expect(unpackZ(packXZ(-POSITION_RANGE, 7))).toBeCloseTo(7, 9);
    expect(unpackX(packXZ(-POSITION_RANGE, 7))).toBeCloseTo(-POSITION_RANGE, 9);
  });
});

describe("rotations on the wire (smallest three, 10 bits a component)", () => {
  const samples = randomUnitQuaternions(10_000, 0x5eed);

  it(`turn by less than ${MAX_ROTATION_ERROR_DEGREES.toFixed(4)}° for any unit quaternion`, () => {
    let worst = 0;
    for (const q of samples) worst = Math.max(worst, rotationErrorDegrees(q, roundTrip(q)));
    // Measured with this seed: 0.2258°.
    expect(worst).toBeLessThan(MAX_ROTATION_ERROR_DEGREES);
    expect(worst).toBeGreaterThan(0.1);
  });

  it("reach close to that bound near (½, ½, ½, ½), so it is the real limit and not a loose one", () => {
    // Three equal components on a rounding midpoint and the rebuilt fourth as small as it can be.
    const onMidpoint = ((872.5 / 1023) * 2 - 1) * Math.SQRT1_2 - 1e-12;
    const q: Quaternion = [onMidpoint, onMidpoint, onMidpoint, Math.sqrt(1 - 3 * onMidpoint * onMidpoint)];
    const error = rotationErrorDegrees(q, roundTrip(q));
    expect(error).toBeLessThan(MAX_ROTATION_ERROR_DEGREES);
    expect(error).toBeGreaterThan(0.27);
  });

  // A client's rotations come out of float32 math a little long or short; packing normalizes them.
  it("turn no further for a rotation whose length drifted by 1%", () => {
    let worst = 0;
    for (const scale of [1.0099, 0.9901]) {
      for (const q of samples.slice(0, 2000)) {
        const drifted = roundTrip(q.map((c) => c * scale));
        worst = Math.max(worst, rotationErrorDegrees(q, drifted));
      }
    }
    expect(worst).toBeLessThan(MAX_ROTATION_ERROR_DEGREES);
  });

  it("decode to unit quaternions", () => {
    for (const q of samples.slice(0, 1000)) expect(Math.hypot(...roundTrip(q))).toBeCloseTo(1, 12);
  });

  it("send q and -q as the same code, since they are the same rotation", () => {
    for (const [x, y, z, w] of samples.slice(0, 1000))
      expect(packQuaternion(-x, -y, -z, -w)).toBe(packQuaternion(x, y, z, w));
  });

  it("are valid uint32 codes", () => {
    const edges: Quaternion[] = [
      [1, 0, 0, 0],
      [0, 0, 0, -1],
      [-Math.SQRT1_2, Math.SQRT1_2, 0, 0],
      [0.5, -0.5, 0.5, -0.5],
    ];
    for (const [x, y, z, w] of [...samples, ...edges]) {
      const code = packQuaternion(x, y, z, w);
      expect(Number.isInteger(code) && code >= 0 && code < 2 ** 32, `code ${code} for ${[x, y, z, w]}`).toBe(true);
    }
  });

  it("keep the identity and half turns about each axis", () => {
    const cases: [string, Quaternion][] = [
      ["identity", [0, 0, 0, 1]],
      ["identity as -q", [0, 0, 0, -1]],
      ["180° about x", [1, 0, 0, 0]],
      ["180° about y", [0, 1, 0, 0]],
      ["180° about z", [0, 0, 1, 0]],
      ["-180° about z", [0, 0, -1, 0]],
    ];
    for (const [name, q] of cases) {
      const decoded = roundTrip(q);
      expect(rotationErrorDegrees(q, decoded), name).toBeLessThan(MAX_ROTATION_ERROR_DEGREES);
      // The kept axis comes back as the largest component, with the sign of the code's choosing.
      const axis = q.findIndex((c) => c !== 0);
      expect(Math.abs(nth(decoded, axis)), name).toBeGreaterThan(0.99999);
    }
  });

  it("keep components of exactly ±1/√2, where two components tie for largest", () => {
    const r = Math.SQRT1_2;
    const cases: Quaternion[] = [
      [r, 0, 0, r], // 90° about x
      [0, -r, 0, r], // -90° about y
      [0, 0, r, -r],
      [-r, r, 0, 0],
      [0, r, r, 0],
    ];
    for (const q of cases) {
      const decoded = roundTrip(q);
      expect(rotationErrorDegrees(q, decoded), `${q}`).toBeLessThan(MAX_ROTATION_ERROR_DEGREES);
      for (let i = 0; i < 4; i++) {
        if (nth(q, i) !== 0) expect(Math.abs(nth(decoded, i)), `${q}[${i}]`).toBeCloseTo(r, 5);
      }
    }
  });
});

describe("a whole pose", () => {
  it("packs into the three fields of the state and unpacks to where it was", () => {
    const random = seededRandom(7);
    const rotations = randomUnitQuaternions(200, 99);
    const packed = { xz: 0, y: 0, q: 0 };
    const out = new Float64Array(9).fill(NaN);
    for (const [qx, qy, qz, qw] of rotations) {
      const [x, y, z] = [(random() * 2 - 1) * 30, random() * 2.5, (random() * 2 - 1) * 30];
      const same = packPose(x, y, z, qx, qy, qz, qw, packed);
      expect(same).toBe(packed);
      expect(packed).toEqual({ xz: packXZ(x, z), y: quantizePosition(y), q: packQuaternion(qx, qy, qz, qw) });
      unpackPose(packed.xz, packed.y, packed.q, out, 2);
      expect(Math.abs(nth(out, 2) - x)).toBeLessThanOrEqual(POSITION_STEP / 2 + 1e-9);
      expect(Math.abs(nth(out, 3) - y)).toBeLessThanOrEqual(POSITION_STEP / 2 + 1e-9);
      expect(Math.abs(nth(out, 4) - z)).toBeLessThanOrEqual(POSITION_STEP / 2 + 1e-9);
      expect(rotationErrorDegrees([qx, qy, qz, qw], Array.from(out.subarray(5, 9)))).toBeLessThan(
        MAX_ROTATION_ERROR_DEGREES,
      );
    }
    // The offset is honoured: nothing before it was written.
    expect(Number.isNaN(out[0]) && Number.isNaN(out[1])).toBe(true);
  });
});

describe("a pose message", () => {
  const standing = [
    0.5, 1.6, -2, 0, 0.3826834, 0, 0.9238795, 0.2, 1.1, -2.3, 0, 0, 0, 1, 0.8, 1.1, -2.3, 0.5, 0.5, 0.5, 0.5,
  ];

  it("is 30 bytes that decode within the state's precision", () => {
    const bytes = encodePoseMessage(standing);
    expect(bytes.byteLength).toBe(POSE_MESSAGE_BYTES);
    const decoded = new Array<number>(21);
    expect(decodePoseMessage(bytes, decoded)).toBeNull();
    for (let part = 0; part < 3; part++) {
      for (let i = 0; i < 3; i++)
        expect(Math.abs(nth(decoded, part * 7 + i) - nth(standing, part * 7 + i))).toBeLessThanOrEqual(
          POSITION_STEP / 2 + 1e-9,
        );
      const q = decoded.slice(part * 7 + 3, part * 7 + 7) as Quaternion;
      expect(Math.hypot(...q)).toBeCloseTo(1, 12);
      expect(rotationErrorDegrees(standing.slice(part * 7 + 3, part * 7 + 7) as Quaternion, q)).toBeLessThan(
        MAX_ROTATION_ERROR_DEGREES,
      );
    }
  });

  it("decodes exactly what the state would carry for the same pose", () => {
    const decoded = new Array<number>(21);
    decodePoseMessage(encodePoseMessage(standing), decoded);
    const viaState = new Array<number>(7);
    const packed = packPose(
      nth(standing, 14),
      nth(standing, 15),
      nth(standing, 16),
      nth(standing, 17),
      nth(standing, 18),
      nth(standing, 19),
      nth(standing, 20),
      { xz: 0, y: 0, q: 0 },
    );
    unpackPose(packed.xz, packed.y, packed.q, viaState);
    expect(decoded.slice(14)).toEqual(viaState);
  });

  it("is refused at any other length", () => {
    const out = new Array<number>(21);
    for (const length of [0, 29, 31, 300])
      expect(decodePoseMessage(new Uint8Array(length), out)).toBe(`pose must be 30 bytes, got ${length}`);
  });

  it("is refused when a rotation code cannot be a unit quaternion, naming the part", () => {
    const bytes = encodePoseMessage(standing);
    // Right hand: all three stored components at their maximum, √(3/2) long.
    bytes.set([0xff, 0xff, 0xff, 0xff], 26);
    expect(decodePoseMessage(bytes, new Array<number>(21))).toBe("pose rotation 2 is not a unit quaternion");
  });

  it("takes any positions: every code is a finite number within ±32.767 m", () => {
    const bytes = encodePoseMessage(standing);
    bytes.fill(0xff, 0, 6);
    const out = new Array<number>(21);
    expect(decodePoseMessage(bytes, out)).toBeNull();
    for (const v of out.slice(0, 3)) expect(Math.abs(v)).toBeLessThanOrEqual(POSITION_RANGE + POSITION_STEP);
  });

  it("will not encode a pose with a missing or non-finite value", () => {
    expect(() => encodePoseMessage(standing.slice(0, 20))).toThrow("a pose has 21 values, got 20");
    const broken = standing.slice();
    broken[9] = NaN;
    expect(() => encodePoseMessage(broken)).toThrow("pose[9] is not a finite number");
  });
});
