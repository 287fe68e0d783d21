/**
 * Task progress messages in the user's language. The server writes (and stores) each message in
 * English (``importing photos``); the API sends beside it the code of its template and its values
 * (``message_code``, ``message_params``: services/text_codes.py), translated here; a message
 * that fits no template, or an unknown code, is shown as the server wrote it.
 */

import { numberParam, param, translateCode, type ErrorParams } from "../i18n/apiErrors";
import { m } from "../paraglide/messages.js";

const KNOWN: Readonly<Record<string, (p: ErrorParams) => string>> = {
  "task.importing": (p) => m.task_message_importing({ folder: param(p, "folder") }),
  "task.importing_errors": (p) => m.task_message_importing_errors({ folder: param(p, "folder"), errors: numberParam(p, "errors") }),
  "task.vectors": (p) => m.task_message_vectors({ model: param(p, "model") }),
  "task.vectors_failed": (p) => m.task_message_vectors_failed({ model: param(p, "model"), failed: numberParam(p, "failed") }),
  "task.map_layout": () => m.task_message_map_layout(),
  "task.map_ready": () => m.task_message_map_ready(),
  "task.loading_vectors": () => m.task_message_loading_vectors(),
  "task.clustering": (p) => m.task_message_clustering({ count: numberParam(p, "count") }),
  "task.linking_neighbours": () => m.task_message_linking_neighbours(),
  "task.finding_levels": () => m.task_message_finding_levels(),
  "task.scoring_groups": () => m.task_message_scoring_groups(),
  "task.saving_run": () => m.task_message_saving_run(),
  "task.done": () => m.task_message_done(),
  "task.fingerprinting": () => m.task_message_fingerprinting(),
  "task.reading_fingerprints": () => m.task_message_reading_fingerprints(),
  "task.comparing_pictures": () => m.task_message_comparing_pictures(),
  "task.recording_groups": () => m.task_message_recording_groups(),
  "task.comparing_layouts": () => m.task_message_comparing_layouts(),
  "task.checking_details": () => m.task_message_checking_details(),
  "task.grouping": () => m.task_message_grouping(),
  "task.assigning": (p) => m.task_message_assigning({ count: numberParam(p, "count") }),
  "task.saving_groups": () => m.task_message_saving_groups(),
  "task.copying": (p) => m.task_message_copying({ folder: param(p, "folder") }),
  "task.linking": (p) => m.task_message_linking({ folder: param(p, "folder") }),
  "task.exported": () => m.task_message_exported(),
};

/** The codes the front-end can translate (the contract with services/text_codes.py). */
export const KNOWN_TASK_MESSAGE_CODES: readonly string[] = Object.keys(KNOWN);

/** The task's progress message in the current language (the server's English one when its code
 * is unknown or absent). */
export function taskMessage(task: { message: string; message_code?: string | null; message_params?: ErrorParams }): string {
  return (task.message_code ? translateCode(KNOWN, task.message_code, task.message_params ?? {}) : null) ?? task.message;
}
