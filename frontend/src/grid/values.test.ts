import { describe, expect, it } from "vitest";
import type { PropertyOut } from "../api/types";
import { formatValue, parseValue, splitTagNames } from "./values";

const tags: PropertyOut = {
  id: 1, name: "period", type: "multi_tags", mode: "image", read_only: false,
  tags: [{ id: 4, property_id: 1, name: "Archaic", color: "#000000", parents: [] }, { id: 5, property_id: 1, name: "classical", color: "#000000", parents: [] }],
};

describe("parseValue", () => {
  it("reads numbers, with a decimal comma too", () => {
    expect(parseValue("number", "3,5")).toEqual({ ok: true, value: 3.5 });
    expect(parseValue("number", "abc").ok).toBe(false);
  });
  it("checks dates, colours and addresses", () => {
    expect(parseValue("date", "2024-02-30").ok).toBe(true); // the server has the last word on calendars
    expect(parseValue("date", "02/03/2024").ok).toBe(false);
    expect(parseValue("color", "#A0B0C0")).toEqual({ ok: true, value: "#a0b0c0" });
    expect(parseValue("color", "red").ok).toBe(false);
    expect(parseValue("url", "https://example.org/x").ok).toBe(true);
    expect(parseValue("url", "example").ok).toBe(false);
  });
  it("reads checkboxes and refuses empty text", () => {
    expect(parseValue("checkbox", true)).toEqual({ ok: true, value: true });
    expect(parseValue("checkbox", "false")).toEqual({ ok: true, value: false });
    expect(parseValue("text", "  ").ok).toBe(false);
    expect(parseValue("text", " amphora ")).toEqual({ ok: true, value: "amphora" });
  });
});

describe("formatValue", () => {
  it("names tags and words booleans", () => {
    expect(formatValue(tags, [5, 4, 9])).toBe("classical, Archaic, #9");
    expect(formatValue({ ...tags, type: "checkbox" }, true)).toBe("yes");
    expect(formatValue(tags, undefined)).toBe("");
  });
});

describe("splitTagNames", () => {
  it("matches names without case and lists the new ones once", () => {
    expect(splitTagNames(tags, ["archaic", "Hellenistic", " hellenistic ", "", "Classical"])).toEqual({
      existing: [4, 5],
      missing: ["Hellenistic"],
    });
  });
});
