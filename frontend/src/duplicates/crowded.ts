/**
 * When near-duplicate groups take in a large share of the images, something unusual is going on:
 * a corpus made of very many copies, or low-detail pictures (scans, textures, icons) that the
 * duplicate score could not tell apart. The view then suggests a higher duplicate score, which
 * keeps only the pairs that stand out most from the images around them (docs/scores.md).
 */

/** Share of the images in groups above which the hint shows. */
export const CROWDED_SHARE = 0.2;
/** The duplicate score suggested when groups take in many images. */
export const STRICT_SCORE = 0.9;

export function crowdedHint(grouped: number, total: number, threshold: number): string | null {
  if (total <= 0 || threshold >= STRICT_SCORE || grouped / total < CROWDED_SHARE) return null;
  const share = Math.round((100 * grouped) / total);
  return (
    `${share} % of the images fall into groups: more than copies usually make. If these are distinct pictures that look alike ` +
    `(scans, textures, icons), search again at a duplicate score of ${STRICT_SCORE}, which keeps only the closest copies.`
  );
}
