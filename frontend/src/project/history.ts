/** Undo and redo, with a toast that says what was undone (and offers to redo it). */

import { notify, showError } from "../lib/toasts.svelte";
import type { Session } from "./session.svelte";

export async function undo(session: Session): Promise<void> {
  try {
    const { entry } = await session.api.undo();
    if (!entry) {
      notify("Nothing to undo.");
      return;
    }
    await session.changed();
    notify(`Undone: ${entry.label}`, { label: "Redo", run: () => void redo(session) });
  } catch (error) {
    showError(error);
  }
}

export async function redo(session: Session): Promise<void> {
  try {
    const { entry } = await session.api.redo();
    if (!entry) {
      notify("Nothing to redo.");
      return;
    }
    await session.changed();
    notify(`Redone: ${entry.label}`);
  } catch (error) {
    showError(error);
  }
}
