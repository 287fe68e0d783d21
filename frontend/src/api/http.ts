/** The one place that talks HTTP: JSON in and out, errors as ApiError with the server's sentence. */

export class ApiError extends Error {
  readonly status: number;
  /** The server's own explanation (FastAPI's ``detail``), fit to show to a person. */
  readonly detail: string;

  constructor(status: number, detail: string) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
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

/** The sentence to show for an error body, whatever shape the server used. */
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
  if (status >= 500) return `The server failed (${status}). Details are in its log.`;
  return `The request failed (${status}).`;
}

export async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  init: { signal?: AbortSignal; query?: Record<string, string | number | boolean | undefined> } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(apiUrl(path, init.query), {
      method,
      headers: body === undefined ? {} : { "content-type": body instanceof Blob ? body.type || "application/octet-stream" : "application/json" },
      body: body === undefined ? null : body instanceof Blob ? body : JSON.stringify(body),
      signal: init.signal ?? null,
      credentials: "same-origin",
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "The corpuscope server cannot be reached. Is `corpuscope serve` still running?");
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) throw new ApiError(response.status, detailOf(parsed, response.status));
  return parsed as T;
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
