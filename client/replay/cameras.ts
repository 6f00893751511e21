import { Euler, OrthographicCamera, PerspectiveCamera, Quaternion, Vector3 } from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import type { Bounds } from "../../schema/api";

/**
 * The ways to watch a replay: a free orbit around the room, the room from above, or following
 * one person, through their eyes or over their shoulder.
 */

export type CameraMode = "orbit" | "plan" | "eyes" | "shoulder";

const SHOULDER_BACK = 2.2;
const SHOULDER_UP = 0.7;
const PLAN_MARGIN = 1;

const forward = new Vector3();
const quaternion = new Quaternion();
const euler = new Euler(0, 0, 0, "YXZ");

export class ReplayCameras {
  mode: CameraMode = "orbit";
  readonly perspective = new PerspectiveCamera(60, 1, 0.05, 200);
  readonly plan: OrthographicCamera;
  readonly orbit: OrbitControls;
  private aspect = 1;

  constructor(
    private readonly bounds: Bounds,
    canvas: HTMLCanvasElement,
  ) {
    const cx = (bounds.minX + bounds.maxX) / 2;
    const cz = (bounds.minZ + bounds.maxZ) / 2;
    this.perspective.position.set(cx, bounds.height * 1.6, bounds.maxZ + 4);
    this.orbit = new OrbitControls(this.perspective, canvas);
    this.orbit.target.set(cx, 1, cz);
    this.orbit.update();
    this.plan = new OrthographicCamera(-1, 1, 1, -1, 0.1, 100);
    this.plan.position.set(cx, bounds.height + 20, cz);
    this.plan.up.set(0, 0, -1);
    this.plan.lookAt(cx, 0, cz);
    this.fitPlan();
  }

  get active(): PerspectiveCamera | OrthographicCamera {
    return this.mode === "plan" ? this.plan : this.perspective;
  }

  setMode(mode: CameraMode): void {
    if (mode === "orbit" && this.mode !== "orbit") {
      // Back to orbiting from wherever the camera was following.
      const cx = (this.bounds.minX + this.bounds.maxX) / 2;
      const cz = (this.bounds.minZ + this.bounds.maxZ) / 2;
      this.perspective.position.set(cx, this.bounds.height * 1.6, this.bounds.maxZ + 4);
      this.orbit.target.set(cx, 1, cz);
    }
    this.mode = mode;
    this.orbit.enabled = mode === "orbit";
    this.perspective.near = mode === "eyes" ? 0.2 : 0.05;
    this.perspective.updateProjectionMatrix();
  }

  resize(width: number, height: number): void {
    this.aspect = width / Math.max(1, height);
    this.perspective.aspect = this.aspect;
    this.perspective.updateProjectionMatrix();
    this.fitPlan();
  }

  /** Places the camera for this frame; head is the followed avatar's drawn pose, or null. */
  update(head: ArrayLike<number> | null): void {
    if (this.mode === "orbit") {
      this.orbit.update();
      return;
    }
    if (this.mode === "plan" || !head) return;
    quaternion.set(head[3]!, head[4]!, head[5]!, head[6]!);
    if (this.mode === "eyes") {
      this.perspective.position.set(head[0]!, head[1]!, head[2]!);
      this.perspective.quaternion.copy(quaternion);
      return;
    }
    // Over the shoulder: behind the head along its heading, level, looking where it looks.
    euler.setFromQuaternion(quaternion);
    forward.set(-Math.sin(euler.y), 0, -Math.cos(euler.y));
    this.perspective.position.set(
      head[0]! - forward.x * SHOULDER_BACK,
      head[1]! + SHOULDER_UP,
      head[2]! - forward.z * SHOULDER_BACK,
    );
    this.perspective.lookAt(head[0]! + forward.x * 2, head[1]! - 0.3, head[2]! + forward.z * 2);
  }

  private fitPlan(): void {
    const width = this.bounds.maxX - this.bounds.minX + 2 * PLAN_MARGIN;
    const depth = this.bounds.maxZ - this.bounds.minZ + 2 * PLAN_MARGIN;
    const halfHeight = Math.max(depth, width / this.aspect) / 2;
    this.plan.left = -halfHeight * this.aspect;
    this.plan.right = halfHeight * this.aspect;
    this.plan.top = halfHeight;
    this.plan.bottom = -halfHeight;
    this.plan.updateProjectionMatrix();
  }
}
