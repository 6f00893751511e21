import { POSE_STRIDE, readAvatarPose, Role, standingPose } from "../../ecs";
import type { Catalog } from "../../db/catalog";
import type { ServerMessages } from "../../schema/messages";
import { AvatarState, type ShowroomState } from "../../schema/state";
import { ASSISTANT_SESSION_ID } from "./assistant-desk";
import type { ShowroomEvent, ShowroomSimulation } from "./simulation";
import { writeAvatarPose } from "./state-sync";

/** The assistant's head is a little higher than a visitor's: it is seen over a small crowd. */
const ASSISTANT_HEIGHT = 1.7;

/** The name shown for someone who gave none. */
const DEFAULT_NAMES: Record<Role, string> = {
  [Role.Customer]: "Guest",
  [Role.Agent]: "Agent",
  [Role.Assistant]: "Assistant",
};

/**
 * Who is in the room: each avatar's entity in the simulation and its entry in the synced state,
 * made and removed together. The state entry gets its pose at once, not at the next patch, since a
 * joiner's first full state may be sent before it.
 */
export class Roster {
  private readonly pose = new Float64Array(POSE_STRIDE);

  constructor(
    private readonly sim: ShowroomSimulation,
    private readonly state: ShowroomState,
  ) {}

  /** Visitors in the room, not counting the assistant. */
  get visitorCount(): number {
    return this.sim.avatars.size - (this.sim.avatarOf(ASSISTANT_SESSION_ID) === undefined ? 0 : 1);
  }

  /** Adds an avatar at the spawn point, or at `placed` when the server chose the spot. */
  add(sessionId: string, role: Role, name: string, placed?: ArrayLike<number>): AvatarState {
    const eid = this.sim.addVisitor(sessionId, role, placed);
    const avatar = new AvatarState();
    avatar.name = name || DEFAULT_NAMES[role];
    avatar.role = role;
    avatar.connected = true;
    readAvatarPose(this.sim.world, eid, this.pose);
    writeAvatarPose(avatar, this.pose);
    this.state.avatars.set(sessionId, avatar);
    return avatar;
  }

  /** The assistant stands beside the entrance, facing the visitors as they arrive. */
  placeAssistant(spawn: Catalog["showroom"]["spawn"]): AvatarState {
    const x = spawn.x + 2.5;
    const z = spawn.z - 1.5;
    // Facing the spawn point (forward is -Z at a heading of 0).
    const yaw = Math.atan2(x - spawn.x, z - spawn.z);
    const pose = standingPose(x, z, yaw, ASSISTANT_HEIGHT);
    return this.add(ASSISTANT_SESSION_ID, Role.Assistant, DEFAULT_NAMES[Role.Assistant], pose);
  }

  nameOf(sessionId: string): string | undefined {
    return this.state.avatars.get(sessionId)?.name;
  }

  speakerOf(sessionId: string): { name: string; role: Role } | undefined {
    const avatar = this.state.avatars.get(sessionId);
    // add() is the only writer of an avatar's role, and it writes a Role.
    return avatar && { name: avatar.name, role: avatar.role as Role };
  }

  /** A dropped visitor whose seat is held shows as disconnected and attends to nothing until back. */
  setConnected(sessionId: string, connected: boolean): void {
    const avatar = this.state.avatars.get(sessionId);
    if (avatar) avatar.connected = connected;
    this.sim.setAway(sessionId, !connected);
  }

  /** Removes the avatar; returns what that caused (a held product let go, an open dwell closed). */
  remove(sessionId: string): ShowroomEvent[] {
    const events = this.sim.removeVisitor(sessionId);
    this.state.avatars.delete(sessionId);
    return events;
  }
}

/** The greeting a client gets on entering and on coming back: who they are in this room. */
export function welcomeOf(
  sessionId: string,
  who: { name: string; customerId?: string | undefined; visitId?: string | undefined },
  resumed: boolean,
): ServerMessages["welcome"] {
  return { sessionId, customerId: who.customerId ?? "", visitId: who.visitId ?? "", name: who.name, resumed };
}
