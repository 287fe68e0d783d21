/**
 * The language: chosen from the browser on a first visit, switched at any time (texts follow
 * without a reload), remembered, on <html lang>; numbers and plurals by each language's rules.
 */
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { currentLocale, formatBytes, formatDecimal, formatNumber, initialLocale, LOCALE_KEY, localeName, m, switchLocale } from "./index";

const NNBSP = "\u202f";

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

let storage: MemoryStorage;

beforeEach(() => {
  storage = new MemoryStorage();
  vi.stubGlobal("localStorage", storage);
});

afterEach(() => {
  switchLocale("en");
  vi.unstubAllGlobals();
});

describe("the first language", () => {
  it("follows the browser's preferred languages", () => {
    vi.stubGlobal("navigator", { languages: ["fr-CA", "en-US"] });
    expect(initialLocale()).toBe("fr");
    vi.stubGlobal("navigator", { languages: ["de-DE", "en-GB"] });
    expect(initialLocale()).toBe("en");
  });

  it("is English when the browser prefers a language we do not speak", () => {
    vi.stubGlobal("navigator", { languages: ["de-DE", "ja"] });
    expect(initialLocale()).toBe("en");
  });

  it("is the saved choice when there is one, whatever the browser prefers", () => {
    vi.stubGlobal("navigator", { languages: ["fr-FR"] });
    storage.setItem(LOCALE_KEY, "en");
    expect(initialLocale()).toBe("en");
    storage.setItem(LOCALE_KEY, "klingon");
    expect(initialLocale()).toBe("fr");
  });
});

describe("switchLocale", () => {
  it("remembers the choice and sets <html lang>", () => {
    const root = { lang: "en" };
    vi.stubGlobal("document", { documentElement: root });
    switchLocale("fr");
    expect(currentLocale()).toBe("fr");
    expect(storage.getItem(LOCALE_KEY)).toBe("fr");
    expect(root.lang).toBe("fr");
    expect(initialLocale()).toBe("fr");
  });

  it("re-renders what showed a message, without a reload", () => {
    const seen: string[] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(m.grid_no_match_title());
      });
    });
    flushSync();
    switchLocale("fr");
    flushSync();
    switchLocale("en");
    flushSync();
    stop();
    expect(seen).toEqual(["No image matches this view", "Aucune image ne correspond à cette vue", "No image matches this view"]);
  });

  it("names each language in that language", () => {
    expect(localeName("en")).toBe("English");
    expect(localeName("fr")).toBe("Français");
  });
});

describe("numbers and plurals", () => {
  it("group thousands and write decimals as each language does", () => {
    expect(formatNumber(5050)).toBe("5,050");
    expect(formatDecimal(0.8712, 2)).toBe("0.87");
    switchLocale("fr");
    expect(formatNumber(5050)).toBe(`5${NNBSP}050`);
    expect(formatDecimal(0.8712, 2)).toBe("0,87");
  });

  it("write sizes with the language's units", () => {
    expect(formatBytes(1_234_567)).toBe("1.2 MB");
    expect(formatBytes(830)).toBe("830 byte");
    switchLocale("fr");
    expect(formatBytes(1_234_567)).toBe(`1,2${NNBSP}Mo`);
    expect(formatBytes(2_500_000_000)).toBe(`2,5${NNBSP}Go`);
  });

  it("choose the plural by each language's rules", () => {
    expect([0, 1, 2, 5050].map((count) => m.images_count({ count }))).toEqual(["0 images", "1 image", "2 images", "5,050 images"]);
    switchLocale("fr");
    expect([0, 1, 2, 5050].map((count) => m.images_count({ count }))).toEqual(["0 image", "1 image", "2 images", `5${NNBSP}050 images`]);
    expect(m.selection_count({ count: 1 })).toBe("1 sélectionnée");
    expect(m.selection_count({ count: 12 })).toBe("12 sélectionnées");
    expect(m.tags_deleted({ count: 1 })).toBe("1 étiquette supprimée.");
  });
});
