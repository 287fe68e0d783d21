/** Words for tasks: their kind, their progress, their state. */

import type { TaskOut } from "../api/types";

const KINDS: Record<string, string> = {
  import: "Import",
  vectors: "Vectors",
  map: "Map",
  projection: "Map",
  duplicates: "Duplicates",
  cluster: "Clustering",
  clustering: "Clustering",
};

export function taskTitle(task: TaskOut): string {
  return KINDS[task.kind] ?? task.kind.charAt(0).toUpperCase() + task.kind.slice(1);
}

export function taskProgress(task: TaskOut): string {
  if (task.status === "queued") return "waiting";
  if (task.status === "failed") return task.error ?? "failed";
  if (task.status === "cancelled") return "cancelled";
  if (task.status === "done") return "done";
  const count = task.total > 0 ? `${task.done.toLocaleString()} / ${task.total.toLocaleString()}` : "";
  return [count, task.message].filter(Boolean).join(" · ");
}

/** Seconds left at the current pace, or null when it cannot be told yet. */
export function secondsLeft(task: TaskOut, now = Date.now()): number | null {
  if (!task.started_at || task.total <= 0 || task.done <= 0 || task.done >= task.total) return null;
  const elapsed = (now - Date.parse(task.started_at)) / 1000;
  if (!(elapsed > 1)) return null;
  return (elapsed / task.done) * (task.total - task.done);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
