import { describe, expect, it } from "vitest";
import { CROWDED_SHARE, STRICT_SCORE, crowdedHint } from "./crowded";

describe("crowdedHint", () => {
  it("stays quiet when groups hold a small share of the images", () => {
    expect(crowdedHint(40, 5000, 0.7)).toBeNull();
    expect(crowdedHint(Math.floor(CROWDED_SHARE * 1000) - 1, 1000, 0.7)).toBeNull();
  });

  it("suggests a higher duplicate score when groups take in many images", () => {
    const hint = crowdedHint(3658, 5050, 0.7);
    expect(hint).toContain("72 %");
    expect(hint).toContain(String(STRICT_SCORE));
  });

  it("says nothing once the score asked for is already high, or with no images", () => {
    expect(crowdedHint(3000, 5000, STRICT_SCORE)).toBeNull();
    expect(crowdedHint(0, 0, 0.7)).toBeNull();
  });
});
