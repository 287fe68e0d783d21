import { describe, expect, it } from "vitest";
import type { TaskOut } from "../api/types";
import { formatDuration, secondsLeft, taskProgress, taskTitle } from "./taskText";

const task = (over: Partial<TaskOut>): TaskOut => ({
  id: 1, kind: "import", params: {}, status: "running", active: true, done: 0, total: 0, message: "",
  result: null, error: null, attempts: 1, created_at: "2026-01-01T00:00:00Z", started_at: "2026-01-01T00:00:00Z", finished_at: null,
  ...over,
});

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
