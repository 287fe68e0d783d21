/** Undo-history labels in the user's language: a known code with its params, else the English label. */
import { afterEach, describe, expect, it } from "vitest";
import { historyLabel, KNOWN_HISTORY_CODES } from "./historyLabels";
import { switchLocale } from "./index";

const NNBSP = "\u202f";
const merge = { label: "merge A, B into C", code: "history.merge_tags", params: { tags: "A, B", survivor: "C" } };

afterEach(() => switchLocale("en"));

describe("historyLabel", () => {
  it("says the change in the current language, with its params", () => {
    expect(historyLabel(merge)).toBe("merge A, B into C");
    switchLocale("fr");
    expect(historyLabel(merge)).toBe(`fusion de A, B dans «${NNBSP}C${NNBSP}»`);
    const saved = { label: "save clustering 3 as Familles", code: "history.save_clustering", params: { run: 3, name: "Familles" } };
    expect(historyLabel(saved)).toBe(`enregistrement du regroupement n° 3 comme «${NNBSP}Familles${NNBSP}»`);
  });

  it("makes the plural and the number of each language", () => {
    const set = (count: number) => ({ label: "x", code: "history.set_values", params: { property: "Style", count } });
    expect(historyLabel(set(1))).toBe("set Style on 1 image");
    expect(historyLabel(set(5050))).toBe("set Style on 5,050 images");
    switchLocale("fr");
    expect(historyLabel(set(0))).toBe(`valeur de «${NNBSP}Style${NNBSP}» sur 0 image`);
    expect(historyLabel(set(5050))).toBe(`valeur de «${NNBSP}Style${NNBSP}» sur 5${NNBSP}050 images`);
  });

  it("falls back to the English label for no code, an unknown code or a bad param", () => {
    switchLocale("fr");
    expect(historyLabel({ label: "change tag A (name, colour)", code: null, params: {} })).toBe("change tag A (name, colour)");
    expect(historyLabel({ ...merge, code: "history.polish" })).toBe(merge.label);
    expect(historyLabel({ ...merge, params: { tags: "A, B" } })).toBe(merge.label);
    expect(historyLabel({ label: "set Style on 5 images", code: "history.set_values", params: { property: "Style", count: "5" } })).toBe(
      "set Style on 5 images",
    );
  });

  it("knows each code once", () => {
    expect(new Set(KNOWN_HISTORY_CODES).size).toBe(KNOWN_HISTORY_CODES.length);
    expect(KNOWN_HISTORY_CODES.length).toBeGreaterThanOrEqual(18);
  });
});
