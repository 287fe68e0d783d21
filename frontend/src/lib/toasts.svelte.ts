/** Short messages in the corner: what just happened, or what went wrong (with the server's sentence). */

import { ApiError } from "../api/http";
import { m } from "../i18n";

export interface Toast {
  id: number;
  kind: "info" | "error";
  text: string;
  action?: { label: string; run: () => void };
}

let next = 1;

export const toasts = $state<Toast[]>([]);

export function dismiss(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

export function notify(text: string, action?: Toast["action"], seconds = 5): void {
  const id = next++;
  toasts.push({ id, kind: "info", text, ...(action ? { action } : {}) });
  setTimeout(() => dismiss(id), seconds * 1000);
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The title of a page that could not load: the access token when that is what it lacks. */
export function titleOf(error: unknown, otherwise: string): string {
  return error instanceof ApiError && error.status === 401 ? m.error_token_needed_title() : otherwise;
}

export function showError(error: unknown): void {
  if (error instanceof DOMException && error.name === "AbortError") return;
  const id = next++;
  const text = messageOf(error);
  if (toasts.some((t) => t.kind === "error" && t.text === text)) return;
  toasts.push({ id, kind: "error", text });
  setTimeout(() => dismiss(id), 12_000);
}
