import { type Camera, Quaternion, Raycaster, Vector2, Vector3 } from "three";
import type { HandIndex } from "../../schema/messages";
import type { WorldView } from "../world/world-view";
import type { LocalRig } from "./local-rig";

/**
 * A desktop visitor's hands. Both rest in front of the body; clicking a product reaches the
 * right hand to it and asks the server for it; a held product is brought up in front of the
 * eyes to be turned and looked at; clicking a surface puts it down there. Every step waits for
 * the server: the grab is sent only once the pose with the hand at the product has gone out, and
 * the product counts as held only when the state says so.
 */

const RIGHT: HandIndex = 1;
/** The server keeps hands within 1 m of the head; stay a little inside it. */
const REACH = 0.95;
const HAND_SPEED = 14;
const STEP_TIMEOUT_MS = 2000;
const REST: Record<HandIndex, Vector3> = { 0: new Vector3(-0.22, 1.1, -0.3), 1: new Vector3(0.22, 1.1, -0.3) };
/** Where a held product is looked at, in the camera's frame. */
const INSPECT_AT = new Vector3(0.0, -0.12, -0.5);

type Task =
  | { kind: "idle" }
  | { kind: "reaching"; sku: string; since: number }
  | { kind: "grabbing"; sku: string; since: number }
  | { kind: "holding"; sku: string }
  | { kind: "placing"; sku: string; since: number }
  | { kind: "releasing"; sku: string; since: number };

export interface HandsContext {
  world: WorldView;
  rig: LocalRig;
  camera: Camera;
  grab(sku: string, hand: HandIndex): void;
  release(hand: HandIndex): void;
  hint(text: string): void;
  /** Whether the server has been sent the current pose. */
  poseSent(): boolean;
}

interface HandState {
  position: Vector3;
  rotation: Quaternion;
  targetPosition: Vector3;
  targetRotation: Quaternion;
}

const v = new Vector3();
const w = new Vector3();
const q = new Quaternion();
const q2 = new Quaternion();
const centre = new Vector2(0, 0);
const raycaster = new Raycaster();
const axis = new Vector3();
const HANDS: readonly HandIndex[] = [0, 1];

function restingHand(hand: HandIndex): HandState {
  return {
    position: REST[hand].clone(),
    rotation: new Quaternion(),
    targetPosition: REST[hand].clone(),
    targetRotation: new Quaternion(),
  };
}

export class DesktopHands {
  private task: Task = { kind: "idle" };
  private readonly hands: Record<HandIndex, HandState> = { 0: restingHand(0), 1: restingHand(1) };
  /** How the visitor has turned the product while inspecting it, in the camera's frame. */
  private readonly spin = new Quaternion();

  constructor(private readonly context: HandsContext) {}

  get heldSku(): string | null {
    return this.task.kind === "holding" || this.task.kind === "placing" ? this.task.sku : null;
  }

  get state(): string {
    return this.task.kind;
  }

  /** Click: grab what the crosshair is on, or put down what is held where the crosshair is. */
  primary(nowMs: number): void {
    const { world, camera, hint } = this.context;
    raycaster.setFromCamera(centre, camera);
    if (this.task.kind === "idle") {
      const hit = world.pickProduct(raycaster);
      if (!hit) return;
      if (!hit.grabbable) {
        hint("That piece is for looking at — it can't be picked up.");
        return;
      }
      this.reachFor(hit.sku);
      this.task = { kind: "reaching", sku: hit.sku, since: nowMs };
      hint("Reaching…");
    } else if (this.task.kind === "holding") {
      this.planPutDown(this.task.sku, nowMs);
    }
  }

  /** Let go at once, where the hand is. */
  dropNow(): void {
    if (this.task.kind !== "holding") return;
    this.context.release(RIGHT);
    this.task = { kind: "releasing", sku: this.task.sku, since: performance.now() };
  }

  grabRefused(sku: string, reason: string): void {
    if ((this.task.kind === "grabbing" || this.task.kind === "reaching") && this.task.sku === sku)
      this.task = { kind: "idle" };
    this.context.hint(`The server refused the grab: ${describeGrabRefusal(reason)}`);
  }

  /** Turns the held product (radians about the view's up and right axes). */
  spinHeld(yaw: number, pitch: number): void {
    if (this.task.kind !== "holding" || (yaw === 0 && pitch === 0)) return;
    this.spin.premultiply(q.setFromAxisAngle(axis.set(0, 1, 0), yaw));
    this.spin.premultiply(q.setFromAxisAngle(axis.set(1, 0, 0), pitch));
  }

  /** Advances the hands and writes them into the rig's pose; call after the head is placed. */
  update(dtSeconds: number, nowMs: number, sessionId: string | null): void {
    this.advanceTask(nowMs, sessionId);
    this.aimHands();
    const k = 1 - Math.exp(-HAND_SPEED * dtSeconds);
    const { rig } = this.context;
    rig.dolly.updateMatrixWorld(true);
    for (const hand of HANDS) {
      const state = this.hands[hand];
      state.position.lerp(state.targetPosition, k);
      state.rotation.slerp(state.targetRotation, k);
      v.copy(state.position).applyMatrix4(rig.dolly.matrixWorld);
      q.copy(rig.dolly.quaternion).multiply(state.rotation);
      rig.writePart(1 + hand, v, q);
    }
  }

  private advanceTask(nowMs: number, sessionId: string | null): void {
    const { world, grab, release, poseSent, hint } = this.context;
    const task = this.task;
    const holder = "sku" in task ? world.productHolder(task.sku)?.heldBy : undefined;
    switch (task.kind) {
      case "reaching":
        if ((this.arrived(RIGHT) && poseSent()) || nowMs - task.since > STEP_TIMEOUT_MS) {
          grab(task.sku, RIGHT);
          this.task = { kind: "grabbing", sku: task.sku, since: nowMs };
        }
        break;
      case "grabbing":
        if (sessionId && holder === sessionId) {
          this.spin.identity();
          this.task = { kind: "holding", sku: task.sku };
          hint("Holding it. Drag with the right mouse button to turn it; click a surface to put it down.");
        } else if (nowMs - task.since > STEP_TIMEOUT_MS) {
          this.task = { kind: "idle" };
          hint("No answer from the server for that grab.");
        }
        break;
      case "holding":
        if (holder !== sessionId) this.task = { kind: "idle" };
        break;
      case "placing":
        if ((this.arrived(RIGHT) && poseSent()) || nowMs - task.since > STEP_TIMEOUT_MS) {
          release(RIGHT);
          this.task = { kind: "releasing", sku: task.sku, since: nowMs };
        }
        break;
      case "releasing":
        if (holder !== sessionId || nowMs - task.since > STEP_TIMEOUT_MS) {
          this.task = { kind: "idle" };
          hint("Click a product labelled “pick me up” to take it in your hand.");
        }
        break;
      case "idle":
        break;
    }
  }

  /** Sets the hands' targets for tasks that follow the view (rest, inspect). */
  private aimHands(): void {
    const right = this.hands[RIGHT];
    const left = this.hands[0];
    left.targetPosition.copy(REST[0]);
    left.targetRotation.identity();
    if (this.task.kind === "idle" || this.task.kind === "releasing") {
      right.targetPosition.copy(REST[RIGHT]);
      right.targetRotation.identity();
    } else if (this.task.kind === "holding") {
      const { camera, rig } = this.context;
      // The camera's pose in the rig's frame: eye height and pitch.
      q2.setFromAxisAngle(axis.set(1, 0, 0), rig.pitch);
      right.targetPosition
        .copy(INSPECT_AT)
        .applyQuaternion(q2)
        .add(w.set(0, camera.position.y, 0));
      right.targetRotation.copy(q2).multiply(this.spin);
    }
  }

  private reachFor(sku: string): void {
    const { world, rig } = this.context;
    const product = world.productTransform(sku);
    if (!product) return;
    const head = w.fromArray(rig.pose);
    v.fromArray(product).sub(head);
    if (v.length() > REACH) v.setLength(REACH);
    v.add(head);
    this.setRightTarget(v, q.fromArray(product, 3));
  }

  /** Works out where the hand must be for the product to rest, upright, on the surface under the crosshair. */
  private planPutDown(sku: string, nowMs: number): void {
    const { world, rig, hint } = this.context;
    const held = world.scene.getObjectByName(`product:${sku}`);
    const hit = raycaster.intersectObjects(world.solidObjects(), true).find((h) => {
      let object: typeof h.object | null = h.object;
      while (object && object !== held) object = object.parent;
      return !object && h.object.type !== "LineSegments";
    });
    const normal = hit?.face?.normal.clone().transformDirection(hit.object.matrixWorld);
    if (!hit || !normal || normal.y < 0.6) {
      hint("Look at the floor or a table top to put it down there.");
      return;
    }
    const inHand = world.productInHand(sku);
    const transform = world.productTransform(sku);
    if (!inHand || !transform) return;
    // Keep the product's heading, stand it upright.
    const current = q.fromArray(transform, 3);
    const facing = v.set(0, 0, -1).applyQuaternion(current);
    const upright = new Quaternion().setFromAxisAngle(axis.set(0, 1, 0), Math.atan2(-facing.x, -facing.z));
    // hand = product · inverse(offset)
    const handRotation = upright.clone().multiply(q2.fromArray(inHand, 3).invert());
    const handPosition = hit.point.clone().sub(v.fromArray(inHand).applyQuaternion(handRotation));
    const head = w.fromArray(rig.pose);
    if (handPosition.distanceTo(head) > REACH) {
      hint("Too far to put it down there — look at a spot closer to you.");
      return;
    }
    this.setRightTarget(handPosition, handRotation);
    this.task = { kind: "placing", sku, since: nowMs };
  }

  /** Sets the right hand's target from a world pose, in the rig's frame. */
  private setRightTarget(position: Vector3, rotation: Quaternion): void {
    const { rig } = this.context;
    const right = this.hands[RIGHT];
    right.targetPosition.copy(position);
    rig.dolly.worldToLocal(right.targetPosition);
    right.targetRotation.copy(rig.dolly.quaternion).invert().multiply(rotation);
  }

  private arrived(hand: HandIndex): boolean {
    const state = this.hands[hand];
    return (
      state.position.distanceTo(state.targetPosition) < 0.01 && state.rotation.angleTo(state.targetRotation) < 0.02
    );
  }
}

export function describeGrabRefusal(reason: string): string {
  switch (reason) {
    case "out_of_reach":
      return "it is out of reach — walk closer.";
    case "held_by_other":
      return "someone else is holding it.";
    case "not_grabbable":
      return "that piece can't be picked up.";
    case "hand_busy":
      return "your hand is already full.";
    default:
      return reason.replaceAll("_", " ");
  }
}
