/**
 * When near-duplicate groups take in a large share of the images, the corpus is probably made of
 * low-detail pictures (drawings, digits, icons, scanned forms) whose coarse layouts look alike,
 * not of copies: the view then suggests a stricter similarity (docs/scores.md).
 */

/** Share of the images in groups above which the hint shows. */
export const CROWDED_SHARE = 0.2;
/** The similarity suggested for low-detail corpora. */
export const STRICT_SIMILARITY = 0.95;

export function crowdedHint(grouped: number, total: number, threshold: number): string | null {
  if (total <= 0 || threshold >= STRICT_SIMILARITY || grouped / total < CROWDED_SHARE) return null;
  const share = Math.round((100 * grouped) / total);
  return (
    `${share} % of the images fall into groups: more than copies usually make. For drawings, digits, icons or scans, ` +
    `whose coarse layouts look alike, search again at a similarity of ${STRICT_SIMILARITY}.`
  );
}
