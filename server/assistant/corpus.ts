import type { Corpus } from "./data";
import { productAliases } from "./entities";
import { INTENTS, type AssistantCatalog, type Intent, type Locale } from "./types";

export const PRODUCT_PLACEHOLDER = "%product%";
/** How many product names each placeholder utterance is trained with. */
const EXPANSIONS_PER_UTTERANCE = 3;

export interface TrainingDocument {
  utterance: string;
  intent: Intent;
}

/**
 * The corpus with every "%product%" replaced by catalog product names. Names are dealt out in
 * turn across the whole corpus, so each product appears about equally often in every intent and
 * product words carry no signal about the intent.
 */
export function trainingDocuments(corpus: Corpus, catalog: AssistantCatalog, locale: Locale): TrainingDocument[] {
  const names = productAliases(catalog, locale).map((a) => a.text);
  const documents: TrainingDocument[] = [];
  for (const intent of INTENTS) {
    let next = 0;
    for (const utterance of corpus[intent]) {
      if (!utterance.includes(PRODUCT_PLACEHOLDER) || names.length === 0) {
        documents.push({ utterance: utterance.replaceAll(PRODUCT_PLACEHOLDER, ""), intent });
        continue;
      }
      for (let i = 0; i < EXPANSIONS_PER_UTTERANCE; i += 1) {
        const expanded = utterance.replace(/%product%/g, () => {
          const name = names[next++ % names.length];
          if (name === undefined) throw new Error("no product name to put in the utterance");
          return name;
        });
        documents.push({ utterance: expanded, intent });
      }
    }
  }
  return documents;
}
