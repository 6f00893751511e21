import { POSE_STRIDE } from "../ecs/components";

/**
 * Quantization codecs for the wire. A pose travels as three integers: x and z packed in one
 * uint32, y in a uint16, and the rotation as a smallest-three quaternion in a uint32, which
 * puts an avatar (head and two hands) at 30 bytes of payload. Clients send their own pose in
 * the same 30 bytes (encodePoseMessage), so it cannot carry a NaN or an unnormalized rotation.
 */

/** Positions cover ±32.767 m around the showroom origin at 1 mm steps. */
export const POSITION_RANGE = 32.767;
export const POSITION_STEP = 0.001;
const POSITION_MAX_CODE = 65534;

export function quantizePosition(metres: number): number {
  const code = Math.round((metres + POSITION_RANGE) / POSITION_STEP);
  return code < 0 ? 0 : Math.min(code, POSITION_MAX_CODE);
}

export function dequantizePosition(code: number): number {
  return code * POSITION_STEP - POSITION_RANGE;
}

export function packXZ(x: number, z: number): number {
  return ((quantizePosition(x) << 16) | quantizePosition(z)) >>> 0;
}

export function unpackX(xz: number): number {
  return dequantizePosition(xz >>> 16);
}

export function unpackZ(xz: number): number {
  return dequantizePosition(xz & 0xffff);
}

// Smallest three: drop the largest component (recoverable from unit length), store its
// index in 2 bits and the other three in 10 bits each. They lie in [-1/√2, 1/√2].
const COMPONENT_BITS = 10;
const COMPONENT_MAX = (1 << COMPONENT_BITS) - 1;
const COMPONENT_RANGE = Math.SQRT1_2;

export function packQuaternion(x: number, y: number, z: number, w: number): number {
  // The dropped component is rebuilt from unit length, so a slightly long input must be normalized.
  const length = Math.hypot(x, y, z, w) || 1;
  const q = [x / length, y / length, z / length, w / length];
  let largest = 0;
  for (let i = 1; i < 4; i++) if (Math.abs(q[i]!) > Math.abs(q[largest]!)) largest = i;
  // q and -q are the same rotation: make the dropped component positive.
  const sign = q[largest]! < 0 ? -1 : 1;
  let packed = largest;
  for (let i = 0; i < 4; i++) {
    if (i === largest) continue;
    const normalized = (q[i]! * sign) / COMPONENT_RANGE;
    const code = Math.round(((normalized + 1) / 2) * COMPONENT_MAX);
    packed = (packed << COMPONENT_BITS) | (code < 0 ? 0 : Math.min(code, COMPONENT_MAX));
  }
  return packed >>> 0;
}

/**
 * Writes x, y, z, w into out at offset. Returns false when the three stored components are too
 * long to be part of a unit quaternion (no encoder writes that; the rotation is then the nearest).
 */
export function unpackQuaternion(packed: number, out: { [i: number]: number }, offset = 0): boolean {
  const largest = packed >>> (3 * COMPONENT_BITS);
  let sumSquares = 0;
  let shift = 2 * COMPONENT_BITS;
  for (let i = 0; i < 4; i++) {
    if (i === largest) continue;
    const code = (packed >>> shift) & COMPONENT_MAX;
    shift -= COMPONENT_BITS;
    const value = ((code / COMPONENT_MAX) * 2 - 1) * COMPONENT_RANGE;
    out[offset + i] = value;
    sumSquares += value * value;
  }
  out[offset + largest] = Math.sqrt(Math.max(0, 1 - sumSquares));
  if (sumSquares <= 1) return true;
  // Keep what was written a unit quaternion all the same.
  const length = Math.sqrt(sumSquares);
  for (let i = 0; i < 4; i++) out[offset + i]! /= length;
  return false;
}

/** The fields of one quantized pose as they appear in the state. */
export interface PackedPose {
  xz: number;
  y: number;
  q: number;
}

export function packPose(
  x: number,
  y: number,
  z: number,
  qx: number,
  qy: number,
  qz: number,
  qw: number,
  out: PackedPose,
): PackedPose {
  out.xz = packXZ(x, z);
  out.y = quantizePosition(y);
  out.q = packQuaternion(qx, qy, qz, qw);
  return out;
}

/** Writes [x, y, z, qx, qy, qz, qw] into out at offset. */
export function unpackPose(xz: number, y: number, q: number, out: { [i: number]: number }, offset = 0): void {
  out[offset] = unpackX(xz);
  out[offset + 1] = dequantizePosition(y);
  out[offset + 2] = unpackZ(xz);
  unpackQuaternion(q, out, offset + 3);
}

/**
 * A client's pose message: head, left hand and right hand, each as x, y, z position codes
 * (uint16) and a smallest-three rotation (uint32), little-endian: 30 bytes. The same precision
 * the state carries to everyone else, at a fifth of the bytes of 21 numbers.
 */
export const POSE_MESSAGE_BYTES = 30;
const POSE_PART_BYTES = 10;

/** Encodes [x, y, z, qx, qy, qz, qw] × 3 (metres, any-length rotations) into out. */
export function encodePoseMessage(
  pose: ArrayLike<number>,
  out: Uint8Array = new Uint8Array(POSE_MESSAGE_BYTES),
): Uint8Array {
  if (pose.length !== POSE_STRIDE) throw new RangeError(`a pose has ${POSE_STRIDE} values, got ${pose.length}`);
  if (out.byteLength < POSE_MESSAGE_BYTES) throw new RangeError(`a pose message needs ${POSE_MESSAGE_BYTES} bytes`);
  for (let part = 0; part < 3; part++) {
    const at = part * 7;
    for (let i = at; i < at + 7; i++)
      if (!Number.isFinite(pose[i])) throw new RangeError(`pose[${i}] is not a finite number`);
    const o = part * POSE_PART_BYTES;
    writeUint16(out, o, quantizePosition(pose[at]!));
    writeUint16(out, o + 2, quantizePosition(pose[at + 1]!));
    writeUint16(out, o + 4, quantizePosition(pose[at + 2]!));
    const q = packQuaternion(pose[at + 3]!, pose[at + 4]!, pose[at + 5]!, pose[at + 6]!);
    writeUint16(out, o + 6, q & 0xffff);
    writeUint16(out, o + 8, q >>> 16);
  }
  return out;
}

/**
 * Decodes a pose message into out (21 values); returns why it is not one, or null. Any 30 bytes
 * give finite positions within ±32.767 m; only a rotation code can be invalid.
 */
export function decodePoseMessage(bytes: Uint8Array, out: { [i: number]: number }): string | null {
  if (bytes.byteLength !== POSE_MESSAGE_BYTES)
    return `pose must be ${POSE_MESSAGE_BYTES} bytes, got ${bytes.byteLength}`;
  for (let part = 0; part < 3; part++) {
    const o = part * POSE_PART_BYTES;
    const at = part * 7;
    out[at] = dequantizePosition(readUint16(bytes, o));
    out[at + 1] = dequantizePosition(readUint16(bytes, o + 2));
    out[at + 2] = dequantizePosition(readUint16(bytes, o + 4));
    const q = (readUint16(bytes, o + 6) | (readUint16(bytes, o + 8) << 16)) >>> 0;
    if (!unpackQuaternion(q, out, at + 3)) return `pose rotation ${part} is not a unit quaternion`;
  }
  return null;
}

function writeUint16(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = value >>> 8;
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}
