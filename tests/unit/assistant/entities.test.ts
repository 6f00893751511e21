import { describe, expect, it } from "vitest";
import { assistantCatalogFromFile } from "../../../server/assistant/catalog-file";
import { loadAssistantData } from "../../../server/assistant/data";
import { EntityMatcher, parseChineseNumber } from "../../../server/assistant/entities";
import { detectLocale } from "../../../server/assistant/locale";
import { nth } from "../../support/items";

const catalog = assistantCatalogFromFile();
const matcher = new EntityMatcher(catalog, loadAssistantData().lexicon);
const entities = (text: string) => matcher.extract(text).entities;

describe("product, category and quantity entities", () => {
  it("resolves product names and synonyms in both languages to SKUs", () => {
    expect(entities("how much is the Oslo Sofa?").products).toEqual(["SOFA-OSLO-3"]);
    expect(entities("is the oslo couch grey?").products).toEqual(["SOFA-OSLO-3"]);
    expect(entities("奥斯陆沙发有货吗").products).toEqual(["SOFA-OSLO-3"]);
    expect(entities("升降桌多少钱").products).toEqual(["DESK-ATLAS"]);
    expect(entities("do you have a sit-stand desk").products).toEqual(["DESK-ATLAS"]);
    expect(entities("compare the Halo lamp and the Echo speaker").products).toEqual(["LAMP-HALO", "SPK-ECHO-2"]);
    expect(entities("光环落地灯和回声智能音箱哪个便宜").products).toEqual(["LAMP-HALO", "SPK-ECHO-2"]);
  });

  it("accepts plurals and ignores a name inside a longer word", () => {
    expect(entities("20 Mika chairs please").products).toEqual(["CHAIR-MIKA"]);
    expect(entities("three Koi vases").products).toEqual(["VASE-KOI"]);
    expect(entities("the Halo lampshade").products).toEqual([]);
  });

  it("recognises category words, and a shared word names every category that uses it", () => {
    expect(entities("do you sell a sofa?").categories).toEqual(["sofa"]);
    expect(entities("这里有灯吗").categories).toEqual(["lamp"]);
    expect(entities("where is the chair").categories.sort()).toEqual(["armchair", "dining chair"]);
    expect(entities("the Halo Floor Lamp").categories).toEqual([]);
  });

  it("reads quantities as digits, English words and Chinese numerals, but not inside names or measurements", () => {
    expect(entities("quote for 20 Mika chairs and four Fjord tables").quantities).toEqual([20, 4]);
    expect(entities("twenty five Halo lamps").quantities).toEqual([25]);
    expect(entities("我要二十五个光环落地灯和两张峡湾餐桌").quantities).toEqual([25, 2]);
    expect(entities("10个视界55电视").quantities).toEqual([10]);
    expect(entities("is it 220 cm wide").quantities).toEqual([]);
    expect(entities("介绍一下这个").quantities).toEqual([]);
    expect(parseChineseNumber("十二")).toBe(12);
    expect(parseChineseNumber("一百")).toBe(100);
    expect(parseChineseNumber("三千零五")).toBe(3005);
    expect(parseChineseNumber("两万")).toBe(20000);
  });

  it("recognises a product added to the catalog once the matcher is rebuilt", () => {
    const extended = {
      ...catalog,
      products: [
        ...catalog.products,
        {
          ...nth(catalog.products, 0),
          sku: "POUF-MOSS",
          category: "pouf",
          name: { en: "Moss Pouf", zh: "苔藓坐墩" },
          synonyms: { en: ["footstool"], zh: ["脚凳"] },
        },
      ],
    };
    expect(entities("how much is the Moss Pouf").products).toEqual([]);
    const rebuilt = new EntityMatcher(extended, loadAssistantData().lexicon);
    expect(rebuilt.extract("how much is the Moss Pouf").entities.products).toEqual(["POUF-MOSS"]);
    expect(rebuilt.extract("脚凳有货吗").entities.products).toEqual(["POUF-MOSS"]);
  });

  it("takes Chinese script as Chinese and everything else as English", () => {
    expect(detectLocale("奥斯陆沙发多少钱")).toBe("zh");
    expect(detectLocale("how much is the Oslo sofa")).toBe("en");
    expect(detectLocale("Oslo沙发多少钱")).toBe("zh");
    expect(detectLocale("🛋️?")).toBe("en");
  });
});
