import { describe, expect, it } from "vitest";
import { DEFAULT_VOCABULARY, loadVocabulary, parseVocabulary, saveVocabulary } from "./vocabulary";

describe("vocabulary", () => {
  it("splits on lines, commas and semicolons, without duplicates", () => {
    expect(parseVocabulary("vase, Vase\n amphora ;; kylix\n\n")).toEqual(["vase", "amphora", "kylix"]);
  });
  it("is remembered per project", () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(loadVocabulary("p", storage)).toEqual(DEFAULT_VOCABULARY);
    saveVocabulary("p", ["krater", "lekythos"], storage);
    expect(loadVocabulary("p", storage)).toEqual(["krater", "lekythos"]);
    expect(loadVocabulary("q", storage)).toEqual(DEFAULT_VOCABULARY);
  });
});
