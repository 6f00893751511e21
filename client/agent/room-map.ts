import { Role } from "../../ecs/types";
import type { ShowroomView } from "../../schema/api";
import { unpackPose } from "../../schema/codec";
import type { ShowroomState } from "../../schema/state";
import { ROLE_COLORS } from "../world/role-colors";

const OTHER = "#6b7689";

/**
 * A top view of the showroom for the console: products as squares, people as dots with a nose
 * for where they face; agents in the agent colour, the customer ringed and named.
 */
export function drawRoomMap(
  canvas: HTMLCanvasElement,
  view: ShowroomView,
  state: ShowroomState | null,
  me: string | null,
  customer: { sessionId: string; name: string } | null,
): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const { minX, maxX, minZ, maxZ } = view.bounds;
  const scale = Math.min(canvas.width / (maxX - minX), canvas.height / (maxZ - minZ));
  const px = (x: number) => (x - minX) * scale;
  const pz = (z: number) => (z - minZ) * scale;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#2b3445";
  ctx.strokeRect(0.5, 0.5, (maxX - minX) * scale - 1, (maxZ - minZ) * scale - 1);
  ctx.fillStyle = "#2a3342";
  for (const product of view.products) ctx.fillRect(px(product.position[0]) - 5, pz(product.position[2]) - 5, 10, 10);
  if (!state) return;
  const pose: [number, number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0, 1];
  state.avatars.forEach((avatar, sessionId) => {
    unpackPose(avatar.hxz, avatar.hy, avatar.hq, pose);
    const [x, , z, qx, qy, qz, qw] = pose;
    const forwardX = -2 * (qx * qz + qw * qy);
    const forwardZ = -(1 - 2 * (qx * qx + qy * qy));
    const isMe = sessionId === me;
    const isCustomer = sessionId === customer?.sessionId;
    const colour =
      avatar.role === Role.Agent ? ROLE_COLORS[Role.Agent] : isCustomer ? ROLE_COLORS[Role.Customer] : OTHER;
    ctx.strokeStyle = colour;
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(px(x), pz(z));
    ctx.lineTo(px(x + forwardX * 0.9), pz(z + forwardZ * 0.9));
    ctx.stroke();
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(px(x), pz(z), isMe || isCustomer ? 8 : 5, 0, Math.PI * 2);
    ctx.fill();
    if (isMe || isCustomer) {
      ctx.fillStyle = "#eef1f6";
      ctx.font = "13px system-ui, sans-serif";
      ctx.fillText(isMe ? "You" : (customer?.name ?? avatar.name), px(x) + 11, pz(z) - 9);
    }
  });
}
