import { describe, expect, it } from "vitest";
import type { ModelOut, ProjectStatusOut, TaskOut } from "../api/types";
import { modelRows, vectorText } from "./modelRows";

const model = (name: string, available: boolean, extra: Partial<ModelOut> = {}): ModelOut => ({
  name,
  title: name.toUpperCase(),
  dim: 8,
  has_text: false,
  available,
  reason: available ? "" : "its weights are not on this machine",
  how_to_enable: available ? "" : "copy them",
  size: "",
  speed: "",
  location: "",
  is_default: name === "efficientnet-lite0",
  source: "bundled",
  looks_in: [],
  needs: [],
  ...extra,
});

const status = (model: string, sets: [string, number][]): ProjectStatusOut =>
  ({ images: 10, model, vector_sets: sets.map(([m, count]) => ({ model: m, version: "1", dim: 8, count })) }) as unknown as ProjectStatusOut;

describe("model rows", () => {
  const models = [model("efficientnet-lite0", true), model("clip-vit-b-32", false, { has_text: true }), model("mine", true, { source: "file" })];

  it("counts vectors and marks the project's model", () => {
    const rows = modelRows(models, status("mine", [["efficientnet-lite0", 10], ["mine", 4]]));
    expect(rows.map((r) => [r.name, r.vectors, r.current, r.canChoose, r.canCompute])).toEqual([
      ["efficientnet-lite0", 10, false, true, false],
      ["mine", 4, true, true, true],
      ["clip-vit-b-32", 0, false, false, false],
    ]);
    expect(rows[2]!.reason).toContain("not on this machine");
  });

  it("lists models with vectors first, then those that run here", () => {
    const rows = modelRows(models, status("efficientnet-lite0", [["efficientnet-lite0", 10]]));
    expect(rows.map((r) => r.name)).toEqual(["efficientnet-lite0", "mine", "clip-vit-b-32"]);
  });

  it("keeps models with vectors that are not installed any more, choosable", () => {
    const rows = modelRows(models, status("gone", [["gone", 3]]));
    const gone = rows.find((r) => r.name === "gone")!;
    expect([gone.current, gone.canChoose, gone.available, gone.canCompute]).toEqual([true, true, false, false]);
  });

  it("shows the vectors task of a model", () => {
    const task = { id: 1, kind: "vectors", active: true, params: { model: "mine" } } as unknown as TaskOut;
    const rows = modelRows(models, status("mine", []), [task]);
    expect(rows.find((r) => r.name === "mine")!.task).toBe(task);
    expect(rows.find((r) => r.name === "efficientnet-lite0")!.task).toBeUndefined();
  });

  it("says how many images have vectors", () => {
    const rows = modelRows(models, status("x", [["efficientnet-lite0", 10], ["mine", 1234]]));
    const named = (name: string) => rows.find((r) => r.name === name)!;
    expect(vectorText(named("efficientnet-lite0"))).toBe("All 10 images have its vectors");
    expect(vectorText(named("clip-vit-b-32"))).toBe("No vectors in this project yet");
    expect(vectorText({ ...named("mine"), images: 2000 })).toBe("1,234 of 2,000 images have its vectors");
  });
});
