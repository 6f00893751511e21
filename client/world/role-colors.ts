import { Role } from "../../ecs/types";

/**
 * The colour of each role, indexed by its ecs Role code, wherever people are drawn: avatars,
 * name tags, chat names in the headset, the agent console's room map.
 */
export const ROLE_COLORS = ["#4f8df5", "#f08a24", "#22b573"] as const satisfies Record<Role, string>;

/** A role code as the showroom state carries it (any number); an unknown code counts as a customer. */
export function knownRole(code: number): Role {
  return code === Role.Agent || code === Role.Assistant ? code : Role.Customer;
}

export function roleColor(code: number): string {
  return ROLE_COLORS[knownRole(code)];
}
