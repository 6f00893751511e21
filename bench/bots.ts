import { Client, Protocol, Room } from "@colyseus/sdk";
import type { GuestTokenResponse } from "../schema/api";
import { encodePoseMessage, POSE_MESSAGE_BYTES } from "../schema/codec";

/** What the server sent one bot, counted instead of decoded. */
export interface BotTraffic {
  bytes: number;
  patchBytes: number;
  patches: number;
  /** Called on each patch, as the web client's pose sender is (bots send their pose then). */
  onPatch?: () => void;
}

/** The low five bits of a frame's first byte are its protocol code. */
const PROTOCOL_CODE_MASK = 0x1f;

type FrameHandler = (this: Room, event: MessageEvent) => void;

/**
 * Bots never decode patches: hundreds of them decoding every patch would take the CPU from the
 * server or the browser being measured. Rooms registered in the returned map have their frames
 * counted there and their patches dropped; any other room decodes as usual. A bench-only hook
 * into the SDK's protected frame handler: bots are not product code.
 */
export function countBotTraffic(): Map<Room, BotTraffic> {
  const traffic = new Map<Room, BotTraffic>();
  const prototype = Room.prototype as unknown as { onMessageCallback: FrameHandler };
  const decode = prototype.onMessageCallback;
  prototype.onMessageCallback = function (this: Room, event: MessageEvent) {
    const bot = traffic.get(this);
    const bytes = new Uint8Array(event.data as ArrayBuffer);
    if (bot) {
      bot.bytes += bytes.byteLength;
      if (((bytes[0] ?? 0) & PROTOCOL_CODE_MASK) === Protocol.ROOM_STATE_PATCH) {
        bot.patches++;
        bot.patchBytes += bytes.byteLength;
        bot.onPatch?.();
        return;
      }
    }
    decode.call(this, event);
  };
  return traffic;
}

/** A guest bot in the demo showroom, registered for traffic counting. */
export async function joinBot(baseUrl: string, index: number, traffic: Map<Room, BotTraffic>): Promise<Room> {
  const response = await fetch(`${baseUrl}/api/guest-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (!response.ok) throw new Error(`guest token for bot ${index}: ${response.status} ${await response.text()}`);
  const guest = (await response.json()) as GuestTokenResponse;
  const room = await new Client(baseUrl).joinOrCreate("showroom", {
    slug: "home-living",
    token: guest.token,
    name: `Bot ${index}`,
  });
  room.onMessage("*", () => undefined);
  traffic.set(room, { bytes: 0, patchBytes: 0, patches: 0 });
  return room;
}

const poseBytes = new Uint8Array(POSE_MESSAGE_BYTES);

/** Sends a pose the way the web client does: 30 bytes (the SDK copies them into its frame). */
export function sendBotPose(room: Room, pose: ArrayLike<number>): void {
  room.sendBytes("pose", encodePoseMessage(pose, poseBytes));
}

/** Bot `index`'s head and hands at `timeMs`: each walks its own small circle, turning its head and swinging its hands. */
export function posesFor(index: number, timeMs: number): number[] {
  const cx = -12 + (index % 20) * 1.2;
  const cz = -8 + Math.floor(index / 20) * 1.6;
  const a = (timeMs / 1000) * Math.PI + index;
  const x = cx + Math.cos(a) * 0.4;
  const z = cz + Math.sin(a) * 0.4;
  const yaw = a;
  const qy = Math.sin(yaw / 2);
  const qw = Math.cos(yaw / 2);
  const swing = Math.sin(a * 2) * 0.2;
  return [
    x,
    1.6,
    z,
    0,
    qy,
    0,
    qw,
    x - 0.3,
    1.1 + swing,
    z - 0.2,
    0,
    qy,
    0,
    qw,
    x + 0.3,
    1.1 - swing,
    z - 0.2,
    0,
    qy,
    0,
    qw,
  ];
}
