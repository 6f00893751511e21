import type { Locale } from "./types";

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /\p{Script=Latin}+/gu;

/** The language of a question: Chinese when Han characters carry at least as much as the Latin words. */
export function detectLocale(text: string): Locale {
  const han = text.match(HAN)?.length ?? 0;
  if (han === 0) return "en";
  const latinWords = text.match(LATIN_WORD)?.length ?? 0;
  return han >= latinWords ? "zh" : "en";
}
