import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultDataDir } from "./data";
import type { ShippingPolicy } from "./types";

export const defaultShippingPolicyPath = (): string => join(defaultDataDir(), "shipping.json");

/** The shipping terms the assistant quotes, read and checked once from a JSON file. */
export function loadShippingPolicy(path: string = defaultShippingPolicyPath()): ShippingPolicy {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Partial<ShippingPolicy>;
  const amount = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
  const valid =
    typeof raw.currency === "string" &&
    /^[A-Z]{3}$/.test(raw.currency) &&
    amount(raw.flatFee) &&
    amount(raw.freeOver) &&
    amount(raw.deliveryDays?.min) &&
    amount(raw.deliveryDays?.max) &&
    (raw.expressFee === null || amount(raw.expressFee)) &&
    amount(raw.returnDays) &&
    typeof raw.regions?.en === "string" &&
    typeof raw.regions?.zh === "string";
  if (!valid) {
    throw new Error(
      `${path}: expected { currency: "USD", flatFee, freeOver, deliveryDays: { min, max }, expressFee (or null), returnDays, regions: { en, zh } }`,
    );
  }
  return raw as ShippingPolicy;
}
