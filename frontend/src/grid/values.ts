/** Values typed by a person, checked and converted for the API, and values shown as text. */

import type { PropertyOut, Scalar, Value } from "../api/types";
import { formatNumber, m } from "../i18n";

export type Parsed = { ok: true; value: Scalar } | { ok: false; problem: string };

export function parseValue(type: string, text: string | boolean): Parsed {
  if (type === "checkbox") return { ok: true, value: text === true || text === "true" };
  const raw = String(text).trim();
  if (!raw) return { ok: false, problem: m.value_problem_empty() };
  switch (type) {
    case "number": {
      const number = Number(raw.replace(",", "."));
      return Number.isFinite(number) ? { ok: true, value: number } : { ok: false, problem: m.value_problem_not_number({ text: raw }) };
    }
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw))
        ? { ok: true, value: raw }
        : { ok: false, problem: m.value_problem_date() };
    case "color":
      return /^#[0-9a-fA-F]{6}$/.test(raw) ? { ok: true, value: raw.toLowerCase() } : { ok: false, problem: m.value_problem_colour() };
    case "url":
      try {
        new URL(raw);
        return { ok: true, value: raw };
      } catch {
        return { ok: false, problem: m.value_problem_url() };
      }
    default:
      return { ok: true, value: raw };
  }
}

/** A stored value as a person reads it (tag ids become tag names). */
export function formatValue(property: PropertyOut, value: Value | undefined): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) {
    return value.map((id) => property.tags?.find((t) => t.id === id)?.name ?? `#${id}`).join(", ");
  }
  if (typeof value === "boolean") return value ? m.value_yes() : m.value_no();
  // numbers in the language's decimals, never grouped: a year or an inventory number stays whole
  if (typeof value === "number") return formatNumber(value, { useGrouping: false, maximumFractionDigits: 10 });
  return String(value);
}

/** Tag names typed in a picker: which exist (their ids) and which must be created. */
export function splitTagNames(property: PropertyOut, names: string[]): { existing: number[]; missing: string[] } {
  const existing: number[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const name of names.map((n) => n.trim()).filter(Boolean)) {
    const key = name.toLocaleLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const tag = property.tags?.find((t) => t.name.toLocaleLowerCase() === key);
    if (tag) existing.push(tag.id);
    else missing.push(name);
  }
  return { existing, missing };
}
