/**
 * The interface's texts: `m.some_key(params)` returns the sentence in the current language.
 * Import texts from here (not from ../paraglide) so the language rune is in place before any
 * message is called. Catalogues: frontend/messages/{en,fr}.json; notes: docs/i18n.md.
 */

import "./locale.svelte";

export { m } from "../paraglide/messages.js";
export { currentLocale, initialLocale, localeName, locales, switchLocale, LOCALE_KEY, type Locale } from "./locale.svelte";
export { formatBytes, formatDecimal, formatNumber } from "./format";
