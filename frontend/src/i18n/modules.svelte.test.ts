/**
 * The texts the modules converted in phase 2 make (cluster parameters, run summaries, task
 * progress, duplicate hints, reasons), in French after a switch: numbers, plurals and words
 * follow the language.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TaskOut } from "../api/types";
import { FACTORY, problems, summary } from "../clusters/params";
import { describeRun } from "../clusters/runTree";
import { crowdedHint } from "../duplicates/crowded";
import { proposeKeepWithReason } from "../duplicates/keepOne";
import { taskProgress, taskState, taskTitle } from "../tasks/taskText";
import { levelName } from "../view/groupLevels";
import { switchLocale } from "./index";
import { propertyName } from "./propertyNames";

const NNBSP = "\u202f";

const task = (over: Partial<TaskOut>): TaskOut => ({
  id: 1, kind: "import", params: {}, status: "running", active: true, done: 0, total: 0, message: "", message_code: null, message_params: {},
  result: null, error: null, attempts: 1, created_at: "2026-01-01T00:00:00Z", started_at: "2026-01-01T00:00:00Z", finished_at: null,
  ...over,
});

beforeEach(() => {
  vi.stubGlobal("localStorage", { getItem: () => null, setItem: () => undefined });
  switchLocale("fr");
});

afterEach(() => {
  switchLocale("en");
  vi.unstubAllGlobals();
});

describe("in French", () => {
  it("describes clustering parameters and their problems", () => {
    expect(summary({ ...FACTORY, algorithm: "kmeans", k: 3 })).toBe("k-moyennes, 3 clusters");
    expect(summary({ ...FACTORY, algorithm: "kmeans", k: 1 })).toBe("k-moyennes, 1 cluster");
    expect(summary({ ...FACTORY, algorithm: "duplicates", threshold: 0.85 })).toBe("quasi-doublons ≥ 0,85");
    expect(problems({ ...FACTORY, algorithm: "kmeans", k: 0 })).toEqual([
      `Indiquez -1 pour choisir le nombre automatiquement, ou un nombre de 1 à 1${NNBSP}000.`,
    ]);
  });

  it("summarises a run, and back in English after a switch", () => {
    const run = { id: 1, algorithm: "auto", params: {}, n_images: 5050, groups: [{ id: 1, rank: 0, kind: "cluster", name: "a", number: "1", score: 1, size: 5050, child_run_ids: [] }] };
    expect(describeRun(run)).toBe(`automatique · 1 cluster · 5${NNBSP}050 images`);
    switchLocale("en");
    expect(describeRun(run)).toBe("automatic · 1 cluster · 5,050 images");
  });

  it("names tasks, their states and their progress", () => {
    expect(taskTitle(task({ kind: "vectors" }))).toBe("Vecteurs");
    expect(taskTitle(task({ kind: "weird" }))).toBe("Weird");
    expect(taskState(task({ status: "cancelled" }))).toBe("annulée");
    expect(taskProgress(task({ status: "queued" }))).toBe("en attente");
    expect(taskProgress(task({ done: 1500, total: 3000, message: "x" }))).toBe(`1${NNBSP}500 sur 3${NNBSP}000 · x`);
  });

  it("explains the duplicates view's hint and proposed copy", () => {
    expect(crowdedHint(720, 1000, 0.7)).toMatch(new RegExp(`^72${NNBSP}% des images tombent dans des groupes`));
    expect(crowdedHint(720, 1000, 0.7)).toContain("score de doublon de 0,9");
    const proposal = proposeKeepWithReason([{ id: 1, width: 10, height: 10, created_at: "a" }, { id: 2, width: 20, height: 10, created_at: "b" }]);
    expect(proposal?.reason).toBe("Image la plus grande (20×10).");
  });

  it("names the properties read from the files in French, and the user's own as given", () => {
    expect(propertyName({ name: "Width", metadata: "width" })).toBe("Largeur");
    expect(propertyName({ name: "Style", metadata: null })).toBe("Style");
    expect(propertyName({ name: "Future field", metadata: "unknown_key" })).toBe("Future field");
    const taken = { id: 7, name: "Date taken", type: "date", mode: "image", metadata: "taken", read_only: true, tags: [] };
    expect(levelName("7:year", () => taken)).toBe(levelName("7:year", () => ({ ...taken, name: "Date de prise de vue" })));
  });
});
