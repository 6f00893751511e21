/**
 * Keyboard, mouse and gamepad on a desktop. Click the view to look around (pointer lock),
 * WASD or arrows to walk, a gamepad's left stick to walk and right stick to look. A click while
 * looking is the primary action (grab or put down); dragging with the right button held turns
 * the product in hand. The keyboard works without pointer lock, but never while typing in a field.
 */

export interface DesktopIntent {
  /** Metres per second wanted, relative to the heading. */
  forward: number;
  right: number;
  /** Radians to turn and tilt the view this frame. */
  yaw: number;
  pitch: number;
  /** Radians to turn the held product this frame (about the view's up and right axes). */
  spinYaw: number;
  spinPitch: number;
}

export interface DesktopActions {
  /** Left click while looking, or gamepad A. */
  primary(): void;
  /** Escape-free way to let go: gamepad B. */
  secondary(): void;
}

export const WALK_SPEED = 2.2;
const MOUSE_RADIANS_PER_PIXEL = 0.0025;
const STICK_TURN_RADIANS_PER_SECOND = 2.4;
const STICK_DEADZONE = 0.15;

const MOVE_KEYS: Record<string, [number, number]> = {
  KeyW: [1, 0],
  ArrowUp: [1, 0],
  KeyS: [-1, 0],
  ArrowDown: [-1, 0],
  KeyA: [0, -1],
  ArrowLeft: [0, -1],
  KeyD: [0, 1],
  ArrowRight: [0, 1],
};

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)
  );
}

export class DesktopControls {
  private readonly held = new Set<string>();
  private lookX = 0;
  private lookY = 0;
  private spinX = 0;
  private spinY = 0;
  private spinning = false;
  private lockRefused = typeof HTMLElement.prototype.requestPointerLock !== "function";
  private readonly gamepadPressed = new Set<string>();
  private readonly detach: Array<() => void> = [];
  enabled = true;

  constructor(
    private readonly surface: HTMLElement,
    private readonly actions: DesktopActions,
  ) {
    const on = <K extends keyof DocumentEventMap>(
      target: Document | HTMLElement,
      type: K,
      listener: (event: DocumentEventMap[K]) => void,
    ): void => {
      target.addEventListener(type, listener as EventListener);
      this.detach.push(() => target.removeEventListener(type, listener as EventListener));
    };
    on(document, "keydown", (event) => {
      if (!this.enabled || isTyping(event.target) || !(event.code in MOVE_KEYS)) return;
      this.held.add(event.code);
      event.preventDefault();
    });
    on(document, "keyup", (event) => this.held.delete(event.code));
    on(surface, "mousedown", (event) => {
      if (!this.enabled) return;
      if (event.button === 2) {
        this.spinning = true;
        return;
      }
      if (event.button !== 0) return;
      if (document.pointerLockElement !== surface && !this.lockRefused) {
        this.requestLock();
        return;
      }
      this.actions.primary();
    });
    on(document, "mouseup", (event) => {
      if (event.button === 2) this.spinning = false;
    });
    on(surface, "contextmenu", (event) => event.preventDefault());
    on(document, "mousemove", (event) => {
      // Without the lock (refused by the browser), looking works by dragging with a button held.
      const looking =
        document.pointerLockElement === surface ||
        (this.lockRefused && event.buttons !== 0 && event.target === surface);
      if (!this.enabled || !looking) return;
      if (this.spinning) {
        this.spinX += event.movementX;
        this.spinY += event.movementY;
      } else {
        this.lookX += event.movementX;
        this.lookY += event.movementY;
      }
    });
    window.addEventListener("blur", this.releaseKeys);
    this.detach.push(() => window.removeEventListener("blur", this.releaseKeys));
  }

  get pointerLocked(): boolean {
    return document.pointerLockElement === this.surface;
  }

  /** Reads and clears what happened since the last frame. */
  read(dtSeconds: number): DesktopIntent {
    let forward = 0;
    let right = 0;
    for (const code of this.held) {
      const move = MOVE_KEYS[code];
      if (!move) continue;
      const [f, r] = move;
      forward += f;
      right += r;
    }
    let yaw = -this.lookX * MOUSE_RADIANS_PER_PIXEL;
    let pitch = -this.lookY * MOUSE_RADIANS_PER_PIXEL;
    const spinYaw = this.spinX * MOUSE_RADIANS_PER_PIXEL * 2;
    const spinPitch = this.spinY * MOUSE_RADIANS_PER_PIXEL * 2;
    this.lookX = this.lookY = this.spinX = this.spinY = 0;

    const pad = this.enabled ? firstGamepad() : null;
    if (pad) {
      const axis = (i: number): number => (Math.abs(pad.axes[i] ?? 0) > STICK_DEADZONE ? (pad.axes[i] ?? 0) : 0);
      forward -= axis(1);
      right += axis(0);
      yaw -= axis(2) * STICK_TURN_RADIANS_PER_SECOND * dtSeconds;
      pitch -= axis(3) * STICK_TURN_RADIANS_PER_SECOND * dtSeconds * 0.6;
      this.pressOnce(pad, 0, "a", () => this.actions.primary());
      this.pressOnce(pad, 1, "b", () => this.actions.secondary());
    }
    const length = Math.hypot(forward, right);
    const scale = length > 1 ? WALK_SPEED / length : WALK_SPEED;
    return { forward: forward * scale, right: right * scale, yaw, pitch, spinYaw, spinPitch };
  }

  dispose(): void {
    for (const undo of this.detach) undo();
  }

  private readonly releaseKeys = (): void => this.held.clear();

  private requestLock(): void {
    try {
      const request = this.surface.requestPointerLock() as unknown;
      if (request instanceof Promise) request.catch(() => (this.lockRefused = true));
    } catch {
      this.lockRefused = true;
    }
  }

  private pressOnce(pad: Gamepad, index: number, key: string, action: () => void): void {
    const pressed = pad.buttons[index]?.pressed ?? false;
    if (pressed && !this.gamepadPressed.has(key)) action();
    if (pressed) this.gamepadPressed.add(key);
    else this.gamepadPressed.delete(key);
  }
}

function firstGamepad(): Gamepad | null {
  if (typeof navigator.getGamepads !== "function") return null;
  for (const pad of navigator.getGamepads()) if (pad?.connected && pad.mapping === "standard") return pad;
  return null;
}
