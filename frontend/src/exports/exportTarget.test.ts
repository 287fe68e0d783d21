import { describe, expect, it } from "vitest";
import { lastFolder, rememberFolder } from "./exportTarget";

describe("the last export folder", () => {
  it("is remembered per project", () => {
    const stored = new Map<string, string>();
    const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
    expect(lastFolder(storage, "p1")).toBe("");
    rememberFolder(storage, "p1", "/data/out");
    expect(lastFolder(storage, "p1")).toBe("/data/out");
    expect(lastFolder(storage, "p2")).toBe("");
  });
  it("never fails without storage", () => {
    const broken = { getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("full"); } };
    expect(lastFolder(broken, "p")).toBe("");
    expect(() => rememberFolder(broken, "p", "/x")).not.toThrow();
    expect(lastFolder(undefined, "p")).toBe("");
  });
});
