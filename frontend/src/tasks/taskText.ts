/** Words for tasks: their kind, their progress, their state. */

import type { TaskOut } from "../api/types";
import { formatNumber, m } from "../i18n";
import { taskMessage } from "./taskMessages";

/** The kind's name; a kind the catalogues do not know shows as its own word, capitalised. */
export function taskTitle(task: TaskOut): string {
  return m.task_kind({ kind: task.kind, name: task.kind.charAt(0).toUpperCase() + task.kind.slice(1) });
}

/** The task's state as a word (waiting, running, done…). */
export function taskState(task: TaskOut): string {
  return m.task_status({ status: task.status });
}

export function taskProgress(task: TaskOut): string {
  if (task.status === "failed") return task.error ?? taskState(task);
  if (task.status !== "running") return taskState(task);
  const count = task.total > 0 ? m.task_count({ done: formatNumber(task.done), total: formatNumber(task.total) }) : "";
  return [count, taskMessage(task)].filter(Boolean).join(" · ");
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
