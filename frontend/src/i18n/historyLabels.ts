/**
 * Undo-history labels in the user's language. The journal stores each change's label in English
 * (``merge A into B``); the API sends beside it the code of the template that wrote it and its
 * values (services/text_codes.py), translated here; a label that fits no template, or an
 * unknown code, is shown as the server wrote it.
 */

import { m } from "../paraglide/messages.js";
import { numberParam, param, translateCode, type ErrorParams } from "./apiErrors";

const count = (p: ErrorParams): number => numberParam(p, "count");

const KNOWN: Readonly<Record<string, (p: ErrorParams) => string>> = {
  "history.create_property": (p) => m.history_label_create_property({ name: param(p, "name") }),
  "history.rename_property": (p) => m.history_label_rename_property({ old: param(p, "old"), new: param(p, "new") }),
  "history.delete_property": (p) => m.history_label_delete_property({ name: param(p, "name") }),
  "history.set_parents": (p) => m.history_label_set_parents({ tag: param(p, "tag") }),
  "history.set_values": (p) => m.history_label_set_values({ property: param(p, "property"), count: count(p) }),
  "history.tag_images": (p) => m.history_label_tag_images({ property: param(p, "property"), count: count(p) }),
  "history.untag_images": (p) => m.history_label_untag_images({ property: param(p, "property"), count: count(p) }),
  "history.clear_values": (p) => m.history_label_clear_values({ property: param(p, "property"), count: count(p) }),
  "history.change_values": (p) => m.history_label_change_values({ properties: param(p, "properties"), count: count(p) }),
  "history.create_tag": (p) => m.history_label_create_tag({ name: param(p, "name") }),
  "history.rename_tag": (p) => m.history_label_rename_tag({ old: param(p, "old"), new: param(p, "new") }),
  "history.recolour_tag": (p) => m.history_label_recolour_tag({ tag: param(p, "tag") }),
  "history.add_parent": (p) => m.history_label_add_parent({ tag: param(p, "tag") }),
  "history.remove_parent": (p) => m.history_label_remove_parent({ tag: param(p, "tag") }),
  "history.delete_tag": (p) => m.history_label_delete_tag({ name: param(p, "name") }),
  "history.merge_tags": (p) => m.history_label_merge_tags({ tags: param(p, "tags"), survivor: param(p, "survivor") }),
  "history.import_csv": () => m.history_label_import_csv(),
  "history.save_clustering": (p) => m.history_label_save_clustering({ run: param(p, "run"), name: param(p, "name") }),
};

/** The codes the front-end can translate (the contract with services/text_codes.py). */
export const KNOWN_HISTORY_CODES: readonly string[] = Object.keys(KNOWN);

/** What a change of the undo history did, in the current language (its English label when its
 * code is unknown or absent). */
export function historyLabel(entry: { label: string; code?: string | null; params?: ErrorParams }): string {
  return (entry.code ? translateCode(KNOWN, entry.code, entry.params ?? {}) : null) ?? entry.label;
}
