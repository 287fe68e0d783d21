import { afterEach, describe, expect, it } from "vitest";
import { switchLocale } from "../i18n";
import type { TaskOut } from "../api/types";
import { formatDuration, secondsLeft, taskProgress, taskTitle } from "./taskText";

const task = (over: Partial<TaskOut>): TaskOut => ({
  id: 1, kind: "import", params: {}, status: "running", active: true, done: 0, total: 0, message: "", message_code: null, message_params: {},
  result: null, error: null, attempts: 1, created_at: "2026-01-01T00:00:00Z", started_at: "2026-01-01T00:00:00Z", finished_at: null,
  ...over,
});

afterEach(() => switchLocale("en"));

describe("task words", () => {
  it("names kinds", () => {
    expect(taskTitle(task({ kind: "vectors" }))).toBe("Vectors");
    expect(taskTitle(task({ kind: "weird" }))).toBe("Weird");
  });
  it("describes progress", () => {
    expect(taskProgress(task({ done: 1500, total: 3000, message: "importing x" }))).toBe("1,500 / 3,000 · importing x");
    expect(taskProgress(task({ status: "queued" }))).toBe("waiting");
    expect(taskProgress(task({ status: "failed", error: "The model is missing." }))).toBe("The model is missing.");
  });
  it("says the server's message in the current language, or as it came for an unknown one", () => {
    const importing = task({ done: 3, total: 5050, message: "importing photos", message_code: "task.importing", message_params: { folder: "photos" } });
    const clustering = task({ message: "Clustering 1,234 images", message_code: "task.clustering", message_params: { count: 1234 } });
    expect(taskProgress(importing)).toBe("3 / 5,050 · importing photos");
    switchLocale("fr");
    expect(taskProgress(importing)).toBe("3 sur 5\u202f050 · import du dossier photos");
    expect(taskProgress(clustering)).toBe("Regroupement de 1\u202f234 images");
    expect(taskProgress(task({ message: "Polishing", message_code: "task.polish", message_params: {} }))).toBe("Polishing");
    expect(taskProgress(task({ message: "Clustering x images", message_code: "task.clustering", message_params: { count: "x" } }))).toBe(
      "Clustering x images",
    );
  });
  it("estimates the time left from the pace so far", () => {
    const now = Date.parse("2026-01-01T00:00:10Z");
    expect(secondsLeft(task({ done: 100, total: 300 }), now)).toBeCloseTo(20);
    expect(secondsLeft(task({ done: 0, total: 300 }), now)).toBeNull();
    expect(secondsLeft(task({ done: 300, total: 300 }), now)).toBeNull();
  });
  it("formats durations", () => {
    expect(formatDuration(0.2)).toBe("1 s");
    expect(formatDuration(125)).toBe("2 min");
    expect(formatDuration(3700)).toBe("1 h 2 min");
  });
});
