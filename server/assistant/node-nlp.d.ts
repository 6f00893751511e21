// node-nlp ships no types; this declares only the surface the assistant uses.
declare module "node-nlp" {
  export interface NlpManagerSettings {
    languages: string[];
    nlu?: { log?: boolean };
    autoSave?: boolean;
    autoLoad?: boolean;
    modelFileName?: string;
    forceNER?: boolean;
    calculateSentiment?: boolean;
    threshold?: number;
  }

  export interface NlpClassification {
    intent: string;
    score: number;
  }

  export interface NlpProcessResult {
    locale: string;
    utterance: string;
    intent: string;
    score: number;
    classifications?: NlpClassification[];
  }

  export class NlpManager {
    constructor(settings: NlpManagerSettings);
    /** The plugin container; used to reach language components such as "tokenizer-zh". */
    container: { get(name: string): unknown };
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<void>;
    process(locale: string, utterance: string): Promise<NlpProcessResult>;
    export(minified?: boolean): string;
    import(data: string): void;
  }
}
