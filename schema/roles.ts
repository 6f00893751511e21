import { Role as AvatarRole } from "../ecs/types";

/**
 * Who someone is to Atrium, as join tokens, staff accounts and support conversations name them.
 * (An avatar's role in the showroom state is a number: ecs's `Role`.)
 */

export const ROLES = ["customer", "agent", "manager"] as const;
export type Role = (typeof ROLES)[number];

/** The roles of staff accounts: agents serve customers, managers watch the figures. */
export const STAFF_ROLES = ["agent", "manager"] as const satisfies readonly Role[];
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The two sides of a support conversation. */
export type SupportParty = Extract<Role, "customer" | "agent">;

/** The avatar each who enters a showroom stands as there (managers watch from the console). */
export const AVATAR_ROLES = {
  customer: AvatarRole.Customer,
  agent: AvatarRole.Agent,
} as const satisfies Record<SupportParty, AvatarRole>;

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

export function isStaffRole(value: unknown): value is StaffRole {
  return (STAFF_ROLES as readonly unknown[]).includes(value);
}
