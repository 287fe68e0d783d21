/**
 * No user-visible text is written in the components or modules: it comes from the catalogues.
 * The folders listed in NOT_CONVERTED_YET are phase 2 of the translation (issue #14); each
 * entry goes when its folder is converted, and the test says when one can go.
 */
import { describe, expect, it } from "vitest";
import { findLiterals, type Finding } from "./literals";

/** Folders of src/ still written in English, converted in phase 2 (docs/i18n.md). */
const NOT_CONVERTED_YET = ["clusters/", "duplicates/", "map/", "project/", "search/", "tasks/"];

const sources = Object.fromEntries(
  Object.entries(
    import.meta.glob(["../**/*.ts", "../**/*.svelte", "!../**/*.test.ts", "!../**/*.d.ts", "!../paraglide/**"], {
      query: "?raw",
      import: "default",
      eager: true,
    }) as Record<string, string>,
  ).map(([path, source]) => [path.replace(/^\.\.\//, "").replace(/^\.\//, "i18n/"), source]),
);

const shown = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line} ${f.why}: ${f.text}`);
const texts = (source: string, file = "x.svelte") => findLiterals(source, file).map((f) => f.text);

describe("the code outside the catalogues", () => {
  it("holds no user-visible text, outside the folders not converted yet", () => {
    const files = Object.keys(sources).filter((file) => !NOT_CONVERTED_YET.some((folder) => file.startsWith(folder)));
    expect(files.length).toBeGreaterThan(40);
    expect(shown(files.flatMap((file) => findLiterals(sources[file]!, file)))).toEqual([]);
  }, 60_000); // parses every source file: seconds on a busy machine

  it("lists only folders that exist and still hold text (empty the list as phase 2 goes)", () => {
    for (const folder of NOT_CONVERTED_YET) {
      const files = Object.keys(sources).filter((file) => file.startsWith(folder));
      expect(files, `${folder} has no source file: remove it from the list`).not.toEqual([]);
      const found = files.flatMap((file) => findLiterals(sources[file]!, file));
      expect(found.length, `${folder} holds no literal any more: remove it from NOT_CONVERTED_YET`).toBeGreaterThan(0);
    }
  });
});

describe("findLiterals", () => {
  it("finds a literal put into a converted component on purpose", () => {
    const original = sources["grid/SelectionBar.svelte"]!;
    expect(findLiterals(original, "grid/SelectionBar.svelte")).toEqual([]);
    const broken = original.replace("{m.selection_clear()}", "Clear selection");
    expect(broken).not.toBe(original);
    const found = findLiterals(broken, "grid/SelectionBar.svelte");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ text: "Clear selection", why: "text in the markup" });
    expect(broken.split("\n")[found[0]!.line - 1]).toContain("Clear selection");
  });

  it("finds text in the markup, but not symbols", () => {
    expect(texts("<p>Saved</p><button>✕</button><span>{a} · {b}</span><i>▾ 12 ×</i>")).toEqual(["Saved"]);
  });

  it("finds user-facing attributes and props, as text or shown strings", () => {
    const source = `<button aria-label="Close" title={busy ? "Wait…" : label} class="ghost icon" data-testid="close-button">x</button>
      <img alt="Image {id}" src="a.png" /><input placeholder="Name" type="text" />
      <Modal title="Merge {n} tags" testid="merge" /><Thumb scoreTitle="Similarity" label={m.x()} />`;
    expect(texts(source)).toEqual(["Close", "Wait…", "x", "Image", "Name", "Merge", "tags", "Similarity"]);
  });

  it("finds strings the markup shows through ?: || and template literals", () => {
    const source = "<p>{loading ? \"Loading…\" : done ? \"No more\" : m.more()}</p><p>{name || \"untitled\"}</p><p>{`${n} images`}</p>";
    expect(texts(source)).toEqual(["Loading…", "No more", "untitled", "images"]);
  });

  it("finds texts in code: sentences, labels and toasts", () => {
    const source = `
      notify("Saved");
      const a = { label: "Undo", run };
      problem = "Choose a tag.";
      throw new Error("Name the new property.");
      const b = \`\${count} images added to \${group}.\`;
      const c = busy ? "Loading…" : null;`;
    expect(texts(source, "x.ts")).toEqual(["Saved", "Undo", "Choose a tag.", "Name the new property.", "images added to .", "Loading…"]);
  });

  it("leaves code alone: keys, comparisons, identifiers, CSS, imports, types and marked lines", () => {
    const source = `
      import { m } from "../i18n";
      type Kind = "Tag group" | "other";
      if (property.type === "Multi tags") go("ArrowLeft");
      switch (kind) { case "Some case": break; }
      const colours = { background: "hsl(220 10% 92%)", key: \`corpuscope.view.\${id}\` };
      const first = box.querySelector("input:not([type=radio]), select, textarea");
      throw new Error("index.html has no #app element");
      console.warn("Unexpected state here."); // i18n-ignore: a developer's message
      localStorage.setItem("corpuscope.locale", next);`;
    expect(texts(source, "x.ts")).toEqual([]);
    const markup = `<div class="a b" role="dialog" style:width="{w}px" class:active={on} data-testid="Some id">{m.x()}</div>
      <select aria-label={m.y()} onchange={() => notify(m.z())}><option value="multi_tags">{m.t()}</option></select>`;
    expect(texts(markup)).toEqual([]);
  });

  it("keeps positions right in a module that mentions a closing script tag", () => {
    const source = 'const tag = "</script>";\nconst note = "Nothing to undo.";\n';
    expect(findLiterals(source, "x.ts")).toMatchObject([{ line: 2, text: "Nothing to undo." }]);
  });
});
