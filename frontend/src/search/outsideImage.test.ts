import { describe, expect, it } from "vitest";
import { carriesFiles, imageFile, imageName } from "./outsideImage";

describe("outside image", () => {
  const text = new File(["hello"], "notes.txt", { type: "text/plain" });
  const jpeg = new File([new Uint8Array([255, 216])], "cat.jpg", { type: "image/jpeg" });
  const untyped = new File([new Uint8Array([0])], "scan.TIF", { type: "" });

  it("takes the first image file", () => {
    expect(imageFile([text, jpeg])).toBe(jpeg);
    expect(imageFile([untyped])).toBe(untyped);
    expect(imageFile([text])).toBeNull();
    expect(imageFile(null)).toBeNull();
  });
  it("sees drags that carry files", () => {
    expect(carriesFiles(["text/plain", "Files"])).toBe(true);
    expect(carriesFiles(["text/uri-list"])).toBe(false);
  });
  it("names pasted pictures", () => {
    expect(imageName(jpeg)).toBe("cat.jpg");
    expect(imageName(new File([], "image.png", { type: "image/png" }))).toBe("Pasted image");
  });
});
