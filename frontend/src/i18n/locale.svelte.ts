/**
 * The language the interface speaks: English or French, switchable at any time without a reload.
 *
 * Paraglide's message functions ask `getLocale()` which language to use; here it reads a rune,
 * so every text on screen that called a message re-renders when the language changes, and
 * everything else (the view, the selection, open dialogs) stays as it was. The choice is kept
 * in localStorage; on a first visit the browser's preferred languages decide.
 */

import {
  baseLocale,
  extractLocaleFromNavigator,
  isLocale,
  locales,
  overwriteGetLocale,
  overwriteSetLocale,
  type Locale,
} from "../paraglide/runtime.js";

export type { Locale };
export { locales };

/** Where the choice is remembered (beside the other `corpuscope.*` keys of the browser). */
export const LOCALE_KEY = "corpuscope.locale";

function saved(): Locale | undefined {
  try {
    const value = globalThis.localStorage?.getItem(LOCALE_KEY);
    return isLocale(value) ? value : undefined;
  } catch {
    return undefined; // storage disabled: the browser's languages decide
  }
}

/** The saved choice, else the first of the browser's preferred languages we speak, else English. */
export function initialLocale(): Locale {
  if (typeof navigator === "undefined") return saved() ?? baseLocale;
  return saved() ?? extractLocaleFromNavigator() ?? baseLocale;
}

const first = initialLocale();
let current = $state<Locale>(first);

overwriteGetLocale(() => current);
overwriteSetLocale((next) => switchLocale(next));

function applyToDocument(locale: Locale): void {
  if (typeof document !== "undefined") document.documentElement.lang = locale;
}

applyToDocument(first);

/** The language in use; reading it in a template or `$derived` re-runs them on a switch. */
export function currentLocale(): Locale {
  return current;
}

/** Speak ``next`` from now on: texts re-render, `<html lang>` follows, the choice is saved. */
export function switchLocale(next: Locale): void {
  current = next;
  applyToDocument(next);
  try {
    globalThis.localStorage?.setItem(LOCALE_KEY, next);
  } catch {
    // storage disabled: the choice lasts until the page is closed
  }
}

/** A language's name in that language ("English", "Français"), for the switch. */
export function localeName(locale: Locale): string {
  const name = new Intl.DisplayNames([locale], { type: "language" }).of(locale) ?? locale;
  return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
}
