/** API errors in the user's language: a known code with its params, else the server's sentence. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, errorOf, request } from "../api/http";
import { KNOWN_ERROR_CODES, translateApiError } from "./apiErrors";
import { switchLocale } from "./index";

const NNBSP = "\u202f";
const exists = {
  detail: "A property named 'Style' already exists.",
  code: "property.exists",
  params: { name: "Style" },
};

afterEach(() => {
  switchLocale("en");
  vi.unstubAllGlobals();
});

describe("errorOf", () => {
  it("shows a known code from the catalogue, with its params, in the current language", () => {
    expect(errorOf(exists, 409).detail).toBe("A property named “Style” already exists.");
    switchLocale("fr");
    const error = errorOf(exists, 409);
    expect(error.detail).toBe(`Une propriété nommée «${NNBSP}Style${NNBSP}» existe déjà.`);
    expect(error).toMatchObject({ status: 409, code: "property.exists", params: { name: "Style" } });
  });

  it("puts every param where the sentence needs it", () => {
    switchLocale("fr");
    const cycle = errorOf({ detail: "x", code: "tag.cycle", params: { tag: "Amphores", parent: "Vases" } }, 409).detail;
    expect(cycle).toContain(`«${NNBSP}Vases${NNBSP}» ne peut pas devenir parente de «${NNBSP}Amphores${NNBSP}»`);
    expect(cycle).not.toContain("{");
  });

  it("falls back to the server's English sentence for an unknown code or none", () => {
    switchLocale("fr");
    expect(errorOf({ ...exists, code: "property.too_pretty" }, 409).detail).toBe(exists.detail);
    expect(errorOf({ detail: exists.detail }, 409).detail).toBe(exists.detail);
    expect(errorOf({ detail: exists.detail, code: 42 }, 409)).toMatchObject({ detail: exists.detail, code: null });
  });

  it("falls back when a param is missing or is not text", () => {
    switchLocale("fr");
    expect(errorOf({ ...exists, params: {} }, 409).detail).toBe(exists.detail);
    expect(errorOf({ ...exists, params: { name: { first: "Style" } } }, 409).detail).toBe(exists.detail);
    expect(errorOf({ ...exists, params: ["Style"] }, 409).detail).toBe(exists.detail);
    expect(errorOf({ detail: exists.detail, code: "property.exists" }, 409).detail).toBe(exists.detail);
  });

  it("lists FastAPI's validation errors with where they are", () => {
    const body = { detail: [{ loc: ["body", "k"], msg: "Input should be a valid integer" }, { loc: [], msg: "Field required" }] };
    expect(errorOf(body, 422).detail).toBe("k: Input should be a valid integer; Field required");
  });

  it("says in the user's language that the server failed when it gave no sentence", () => {
    switchLocale("fr");
    expect(errorOf(undefined, 500).detail).toBe(`Erreur du serveur (500)${NNBSP}: le détail figure dans son journal.`);
    expect(errorOf("<html>", 404).detail).toBe("La requête a échoué (404).");
  });
});

describe("request", () => {
  it("throws the translated error of a real error response", async () => {
    switchLocale("fr");
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify(exists), { status: 409, headers: { "content-type": "application/json" } }));
    const failure = request("POST", "properties", { name: "Style" });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 409, code: "property.exists", detail: `Une propriété nommée «${NNBSP}Style${NNBSP}» existe déjà.` });
  });

  it("says the server cannot be reached, in the user's language", async () => {
    switchLocale("fr");
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("fetch failed");
    });
    await expect(request("GET", "status")).rejects.toMatchObject({ status: 0, offline: true, detail: expect.stringContaining("injoignable") });
  });
});

describe("the known codes", () => {
  it("each have a sentence in both languages that uses its params", () => {
    // every param the sentence asks for is answered with its own name
    const echo = new Proxy({}, { get: (_target, name) => String(name) });
    for (const locale of ["en", "fr"] as const) {
      switchLocale(locale);
      for (const code of KNOWN_ERROR_CODES) {
        const text = translateApiError(code, echo);
        expect(text, `${locale} ${code}`).toBeTruthy();
        expect(text, `${locale} ${code}`).not.toMatch(/undefined|\{/);
      }
    }
  });
});
