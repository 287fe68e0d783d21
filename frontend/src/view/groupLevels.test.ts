import { describe, expect, it } from "vitest";
import type { PropertyOut } from "../api/types";
import { datePartRange, narrowFilter } from "../grid/groupTree";
import { apiLevel, gridLevel, levelName, levelsOf, splitLevel } from "./groupLevels";
import { fromQuery, toQuery, defaultState } from "./viewState";

const properties: PropertyOut[] = [
  { id: 4, name: "Date taken", type: "date", mode: "image", metadata: "taken", read_only: true },
  { id: 5, name: "Kind", type: "multi_tags", mode: "image" },
  { id: 6, name: "Year", type: "number", mode: "image" },
];
const lookup = (id: number) => properties.find((p) => p.id === id);

describe("grouping levels", () => {
  it("offers year and month for dates only", () => {
    expect(levelsOf(properties[0]!)).toEqual([4, "4:year", "4:month"]);
    expect(levelsOf(properties[1]!)).toEqual([5]);
  });
  it("become the API's levels and the grid's", () => {
    expect(apiLevel("4:year")).toEqual({ property: 4, by: "year" });
    expect(apiLevel("folder")).toBe("folder");
    expect(apiLevel(5)).toBe(5);
    expect(gridLevel("4:month", lookup)).toEqual({ ref: 4, kind: "month" });
    expect(gridLevel(5, lookup)).toEqual({ ref: 5, kind: "tags" });
    expect(gridLevel(6, lookup)).toEqual({ ref: 6, kind: "scalar" });
    expect(splitLevel("folder")).toEqual(["folder", null]);
  });
  it("are named for menus", () => {
    expect(levelName("4:year", lookup)).toBe("Date taken (year)");
    expect(levelName(4, lookup)).toBe("Date taken");
    expect(levelName(99, lookup)).toBe("#99");
  });
  it("survive the address", () => {
    const state = { ...defaultState(), groupBy: ["4:year" as const, "4:month" as const, 5] };
    expect(fromQuery("grid", toQuery(state)).groupBy).toEqual(["4:year", "4:month", 5]);
    expect(fromQuery("grid", "group=4:decade,4:year").groupBy).toEqual(["4:year"]);
  });
});

describe("a year or month group", () => {
  it("is a range of dates", () => {
    expect(datePartRange("2019", "year")).toEqual(["2019-01-01", "2020-01-01"]);
    expect(datePartRange("2019-07", "month")).toEqual(["2019-07-01", "2019-08-01"]);
    expect(datePartRange("2019-12", "month")).toEqual(["2019-12-01", "2020-01-01"]);
    expect(datePartRange("0999", "year")).toEqual(["0999-01-01", "1000-01-01"]);
  });
  it("narrows the filter with two conditions", () => {
    const narrowed = narrowFilter({ folder_ids: [1] }, [{ ref: 4, kind: "year" }, { ref: 4, kind: "month" }], ["2019", "2019-12"]);
    expect(narrowed.conditions).toEqual([
      { property: 4, op: "ge", value: "2019-01-01" },
      { property: 4, op: "lt", value: "2020-01-01" },
      { property: 4, op: "ge", value: "2019-12-01" },
      { property: 4, op: "lt", value: "2020-01-01" },
    ]);
    expect(narrowFilter({}, [{ ref: 4, kind: "year" }], [null]).conditions).toEqual([{ property: 4, op: "empty" }]);
  });
});
