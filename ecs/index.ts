export { Hand, Role, defaultSimConfig } from "./types";
export { POSE_STRIDE, TRANSFORM_STRIDE } from "./components";
export type {
  GrabRefusedReason,
  PoseArray,
  ShowroomBounds,
  SimConfig,
  SimEvent,
  TeleportRefusedReason,
  Vec3,
} from "./types";
export { createShowroomWorld, drainEvents, DEFAULT_CAPACITY } from "./world";
export type { ShowroomWorld } from "./world";
export { stepWorld, pipeline } from "./pipeline";
export {
  addAvatar,
  addProduct,
  avatarRole,
  productHolder,
  readAvatarPose,
  readProductTransform,
  removeAvatar,
  setAvatarAway,
} from "./entities";
export { queueGrab, queuePose, queueRelease, queueTeleport } from "./inputs";
export { endAllDwells } from "./dwell-episodes";
export { takeDirty } from "./dirty";
export { HEAD_HEIGHT, standingPose, yawOf } from "./standing-pose";
