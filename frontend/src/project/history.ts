/** Undo and redo, with a toast that says what was undone (and offers to redo it). */

import { m } from "../i18n";
import { historyLabel } from "../i18n/historyLabels";
import { notify, showError } from "../lib/toasts.svelte";
import type { Session } from "./session.svelte";

export async function undo(session: Session): Promise<void> {
  try {
    const { entry } = await session.api.undo();
    if (!entry) {
      notify(m.history_nothing_to_undo());
      return;
    }
    await session.changed();
    notify(m.history_undone({ label: historyLabel(entry) }), { label: m.topbar_redo(), run: () => void redo(session) });
  } catch (error) {
    showError(error);
  }
}

export async function redo(session: Session): Promise<void> {
  try {
    const { entry } = await session.api.redo();
    if (!entry) {
      notify(m.history_nothing_to_redo());
      return;
    }
    await session.changed();
    notify(m.history_redone({ label: historyLabel(entry) }));
  } catch (error) {
    showError(error);
  }
}
