/**
 * The catalogues agree: the same keys with the same parameters and markup in English and French,
 * every key used by the code, French written with French typography, nothing left in English.
 */
import { describe, expect, it } from "vitest";

type Variant = { declarations?: string[]; selectors?: string[]; match: Record<string, string> };
type Catalogue = Record<string, string | Variant[]>;

const files = import.meta.glob("../../messages/*.json", { eager: true, import: "default" }) as Record<string, Catalogue>;
const catalogue = (locale: string): Catalogue => {
  const found = files[`../../messages/${locale}.json`];
  if (!found) throw new Error(`messages/${locale}.json is missing`);
  const { $schema: _schema, ...messages } = found as Catalogue & { $schema?: string };
  return messages;
};
const en = catalogue("en");
const fr = catalogue("fr");

const sources = import.meta.glob(["../**/*.ts", "../**/*.svelte", "!../**/*.test.ts", "!../paraglide/**"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

/** Keys whose French is rightly the same as the English (names, symbols, shared words). */
const SAME_IN_BOTH = new Set([
  "dup_group_score",
  "filter_chip_condition",
  "filter_chip_unary",
  "filter_condition",
  "grid_label_clusters",
  "grid_label_images",
  "image_cluster_default_name",
  "image_clusters",
  "metadata_description",
  "metadata_latitude",
  "metadata_longitude",
  "metadata_orientation",
  "image_fallback_name",
  "map_lasso",
  "run_clusters_count",
  "run_group_cluster", // « cluster » is the word French researchers use
  "runbar_grain",
  "images_count",
  "score_label",
  "topbar_tab_images",
]);

/** The patterns of a message: its text, or the text of each variant. */
function patterns(message: string | Variant[]): string[] {
  return typeof message === "string" ? [message] : message.flatMap((variant) => Object.values(variant.match));
}

function placeholders(pattern: string): string[] {
  return [...pattern.replace(/\\[{}\\]/g, "").matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((found) => found[1]!);
}

function markup(pattern: string): string[] {
  return [...pattern.matchAll(/\{[#/]([A-Za-z][\w-]*)\/?\}/g)].map((found) => found[1]!);
}

/** What a caller passes (the inputs) and the markup the caller renders, in a stable form. */
function signature(message: string | Variant[]): { inputs: string[]; markup: string[] } {
  const tags = [...new Set(patterns(message).flatMap(markup))].sort();
  if (typeof message === "string") return { inputs: [...new Set(placeholders(message))].sort(), markup: tags };
  const inputs = message.flatMap((v) => (v.declarations ?? []).filter((d) => d.startsWith("input ")).map((d) => d.slice(6).trim()));
  return { inputs: [...new Set(inputs)].sort(), markup: tags };
}

describe("the two catalogues", () => {
  it("hold the same keys", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(en).length).toBeGreaterThan(100);
  });

  it("give each message the same parameters and markup in both languages", () => {
    const differ = Object.keys(en).filter((key) => fr[key] !== undefined && JSON.stringify(signature(en[key]!)) !== JSON.stringify(signature(fr[key]!)));
    expect(differ.map((key) => `${key}: en ${JSON.stringify(signature(en[key]!))} fr ${JSON.stringify(signature(fr[key]!))}`)).toEqual([]);
  });

  it("use only declared values in variants, with a fallback for every selector", () => {
    const problems: string[] = [];
    for (const [locale, messages] of [["en", en], ["fr", fr]] as const) {
      for (const [key, message] of Object.entries(messages)) {
        if (typeof message === "string") continue;
        for (const variant of message) {
          const declared = new Set((variant.declarations ?? []).map((d) => d.replace(/^(input|local)\s+/, "").split(/\s|=/)[0]!));
          for (const selector of variant.selectors ?? []) if (!declared.has(selector)) problems.push(`${locale} ${key}: selector ${selector} is not declared`);
          for (const [when, pattern] of Object.entries(variant.match)) {
            for (const name of placeholders(pattern)) if (!declared.has(name)) problems.push(`${locale} ${key} [${when}]: {${name}} is not declared`);
          }
          const fallback = Object.keys(variant.match).some((when) => when.split(",").every((part) => part.trim().endsWith("=*")));
          if (!fallback) problems.push(`${locale} ${key}: no variant for every case (=*)`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("have every key used by the code, and no key the code does not use", () => {
    const code = Object.values(sources).join("\n");
    const unused = Object.keys(en).filter((key) => !new RegExp(`\\bm\\.${key}\\b`).test(code));
    expect(unused).toEqual([]);
  });

  it("leave no French message in English", () => {
    const same = Object.keys(en).filter((key) => JSON.stringify(en[key]) === JSON.stringify(fr[key]));
    expect(same.sort()).toEqual([...SAME_IN_BOTH].sort());
  });
});

describe("French typography", () => {
  const french = Object.entries(fr).flatMap(([key, message]) => patterns(message).map((pattern) => ({ key, pattern })));

  it("puts a narrow no-break space before ; : ! ? and inside « »", () => {
    const bad = french.filter(({ pattern }) =>
      /[^\u202f][;:!?](\s|$)/u.test(pattern.replace(/\{[^}]*\}/g, "")) || /«(?!\u202f)/.test(pattern) || /(?<!\u202f)»/.test(pattern),
    );
    expect(bad).toEqual([]);
  });

  it("uses typographic apostrophes, French quotes and the ellipsis character", () => {
    const bad = french.filter(({ pattern }) => /'|[“”"]|\.\.\./.test(pattern));
    expect(bad).toEqual([]);
  });

  it("keeps English typography in English", () => {
    const english = Object.entries(en).flatMap(([key, message]) => patterns(message).map((pattern) => ({ key, pattern })));
    expect(english.filter(({ pattern }) => /[\u202f«»’]/.test(pattern))).toEqual([]);
  });
});
