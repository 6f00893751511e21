import {
  BufferGeometry,
  type Group,
  Line,
  LineBasicMaterial,
  Quaternion,
  Raycaster,
  Vector3,
  type WebGLRenderer,
} from "three";
import { XRControllerModelFactory } from "three/examples/jsm/webxr/XRControllerModelFactory.js";
import type { Bounds } from "../../schema/api";
import type { HandIndex } from "../../schema/messages";
import type { LocalRig } from "../input/local-rig";
import { describeGrabRefusal } from "../input/desktop-hands";
import type { WorldView } from "../world/world-view";
import { TeleportArc } from "./teleport-arc";
import { type PanelContent, VrPanel } from "./vr-panel";

/**
 * Immersive VR: a local-floor session whose head pose comes from the viewer pose and whose hands
 * come from the controllers' grip spaces, both carried by the rig so walking and teleporting move
 * the whole play area. Left stick walks, right stick snaps turns (sideways) and aims a teleport
 * (forward, released to jump); the trigger grabs what the controller points at or touches and
 * lets it go when released.
 */

export interface XrContext {
  renderer: WebGLRenderer;
  rig: LocalRig;
  world: WorldView;
  bounds: Bounds;
  grab(sku: string, hand: HandIndex): void;
  release(hand: HandIndex): void;
  teleport(x: number, z: number): void;
  say(text: string): void;
  hint(text: string): void;
  panel(): PanelContent;
  sessionId(): string | null;
  ended(): void;
}

export const VR_CONTROLS = "Left stick: walk · Right stick: turn, push forward to teleport · Trigger: grab";
/** Where controllers' glTF models are served (copied from @webxr-input-profiles/assets by the build). */
export const XR_PROFILES_PATH = "/xr-profiles/";
const SMOOTH_SPEED = 2;
const SNAP_RADIANS = Math.PI / 6;
const STICK_ENGAGE = 0.7;
const STICK_REARM = 0.3;
const TRIGGER_PRESSED = 0.5;
const TOUCH_GRAB_DISTANCE = 0.4;
const POINT_GRAB_DISTANCE = 3;
/** A hand without a tracked controller stays here, in the head's frame. */
const IDLE_HAND: Record<HandIndex, Vector3> = { 0: new Vector3(-0.2, -0.5, -0.25), 1: new Vector3(0.2, -0.5, -0.25) };

interface HandInput {
  triggerDown: boolean;
  gripPosition: Vector3;
  gripRotation: Quaternion;
  rayOrigin: Vector3;
  rayDirection: Vector3;
  tracked: boolean;
}

const position = new Vector3();
const rotation = new Quaternion();
const orientation = new Quaternion();
const headPosition = new Vector3();
const headRotation = new Quaternion();
const scratch = new Vector3();
const raycaster = new Raycaster();

export class XrMode {
  private session: XRSession | null = null;
  private readonly hands: Record<HandIndex, HandInput> = { 0: untrackedHand(), 1: untrackedHand() };
  private snapArmed = true;
  private aiming = false;
  private readonly arc: TeleportArc;
  private readonly panel = new VrPanel();
  private readonly grips: Group[] = [];
  grabsSent = 0;

  constructor(private readonly context: XrContext) {
    const { renderer, rig } = context;
    renderer.xr.enabled = true;
    renderer.xr.setReferenceSpaceType("local-floor");
    this.arc = new TeleportArc(context.bounds);
    context.world.scene.add(this.arc.group);
    const models = new XRControllerModelFactory().setPath(XR_PROFILES_PATH);
    for (let i = 0; i < 2; i++) {
      const grip = renderer.xr.getControllerGrip(i);
      grip.add(models.createControllerModel(grip));
      grip.addEventListener("connected", (event) => {
        if (event.data?.handedness === "left") grip.add(this.panel.mesh);
      });
      rig.dolly.add(grip);
      this.grips.push(grip);
      const pointer = renderer.xr.getController(i);
      const ray = new Line(
        new BufferGeometry().setFromPoints([new Vector3(0, 0, 0), new Vector3(0, 0, -1.5)]),
        new LineBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.6 }),
      );
      ray.name = "pointer-ray";
      pointer.add(ray);
      rig.dolly.add(pointer);
    }
  }

  static async available(): Promise<boolean> {
    try {
      return (await navigator.xr?.isSessionSupported("immersive-vr")) ?? false;
    } catch {
      return false;
    }
  }

  get presenting(): boolean {
    return this.session !== null;
  }

  /** Starts the immersive session; rejects with a message a visitor can read. */
  async enter(): Promise<void> {
    if (!navigator.xr) throw new Error("This browser has no WebXR support.");
    let session: XRSession;
    try {
      session = await navigator.xr.requestSession("immersive-vr", { requiredFeatures: ["local-floor"] });
    } catch (error) {
      throw new Error(`The headset did not start VR (${error instanceof Error ? error.message : String(error)}).`);
    }
    session.addEventListener("end", () => {
      this.session = null;
      this.arc.hide();
      this.context.ended();
    });
    await this.context.renderer.xr.setSession(session);
    this.session = session;
    this.context.hint(VR_CONTROLS);
  }

  async exit(): Promise<void> {
    await this.session?.end();
  }

  /** Reads the headset and controllers for this frame and writes the rig's pose. */
  update(frame: XRFrame, dtSeconds: number): void {
    const { renderer, rig } = this.context;
    const space = renderer.xr.getReferenceSpace();
    if (!space) return;
    const sources = frame.session.inputSources;
    for (const source of sources) this.move(source, dtSeconds);
    rig.dolly.updateMatrixWorld(true);

    const viewer = frame.getViewerPose(space);
    if (viewer) {
      toWorld(rig, viewer.transform, headPosition, headRotation);
      rig.writePart(0, headPosition, headRotation);
    }
    this.hands[0].tracked = false;
    this.hands[1].tracked = false;
    for (const source of sources) {
      const hand = handIndex(source);
      if (hand === null || !source.gripSpace) continue;
      const grip = frame.getPose(source.gripSpace, space);
      const ray = frame.getPose(source.targetRaySpace, space);
      if (!grip || !ray) continue;
      const input = this.hands[hand];
      input.tracked = true;
      toWorld(rig, grip.transform, input.gripPosition, input.gripRotation);
      toWorld(rig, ray.transform, input.rayOrigin, rotation);
      input.rayDirection.set(0, 0, -1).applyQuaternion(rotation);
      rig.writePart(1 + hand, input.gripPosition, input.gripRotation);
    }
    for (const hand of [0, 1] as const) {
      if (this.hands[hand].tracked) continue;
      position.copy(IDLE_HAND[hand]).applyQuaternion(headRotation).add(headPosition);
      rig.writePart(1 + hand, position, headRotation);
    }
    for (const source of sources) this.trigger(source);
    this.panel.update(this.context.panel());
  }

  /** What the test hook reports of the headset UI. */
  report(): { teleportAim: { visible: boolean; valid: boolean; target: number[] }; panelWorn: boolean } {
    return {
      teleportAim: { visible: this.arc.group.visible, valid: this.arc.valid, target: this.arc.target.toArray() },
      panelWorn: this.panel.mesh.parent !== null,
    };
  }

  /** Where on the panel the ready phrase is, in the world, for pointing at it. */
  phrasePosition(index: number): number[] | null {
    return this.panel.mesh.parent ? this.panel.phraseCentre(index).toArray() : null;
  }

  grabRefused(reason: string): void {
    this.context.hint(`The server refused the grab: ${describeGrabRefusal(reason)}`);
  }

  private move(source: XRInputSource, dtSeconds: number): void {
    const hand = handIndex(source);
    const pad = source.gamepad;
    if (hand === null || !pad) return;
    const { rig } = this.context;
    const x = pad.axes[2] ?? 0;
    const y = pad.axes[3] ?? 0;
    if (hand === 0) {
      if (Math.hypot(x, y) < 0.15) return;
      // Walk where the head faces, level with the floor.
      scratch.set(0, 0, -1).applyQuaternion(headRotation).setY(0);
      if (scratch.lengthSq() < 1e-6) return;
      scratch.normalize();
      const step = SMOOTH_SPEED * dtSeconds;
      rig.shift((scratch.x * -y - scratch.z * x) * step, (scratch.z * -y + scratch.x * x) * step);
      return;
    }
    if (Math.abs(x) > STICK_ENGAGE && this.snapArmed && !this.aiming) {
      this.snapArmed = false;
      this.snapTurn(x > 0 ? -SNAP_RADIANS : SNAP_RADIANS);
    } else if (Math.abs(x) < STICK_REARM) {
      this.snapArmed = true;
    }
    if (y < -STICK_ENGAGE) {
      this.aiming = true;
      const input = this.hands[1];
      this.arc.aim(input.rayOrigin, input.rayDirection, headPosition);
    } else if (this.aiming && y > -STICK_REARM) {
      this.aiming = false;
      if (this.arc.valid) this.teleportTo(this.arc.target);
      else this.context.hint("Can't teleport there: aim at the floor inside the room, within 8 m.");
      this.arc.hide();
    }
  }

  /** Turns the rig about the head, so the view turns in place. */
  private snapTurn(radians: number): void {
    const { rig } = this.context;
    const before = headPosition.clone();
    const local = rig.dolly.worldToLocal(before.clone());
    rig.turn(radians);
    const after = rig.dolly.localToWorld(local);
    rig.shift(before.x - after.x, before.z - after.z);
  }

  private teleportTo(target: Vector3): void {
    const { rig } = this.context;
    rig.shift(target.x - headPosition.x, target.z - headPosition.z);
    this.context.teleport(target.x, target.z);
  }

  private trigger(source: XRInputSource): void {
    const hand = handIndex(source);
    const pad = source.gamepad;
    if (hand === null || !pad) return;
    const input = this.hands[hand];
    const down = (pad.buttons[0]?.value ?? 0) > TRIGGER_PRESSED;
    if (down === input.triggerDown) return;
    input.triggerDown = down;
    if (down) this.grabWith(hand);
    else this.releaseFrom(hand);
  }

  private grabWith(hand: HandIndex): void {
    const { world, hint } = this.context;
    const input = this.hands[hand];
    raycaster.set(input.rayOrigin, input.rayDirection);
    raycaster.far = POINT_GRAB_DISTANCE;
    const onPanel = this.panel.mesh.parent ? raycaster.intersectObject(this.panel.mesh, false)[0] : undefined;
    const phrase = onPanel?.uv ? this.panel.phraseAt(onPanel.uv) : null;
    if (phrase) {
      this.context.say(phrase);
      return;
    }
    const pointed = world.pickProduct(raycaster);
    const sku = pointed?.grabbable ? pointed.sku : nearestGrabbable(world, input.gripPosition);
    if (!sku) {
      hint(
        pointed ? "That piece can't be picked up." : "Point at a product labelled “pick me up” and pull the trigger.",
      );
      return;
    }
    this.context.grab(sku, hand);
    this.grabsSent++;
  }

  private releaseFrom(hand: HandIndex): void {
    const { world, sessionId } = this.context;
    const self = sessionId();
    for (const product of world.view.products) {
      const holder = world.productHolder(product.sku);
      if (holder && self && holder.heldBy === self && holder.hand === hand) {
        this.context.release(hand);
        return;
      }
    }
  }
}

function handIndex(source: XRInputSource): HandIndex | null {
  return source.handedness === "left" ? 0 : source.handedness === "right" ? 1 : null;
}

/** A pose in the reference space, carried by the rig into the world. */
function toWorld(rig: LocalRig, transform: XRRigidTransform, outPosition: Vector3, outRotation: Quaternion): void {
  const p = transform.position;
  const o = transform.orientation;
  outPosition.set(p.x, p.y, p.z).applyMatrix4(rig.dolly.matrixWorld);
  outRotation.copy(rig.dolly.quaternion).multiply(orientation.set(o.x, o.y, o.z, o.w));
}

function untrackedHand(): HandInput {
  return {
    triggerDown: false,
    gripPosition: new Vector3(),
    gripRotation: new Quaternion(),
    rayOrigin: new Vector3(),
    rayDirection: new Vector3(0, 0, -1),
    tracked: false,
  };
}

function nearestGrabbable(world: WorldView, at: Vector3): string | null {
  let best: string | null = null;
  let bestDistance = TOUCH_GRAB_DISTANCE;
  for (const product of world.view.products) {
    if (!product.grabbable) continue;
    const t = world.productTransform(product.sku);
    if (!t) continue;
    const distance = Math.hypot(t[0]! - at.x, t[1]! - at.y, t[2]! - at.z);
    if (distance < bestDistance) {
      best = product.sku;
      bestDistance = distance;
    }
  }
  return best;
}
