import { describe, expect, it } from "vitest";
import { detectLocale } from "../../../server/assistant/locale";

describe("the language of a question asked without a locale", () => {
  it("is English for an English question", () => {
    expect(detectLocale("how much is the Oslo sofa?")).toBe("en");
  });

  it("is Chinese for a Chinese question", () => {
    expect(detectLocale("奥斯陆沙发多少钱？")).toBe("zh");
  });

  it("is Chinese when Han characters outweigh a product name in Latin letters", () => {
    expect(detectLocale("Oslo 沙发多少钱")).toBe("zh");
  });

  it("is English when the Latin words outweigh a stray Han character", () => {
    expect(detectLocale("what does 沙 mean on the sofa label")).toBe("en");
  });

  it("is English for a question with no letters at all", () => {
    expect(detectLocale("???")).toBe("en");
  });
});
