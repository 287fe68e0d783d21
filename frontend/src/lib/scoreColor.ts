/**
 * Colours of a group's score: green = coherent .. orange = varied.
 *
 * Scores are on the one scale of docs/scores.md: 0 = identical images, 100 = as unrelated as
 * random directions. The colour runs along a fixed hue ramp between ``COHERENT`` and ``VARIED``
 * so the same score has the same colour in every run; the badge also shows the number, so the
 * colour is never the only cue.
 */

import { formatNumber, m } from "../i18n";

export const COHERENT = 15;
export const VARIED = 60;
const GREEN_HUE = 140;
const ORANGE_HUE = 28;

/** 0 (coherent) .. 1 (varied), clamped; null for a group without a score. */
export function scoreLevel(score: number | null | undefined, low = COHERENT, high = VARIED): number | null {
  if (score === null || score === undefined || !Number.isFinite(score)) return null;
  if (high <= low) return score <= low ? 0 : 1;
  return Math.min(1, Math.max(0, (score - low) / (high - low)));
}

export interface BadgeColors {
  background: string;
  border: string;
  text: string;
}

const NEUTRAL: BadgeColors = { background: "hsl(220 10% 92%)", border: "hsl(220 10% 70%)", text: "hsl(220 15% 20%)" };

/** Badge colours for a score; dark text on a light tint keeps a contrast above 7:1. */
export function scoreColors(score: number | null | undefined, low = COHERENT, high = VARIED): BadgeColors {
  const level = scoreLevel(score, low, high);
  if (level === null) return NEUTRAL;
  const hue = Math.round(GREEN_HUE + (ORANGE_HUE - GREEN_HUE) * level);
  return {
    background: `hsl(${hue} 75% 88%)`,
    border: `hsl(${hue} 60% 45%)`,
    text: `hsl(${hue} 70% 18%)`,
  };
}

/** A word for screen readers and tooltips. */
export function scoreWord(score: number | null | undefined): string {
  const level = scoreLevel(score);
  if (level === null) return m.score_word_none();
  if (level < 0.25) return m.score_word_very_coherent();
  if (level < 0.5) return m.score_word_coherent();
  if (level < 0.75) return m.score_word_mixed();
  return m.score_word_varied();
}

export function formatScore(score: number | null | undefined): string {
  if (score === null || score === undefined || !Number.isFinite(score)) return "–";
  const digits = score < 10 ? 1 : 0;
  return formatNumber(score, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
