/**
 * When near-duplicate groups take in a large share of the images, something unusual is going on:
 * a corpus made of very many copies, or low-detail pictures (scans, textures, icons) that the
 * duplicate score could not tell apart. The view then suggests a higher duplicate score, which
 * keeps only the pairs that stand out most from the images around them (docs/scores.md).
 */

/** Share of the images in groups above which the hint shows. */
import { formatDecimal, formatNumber, m } from "../i18n";

export const CROWDED_SHARE = 0.2;
/** The duplicate score suggested when groups take in many images. */
export const STRICT_SCORE = 0.9;

export function crowdedHint(grouped: number, total: number, threshold: number): string | null {
  if (total <= 0 || threshold >= STRICT_SCORE || grouped / total < CROWDED_SHARE) return null;
  const share = Math.round((100 * grouped) / total);
  return m.dup_crowded({ share: formatNumber(share), score: formatDecimal(STRICT_SCORE, 1) });
}
