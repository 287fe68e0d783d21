/**
 * The one place that talks HTTP: JSON in and out, errors as ApiError with a sentence for a person,
 * in the user's language when the server gave a code the catalogues know (i18n/apiErrors.ts).
 */

import { m } from "../i18n";
import { translateApiError, type ErrorParams } from "../i18n/apiErrors";

export class ApiError extends Error {
  readonly status: number;
  /** The explanation to show: the translated code, else the server's own ``detail``. */
  readonly detail: string;
  /** The server's stable error code (``"tag.cycle"``), when it gave one. */
  readonly code: string | null;
  readonly params: ErrorParams;

  constructor(status: number, detail: string, code: string | null = null, params: ErrorParams = {}) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.code = code;
    this.params = params;
  }

  /** 0 = the server could not be reached at all. */
  get offline(): boolean {
    return this.status === 0;
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The API root, relative to the page so the SPA works behind any prefix. */
export const API_ROOT = typeof document === "undefined" ? "/api/" : new URL("api/", document.baseURI).pathname;

export function apiUrl(path: string, query?: Record<string, string | number | boolean | undefined>): string {
  const url = API_ROOT + path.replace(/^\//, "");
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${url}?${text}` : url;
}

/** The server's own sentence for an error body (English), whatever shape the server used. */
export function detailOf(body: unknown, status: number): string {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      // FastAPI's validation errors: [{loc, msg}, ...]
      return detail
        .map((item: { loc?: unknown[]; msg?: string }) => {
          const where = (item.loc ?? []).filter((part) => part !== "body").join(".");
          return where ? `${where}: ${item.msg ?? ""}` : (item.msg ?? "");
        })
        .join("; ");
    }
  }
  if (status >= 500) return m.error_server_failed({ status });
  return m.error_request_failed({ status });
}

/** The error an answer stands for: its code translated when known, else the server's sentence. */
export function errorOf(body: unknown, status: number): ApiError {
  const fields = body && typeof body === "object" ? (body as { code?: unknown; params?: unknown }) : {};
  const code = typeof fields.code === "string" ? fields.code : null;
  const params: ErrorParams =
    fields.params && typeof fields.params === "object" && !Array.isArray(fields.params) ? (fields.params as ErrorParams) : {};
  const translated = code === null ? null : translateApiError(code, params);
  return new ApiError(status, translated ?? detailOf(body, status), code, params);
}

type Init = { signal?: AbortSignal; query?: Record<string, string | number | boolean | undefined>; accept?: string };

async function send(method: Method, path: string, body: unknown, init: Init): Promise<Response> {
  const headers: Record<string, string> = init.accept ? { accept: init.accept } : {};
  if (body !== undefined) headers["content-type"] = body instanceof Blob ? body.type || "application/octet-stream" : "application/json";
  try {
    return await fetch(apiUrl(path, init.query), {
      method,
      headers,
      body: body === undefined ? null : body instanceof Blob ? body : JSON.stringify(body),
      signal: init.signal ?? null,
      credentials: "same-origin",
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, m.error_server_unreachable());
  }
}

/** The body of a response as JSON (undefined when empty or not JSON). */
async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function request<T>(method: Method, path: string, body?: unknown, init: Init = {}): Promise<T> {
  const response = await send(method, path, body, init);
  const parsed = await jsonOf(response);
  if (!response.ok) throw errorOf(parsed, response.status);
  return parsed as T;
}

/** GET bytes (``accept``: the type asked for); an error still comes as JSON, and throws. */
export async function getBytes(path: string, accept: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  const response = await send("GET", path, undefined, { accept, ...(signal ? { signal } : {}) });
  if (!response.ok) throw errorOf(await jsonOf(response), response.status);
  return response.arrayBuffer();
}

/** POST a file as the request body (not JSON): for searching with an outside image. */
export const postFile = <T>(path: string, file: Blob, query?: Record<string, string | number | undefined>, signal?: AbortSignal) =>
  request<T>("POST", path, file, { query, ...(signal ? { signal } : {}) });

export const get = <T>(path: string, query?: Record<string, string | number | boolean | undefined>, signal?: AbortSignal) =>
  request<T>("GET", path, undefined, { query, ...(signal ? { signal } : {}) });
export const post = <T>(path: string, body?: unknown, signal?: AbortSignal) =>
  request<T>("POST", path, body ?? {}, signal ? { signal } : {});
export const patch = <T>(path: string, body: unknown) => request<T>("PATCH", path, body);
export const put = <T>(path: string, body: unknown) => request<T>("PUT", path, body);
export const del = <T>(path: string, body?: unknown) => request<T>("DELETE", path, body);
