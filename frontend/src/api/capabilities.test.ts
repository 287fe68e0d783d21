import { describe, expect, it } from "vitest";
import { featuresOf } from "./capabilities";

describe("featuresOf", () => {
  it("finds features by method and path shape", () => {
    const paths = {
      "/api/projects/{pid}/runs": { get: {}, post: {} },
      "/api/projects/{project}/similar": { post: {} },
      "/api/projects/{pid}/map": { post: {} },
    };
    expect([...featuresOf(paths)].sort()).toEqual(["createRun", "similar"]);
  });
  it("finds nothing in an empty document", () => {
    expect(featuresOf({}).size).toBe(0);
  });
});
