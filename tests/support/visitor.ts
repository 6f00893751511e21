import { Client, type Room } from "@colyseus/sdk";
import type { GuestTokenRequest, GuestTokenResponse } from "../../schema/api";
import { encodePoseMessage, unpackPose } from "../../schema/codec";
import type { ServerMessages } from "../../schema/messages";
import { defaultSimConfig } from "../../ecs/types";
import { ShowroomState, type AvatarState } from "../../schema/state";
import { elapse } from "./wait";

export type ReceivedMessage = {
  [K in keyof ServerMessages]: { type: K; payload: ServerMessages[K] };
}[keyof ServerMessages];

export interface Visitor {
  client: Client;
  room: Room<unknown, ShowroomState>;
  guest: GuestTokenResponse;
  sessionId: string;
  received: ReceivedMessage[];
  /** Resolves when predicate holds (checked on every state change and message), rejects after timeoutMs. */
  until(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  sendPose(pose: number[]): void;
  /** The head position of an avatar as this visitor's client last decoded it. */
  headOf(sessionId: string): { x: number; y: number; z: number } | undefined;
  /** The right hand's position of an avatar as this visitor's client last decoded it. */
  rightHandOf(sessionId: string): { x: number; y: number; z: number } | undefined;
  leave(): Promise<void>;
}

/** A new guest, or with `returning` (what an earlier answer gave) the same customer again. */
export async function guestToken(baseUrl: string, returning?: GuestTokenRequest): Promise<GuestTokenResponse> {
  const response = await fetch(`${baseUrl}/api/guest-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(returning ? { visitorId: returning.visitorId, visitorSecret: returning.visitorSecret } : {}),
  });
  if (!response.ok) throw new Error(`guest token: ${response.status} ${await response.text()}`);
  return (await response.json()) as GuestTokenResponse;
}

/** A customer with a real SDK client, joined to a showroom and holding its first state. */
export async function joinShowroom(
  baseUrl: string,
  options: { slug?: string; name?: string; returning?: GuestTokenRequest; token?: string; role?: string } = {},
): Promise<Visitor> {
  const guest = await guestToken(baseUrl, options.returning);
  const client = new Client(baseUrl);
  const room = await client.joinOrCreate<ShowroomState>(
    "showroom",
    {
      slug: options.slug ?? "home-living",
      token: options.token ?? guest.token,
      name: options.name ?? "Tester",
      ...(options.role ? { role: options.role } : {}),
    },
    ShowroomState,
  );
  return wrap(client, room, guest);
}

export function wrap(client: Client, room: Room<unknown, ShowroomState>, guest: GuestTokenResponse): Visitor {
  const received: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((check) => check());
  room.onMessage("*", (type, payload) => {
    received.push({ type, payload } as ReceivedMessage);
    notify();
  });
  room.onStateChange(notify);
  const visitor: Visitor = {
    client,
    room,
    guest,
    sessionId: room.sessionId,
    received,
    until(predicate, timeoutMs = 10_000, what = "condition") {
      return new Promise((resolve, reject) => {
        if (predicate()) return resolve();
        const check = () => {
          if (!predicate()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    sendPose(pose) {
      room.sendBytes("pose", encodePoseMessage(pose));
    },
    headOf(sessionId) {
      const avatar: AvatarState | undefined = room.state?.avatars?.get(sessionId);
      if (!avatar) return undefined;
      const out = new Array<number>(7);
      unpackPose(avatar.hxz, avatar.hy, avatar.hq, out);
      return position(out);
    },
    rightHandOf(sessionId) {
      const avatar: AvatarState | undefined = room.state?.avatars?.get(sessionId);
      if (!avatar) return undefined;
      const out = new Array<number>(7);
      unpackPose(avatar.rxz, avatar.ry, avatar.rq, out);
      return position(out);
    },
    async leave() {
      // A room the server already closed never answers a leave: don't wait for it forever.
      await Promise.race([room.leave(true).catch(() => undefined), pace(2000)]);
    },
  };
  return visitor;
}

/** A pose with the head at (x, 1.6, z) looking along yaw (radians, 0 = -Z), hands in front. */
export function standingPose(x: number, z: number, yaw = 0, rightHand?: [number, number, number]): number[] {
  const qy = Math.sin(yaw / 2);
  const qw = Math.cos(yaw / 2);
  const fx = -Math.sin(yaw);
  const fz = -Math.cos(yaw);
  const right = rightHand ?? [x + 0.25 * Math.cos(yaw) + 0.3 * fx, 1.1, z - 0.25 * Math.sin(yaw) + 0.3 * fz];
  return [
    x,
    1.6,
    z,
    0,
    qy,
    0,
    qw,
    x + 0.3 * fx - 0.25 * Math.cos(yaw),
    1.1,
    z + 0.3 * fz + 0.25 * Math.sin(yaw),
    0,
    qy,
    0,
    qw,
    right[0],
    right[1],
    right[2],
    0,
    qy,
    0,
    qw,
  ];
}

function position(unpacked: number[]): { x: number; y: number; z: number } {
  const [x = NaN, y = NaN, z = NaN] = unpacked;
  return { x, y, z };
}

/** The gap between two inputs a client sends on its own clock (a headset's frames, the teleport cooldown). */
const pace = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 30 Hz, a headset's pose rate. */
const FRAME_MS = 33;
const TELEPORT_COOLDOWN_MS = defaultSimConfig().teleportCooldownMs + 50;

/**
 * Sends a pose at a headset's frame rate until the server has the visitor's head and right hand
 * where it puts them (the server moves a head toward each pose only as fast as a walk).
 */
export async function holdPose(visitor: Visitor, pose: number[], timeoutMs = 10_000): Promise<void> {
  const [hx = NaN, , hz = NaN] = pose;
  const [rx = NaN, ry = NaN, rz = NaN] = pose.slice(14);
  const there = () => {
    const head = visitor.headOf(visitor.sessionId);
    const hand = visitor.rightHandOf(visitor.sessionId);
    return (
      head !== undefined &&
      hand !== undefined &&
      Math.hypot(head.x - hx, head.z - hz) < 0.02 &&
      Math.hypot(hand.x - rx, hand.y - ry, hand.z - rz) < 0.02
    );
  };
  const deadline = Date.now() + timeoutMs;
  while (!there()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for the server to take the pose at ${hx.toFixed(2)}, ${hz.toFixed(2)}; ` +
          `head ${JSON.stringify(visitor.headOf(visitor.sessionId))}, right hand ${JSON.stringify(visitor.rightHandOf(visitor.sessionId))}`,
      );
    await sendPosesAtFrameRate(visitor, [pose]);
  }
}

/** Walks the visitor to (x, z) at a legal pace by sending poses at 30 Hz; resolves when the server has it there. */
export async function walkTo(visitor: Visitor, x: number, z: number, yaw = 0): Promise<void> {
  const start = visitor.headOf(visitor.sessionId);
  if (!start) throw new Error("no avatar yet");
  const distance = Math.hypot(x - start.x, z - start.z);
  const steps = Math.max(1, Math.ceil(distance / 0.09)); // 2.7 m/s at 30 Hz, under the 4 m/s limit
  await sendPosesAtFrameRate(
    visitor,
    Array.from({ length: steps }, (_, i) => {
      const t = (i + 1) / steps;
      return standingPose(start.x + (x - start.x) * t, start.z + (z - start.z) * t, yaw);
    }),
  );
  await visitor.until(
    () => {
      const head = visitor.headOf(visitor.sessionId);
      return head !== undefined && Math.hypot(head.x - x, head.z - z) < 0.05;
    },
    10_000,
    `arrival at ${x}, ${z}`,
  );
}

/** Teleports (legal hops of at most 7 m) and resolves when the server has the visitor there. */
export async function teleportTo(visitor: Visitor, x: number, z: number): Promise<void> {
  for (;;) {
    const head = visitor.headOf(visitor.sessionId);
    if (!head) throw new Error("no avatar yet");
    const distance = Math.hypot(x - head.x, z - head.z);
    if (distance < 0.02) return;
    const hop = Math.min(1, 7 / distance);
    const tx = head.x + (x - head.x) * hop;
    const tz = head.z + (z - head.z) * hop;
    visitor.room.send("teleport", { x: tx, z: tz });
    await visitor.until(
      () => {
        const now = visitor.headOf(visitor.sessionId);
        return now !== undefined && Math.hypot(now.x - tx, now.z - tz) < 0.02;
      },
      8000,
      `teleport to ${tx.toFixed(2)}, ${tz.toFixed(2)}`,
    );
    await pace(TELEPORT_COOLDOWN_MS);
  }
}

/** The position of a product as this visitor's client last decoded it. */
export function productAt(
  visitor: Visitor,
  sku: string,
): { x: number; y: number; z: number; heldBy: string } | undefined {
  const product = visitor.room.state?.products?.get(sku);
  if (!product) return undefined;
  const out = new Array<number>(7);
  unpackPose(product.xz, product.y, product.q, out);
  return { ...position(out), heldBy: product.heldBy };
}

/**
 * Faces a product long enough for the server to count a dwell: the threshold is elapsed time,
 * measured from when the server took the pose.
 */
export async function dwellWith(visitor: Visitor, pose: number[]): Promise<void> {
  await holdPose(visitor, pose);
  await elapse(defaultSimConfig().dwellMinMs + 500);
}

/** Sends poses one per headset frame, as a visitor moving does. */
export async function sendPosesAtFrameRate(visitor: Visitor, poses: number[][]): Promise<void> {
  for (const pose of poses) {
    visitor.sendPose(pose);
    await pace(FRAME_MS);
  }
}
