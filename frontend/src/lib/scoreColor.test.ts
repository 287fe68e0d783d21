import { describe, expect, it } from "vitest";
import { COHERENT, VARIED, formatScore, scoreColors, scoreLevel, scoreWord } from "./scoreColor";

describe("scoreLevel", () => {
  it("maps the coherent end to 0 and the varied end to 1, clamped", () => {
    expect(scoreLevel(0)).toBe(0);
    expect(scoreLevel(COHERENT)).toBe(0);
    expect(scoreLevel(VARIED)).toBe(1);
    expect(scoreLevel(100)).toBe(1);
    expect(scoreLevel((COHERENT + VARIED) / 2)).toBeCloseTo(0.5);
  });
  it("is null without a score", () => {
    expect(scoreLevel(null)).toBeNull();
    expect(scoreLevel(undefined)).toBeNull();
    expect(scoreLevel(Number.NaN)).toBeNull();
  });
  it("is monotonic", () => {
    let last = -1;
    for (let score = 0; score <= 100; score += 0.5) {
      const level = scoreLevel(score)!;
      expect(level).toBeGreaterThanOrEqual(last);
      last = level;
    }
  });
  it("handles a degenerate range", () => {
    expect(scoreLevel(5, 10, 10)).toBe(0);
    expect(scoreLevel(50, 10, 10)).toBe(1);
  });
});

describe("scoreColors", () => {
  const hue = (css: string) => Number(/hsl\((\d+)/.exec(css)![1]);
  it("is green when coherent and orange when varied", () => {
    expect(hue(scoreColors(0).background)).toBe(140);
    expect(hue(scoreColors(100).background)).toBe(28);
  });
  it("moves from green to orange as the score grows", () => {
    const hues = [0, 20, 30, 40, 50, 70].map((s) => hue(scoreColors(s).border));
    expect([...hues].sort((a, b) => b - a)).toEqual(hues);
  });
  it("is neutral without a score", () => {
    expect(scoreColors(null).background).toContain("220");
  });
});

describe("words and numbers", () => {
  it("describes the score", () => {
    expect(scoreWord(0)).toBe("very coherent");
    expect(scoreWord(100)).toBe("varied");
    expect(scoreWord(null)).toBe("no score");
  });
  it("formats with one decimal below ten", () => {
    expect(formatScore(3.14159)).toBe("3.1");
    expect(formatScore(42.7)).toBe("43");
    expect(formatScore(null)).toBe("–");
  });
});
