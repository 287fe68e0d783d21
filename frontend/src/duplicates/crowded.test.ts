import { describe, expect, it } from "vitest";
import { CROWDED_SHARE, STRICT_SIMILARITY, crowdedHint } from "./crowded";

describe("crowdedHint", () => {
  it("stays quiet when groups hold a small share of the images", () => {
    expect(crowdedHint(40, 5000, 0.85)).toBeNull();
    expect(crowdedHint(Math.floor(CROWDED_SHARE * 1000) - 1, 1000, 0.85)).toBeNull();
  });

  it("suggests the strict similarity when groups take in many images", () => {
    const hint = crowdedHint(3658, 5050, 0.85);
    expect(hint).toContain("72 %");
    expect(hint).toContain(String(STRICT_SIMILARITY));
  });

  it("says nothing once the similarity is already strict, or with no images", () => {
    expect(crowdedHint(3000, 5000, STRICT_SIMILARITY)).toBeNull();
    expect(crowdedHint(0, 0, 0.85)).toBeNull();
  });
});
