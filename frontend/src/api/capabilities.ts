/**
 * What this server can do, read once from its OpenAPI document: the UI hides features whose
 * routes the server does not have (an older or newer back-end) instead of failing on them.
 */


export type Feature = "createRun" | "recommend" | "similar" | "map" | "search" | "searchImage" | "names" | "places" | "exports";

const ROUTES: Record<Feature, [string, string]> = {
  createRun: ["post", "/api/projects/{pid}/runs"],
  recommend: ["post", "/api/projects/{pid}/recommendations"],
  similar: ["post", "/api/projects/{pid}/similar"],
  map: ["get", "/api/projects/{pid}/map"],
  search: ["post", "/api/projects/{pid}/search"],
  searchImage: ["post", "/api/projects/{pid}/search/image"],
  names: ["post", "/api/projects/{pid}/runs/{run_id}/names"],
  places: ["get", "/api/projects/{pid}/map/places"],
  exports: ["post", "/api/projects/{pid}/exports/images"],
};

/** Features present in an OpenAPI ``paths`` object (path parameters may be named differently). */
export function featuresOf(paths: Record<string, Record<string, unknown>>): Set<Feature> {
  const shape = (path: string) => path.replace(/\{[^}]+\}/g, "{}");
  const known = new Map<string, Set<string>>();
  for (const [path, methods] of Object.entries(paths)) known.set(shape(path), new Set(Object.keys(methods)));
  const found = new Set<Feature>();
  for (const [feature, [method, path]] of Object.entries(ROUTES) as [Feature, [string, string]][]) {
    if (known.get(shape(path))?.has(method)) found.add(feature);
  }
  return found;
}

let cached: Promise<Set<Feature>> | null = null;

export function loadFeatures(): Promise<Set<Feature>> {
  cached ??= fetch(new URL("openapi.json", document.baseURI), { credentials: "same-origin" })
    .then((response) => (response.ok ? (response.json() as Promise<{ paths?: Record<string, Record<string, unknown>> }>) : { paths: {} }))
    .then((doc) => featuresOf(doc.paths ?? {}))
    .catch(() => new Set<Feature>(Object.keys(ROUTES) as Feature[])); // unknown: assume everything, errors will say
  return cached;
}

