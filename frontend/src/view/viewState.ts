/**
 * What the user is looking at, kept in the address (so reload, back and bookmarks work) and in
 * localStorage per project (so reopening a project brings the last view back):
 * ``#/p/<project>/<view>?sort=path&desc=1&group=3,folder&run=4&size=128&filter=<json>``.
 */

import type { FilterIn, SortIn } from "../api/types";

export const VIEWS = ["grid", "map", "duplicates", "tags", "tasks"] as const;
export type ViewName = (typeof VIEWS)[number];
/** A property id, the folders, or a date property by year or month (``"4:year"``). */
export type GroupLevel = number | "folder" | `${number}:year` | `${number}:month`;

export interface ViewState {
  view: ViewName;
  filter: FilterIn;
  sort: SortIn;
  groupBy: GroupLevel[];
  /** The clustering run shown in the workspace, if any. */
  run: number | null;
  /** Thumbnail size in CSS pixels. */
  size: number;
}

export interface Route {
  project: string | null;
  state: ViewState;
}

export const SIZES = [64, 96, 128, 192, 256] as const;

export function defaultState(): ViewState {
  return { view: "grid", filter: {}, sort: { key: "id" }, groupBy: [], run: null, size: 128 };
}

const SORT_KEYS = new Set(["id", "path", "property", "rank"]);

function cleanFilter(value: unknown): FilterIn {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  const raw = value as Record<string, unknown>;
  const filter: FilterIn = {};
  if (Array.isArray(raw.folder_ids)) filter.folder_ids = raw.folder_ids.filter((v): v is number => Number.isInteger(v) && (v as number) > 0);
  if (raw.status === "ok" || raw.status === "missing") filter.status = raw.status;
  if (typeof raw.path_contains === "string" && raw.path_contains) filter.path_contains = raw.path_contains;
  if (Array.isArray(raw.conditions)) {
    filter.conditions = raw.conditions.filter(
      (c): c is NonNullable<FilterIn["conditions"]>[number] =>
        !!c && typeof c === "object" && "property" in c && "op" in c && typeof (c as { op: unknown }).op === "string",
    );
  }
  if (filter.folder_ids?.length === 0) delete filter.folder_ids;
  if (filter.conditions?.length === 0) delete filter.conditions;
  return filter;
}

export function isEmptyFilter(filter: FilterIn): boolean {
  return Object.keys(cleanFilter(filter)).length === 0;
}

/** The state's query string (stable: the same state always gives the same text). */
export function toQuery(state: ViewState): string {
  const params = new URLSearchParams();
  const sort = state.sort;
  if (sort.key && sort.key !== "id") params.set("sort", sort.key);
  if (sort.key === "property" && sort.property !== undefined && sort.property !== null) params.set("sortby", String(sort.property));
  if (sort.descending) params.set("desc", "1");
  if (state.groupBy.length) params.set("group", state.groupBy.join(","));
  if (state.run !== null) params.set("run", String(state.run));
  if (state.size !== 128) params.set("size", String(state.size));
  const filter = cleanFilter(state.filter);
  if (Object.keys(filter).length) params.set("filter", JSON.stringify(filter));
  return params.toString();
}

export function fromQuery(view: string, query: string): ViewState {
  const state = defaultState();
  const params = new URLSearchParams(query);
  if ((VIEWS as readonly string[]).includes(view)) state.view = view as ViewName;
  const sort = params.get("sort");
  if (sort && SORT_KEYS.has(sort)) state.sort = { key: sort as NonNullable<SortIn["key"]> };
  const sortBy = params.get("sortby");
  if (state.sort.key === "property") {
    if (sortBy && /^\d+$/.test(sortBy)) state.sort.property = Number(sortBy);
    else state.sort = { key: "id" };
  }
  if (params.get("desc") === "1") state.sort.descending = true;
  const group = params.get("group");
  if (group) {
    state.groupBy = group
      .split(",")
      .map((part): GroupLevel | null =>
        part === "folder" ? "folder" : /^\d+$/.test(part) ? Number(part) : /^\d+:(year|month)$/.test(part) ? (part as GroupLevel) : null,
      )
      .filter((level): level is GroupLevel => level !== null)
      .slice(0, 4);
  }
  const run = params.get("run");
  if (run && /^\d+$/.test(run)) state.run = Number(run);
  const size = Number(params.get("size"));
  if ((SIZES as readonly number[]).includes(size)) state.size = size;
  const filter = params.get("filter");
  if (filter) {
    try {
      state.filter = cleanFilter(JSON.parse(filter));
    } catch {
      state.filter = {};
    }
  }
  return state;
}

/** ``#/p/<id>/<view>?query`` → route; anything else is the project chooser. */
export function parseHash(hash: string): Route {
  const match = /^#\/p\/([^/?]+)(?:\/([a-z]+))?\/?(?:\?(.*))?$/.exec(hash);
  if (!match) return { project: null, state: defaultState() };
  return { project: decodeURIComponent(match[1]!), state: fromQuery(match[2] ?? "grid", match[3] ?? "") };
}

export function formatHash(route: Route): string {
  if (!route.project) return "#/";
  const query = toQuery(route.state);
  return `#/p/${encodeURIComponent(route.project)}/${route.state.view}${query ? `?${query}` : ""}`;
}

const storageKey = (project: string) => `corpuscope.view.${project}`;

export function saveLastView(storage: Pick<Storage, "setItem">, project: string, state: ViewState): void {
  try {
    storage.setItem(storageKey(project), `${state.view}?${toQuery(state)}`);
  } catch {
    // private mode or full storage: the address still holds the view
  }
}

export function loadLastView(storage: Pick<Storage, "getItem">, project: string): ViewState | null {
  try {
    const text = storage.getItem(storageKey(project));
    if (!text) return null;
    const [view, query] = text.split("?", 2);
    return fromQuery(view ?? "grid", query ?? "");
  } catch {
    return null;
  }
}
