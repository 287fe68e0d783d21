/**
 * API errors in the user's language. The server answers an error with its English sentence and,
 * for the errors a person can cause, a stable code with the values the sentence needs:
 *
 *     {"detail": "A property named 'Style' already exists.", "code": "property.exists", "params": {"name": "Style"}}
 *
 * A code listed here is shown from the catalogue with its params; an unknown code, a missing or
 * malformed param, or no code at all falls back to the server's own `detail`. Adding a code:
 * one line here and one message in each catalogue (docs/i18n.md lists them for the back-end).
 */

import { m } from "../paraglide/messages.js";

export type ErrorParams = Readonly<Record<string, unknown>>;

class MissingParam extends Error {}

/** A param that must be a finite number (a count). */
export function numberParam(params: ErrorParams, name: string): number {
  const value = params[name];
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new MissingParam(name);
}

/** A param fit to put in a sentence: a string or a finite number; anything else is missing. */
export function param(params: ErrorParams, name: string): string | number {
  const value = params[name];
  if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) return value;
  throw new MissingParam(name);
}

const KNOWN: Readonly<Record<string, (p: ErrorParams) => string>> = {
  "project.not_open": (p) => m.error_project_not_open({ project: param(p, "project") }),
  "image.not_found": (p) => m.error_image_not_found({ id: param(p, "id") }),
  "images.none_given": () => m.error_images_none_given(),
  "vectors.missing": (p) => m.error_vectors_missing({ model: param(p, "model") }),
  "property.exists": (p) => m.error_property_exists({ name: param(p, "name") }),
  "property.not_found": (p) => m.error_property_not_found({ property: param(p, "property") }),
  "tag.exists": (p) => m.error_tag_exists({ property: param(p, "property"), name: param(p, "name") }),
  "tag.not_found": (p) => m.error_tag_not_found({ id: param(p, "id") }),
  "tag.cycle": (p) => m.error_tag_cycle({ tag: param(p, "tag"), parent: param(p, "parent") }),
  "tag.parent_other_property": () => m.error_tag_parent_other_property(),
  "tag.merge_needs_two": () => m.error_tag_merge_needs_two(),
  "tag.merge_other_property": () => m.error_tag_merge_other_property(),
  "tag.bad_colour": (p) => m.error_tag_bad_colour({ colour: param(p, "colour") }),
  "token.needed": () => m.error_token_needed(),
};

/** The codes the front-end can translate (the contract with the back-end). */
export const KNOWN_ERROR_CODES: readonly string[] = Object.keys(KNOWN);

/** The sentence for ``code`` in the current language, or null when it cannot be translated. */
export function translateApiError(code: string, params: ErrorParams): string | null {
  return translateCode(KNOWN, code, params);
}

/** ``code``'s sentence from ``table`` with its params; null for an unknown code or a param
 * missing or not fit for a sentence (the caller then shows the server's English text). */
export function translateCode(
  table: Readonly<Record<string, (p: ErrorParams) => string>>,
  code: string,
  params: ErrorParams,
): string | null {
  const text = Object.hasOwn(table, code) ? table[code] : undefined;
  if (!text) return null;
  try {
    return text(params);
  } catch (error) {
    if (error instanceof MissingParam) return null;
    throw error;
  }
}
