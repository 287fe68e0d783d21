/**
 * Parameters of "Create clusters": the algorithm, the number of clusters (-1 = automatic), the
 * similarity threshold of near-duplicates, the property of "by tags". "Set as default" keeps
 * them in localStorage; every button starts from the defaults.
 */

import type { ClusterIn } from "../api/types";

export type Algorithm = ClusterIn["algorithm"];

export interface ClusterParams {
  algorithm: Algorithm;
  k: number;
  threshold: number;
  property: number | null;
}

export const ALGORITHMS: { value: Algorithm; label: string; help: string }[] = [
  { value: "kmeans", label: "k-means", help: "Split into the number of clusters you choose." },
  { value: "auto", label: "Automatic", help: "Choose the number of clusters from the data; odd images go to an outliers group." },
  { value: "duplicates", label: "Near-duplicates", help: "Group images more similar than the threshold." },
  { value: "tags", label: "By tags", help: "Put each image with the tag whose images it resembles most." },
];

export const MAX_CLUSTERS = 1000;
/** 0.85: the server's default near-duplicate similarity (see docs/scores.md). */
export const FACTORY: ClusterParams = { algorithm: "auto", k: -1, threshold: 0.85, property: null };
const KEY = "corpuscope.clusterDefaults";

export function usesK(algorithm: Algorithm): boolean {
  return algorithm === "kmeans" || algorithm === "auto";
}

export function usesThreshold(algorithm: Algorithm): boolean {
  return algorithm === "duplicates";
}

/** A sentence per problem; empty when the parameters can run. */
export function problems(params: ClusterParams): string[] {
  const found: string[] = [];
  if (usesK(params.algorithm) && params.k !== -1 && (!Number.isInteger(params.k) || params.k < 1 || params.k > MAX_CLUSTERS)) {
    found.push(`Use -1 to choose the number automatically, or a number from 1 to ${MAX_CLUSTERS}.`);
  }
  if (usesThreshold(params.algorithm) && !(params.threshold > 0 && params.threshold <= 1)) {
    found.push("The similarity threshold must be above 0 and at most 1.");
  }
  if (params.algorithm === "tags" && params.property === null) found.push("Choose the tag property to group by.");
  return found;
}

/** ``k`` typed by the user: -1 means automatic whatever the algorithm says. */
export function normalise(params: ClusterParams): ClusterParams {
  if (params.algorithm === "kmeans" && params.k === -1) return { ...params, algorithm: "auto" };
  if (params.algorithm === "auto" && params.k > 0) return { ...params, algorithm: "kmeans" };
  return params;
}

/** The request body for these parameters. */
export function toRequest(params: ClusterParams): Omit<ClusterIn, "image_ids" | "within"> {
  const p = normalise(params);
  switch (p.algorithm) {
    case "kmeans":
      return { algorithm: "kmeans", k: p.k };
    case "auto":
      return { algorithm: "auto", k: -1 };
    case "duplicates":
      return { algorithm: "duplicates", threshold: p.threshold };
    case "tags":
      return { algorithm: "tags", property: p.property };
  }
}

export function loadDefaults(storage: Pick<Storage, "getItem"> = localStorage): ClusterParams {
  try {
    const raw: unknown = JSON.parse(storage.getItem(KEY) ?? "null");
    if (!raw || typeof raw !== "object") return { ...FACTORY };
    const merged = { ...FACTORY, ...(raw as Partial<ClusterParams>) };
    if (!ALGORITHMS.some((a) => a.value === merged.algorithm)) return { ...FACTORY };
    return problems(merged).length && merged.algorithm !== "tags" ? { ...FACTORY } : merged;
  } catch {
    return { ...FACTORY };
  }
}

export function saveDefaults(params: ClusterParams, storage: Pick<Storage, "setItem"> = localStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify(params));
  } catch {
    // not remembered; nothing else depends on it
  }
}

export function summary(params: ClusterParams): string {
  const p = normalise(params);
  if (p.algorithm === "kmeans") return `k-means, ${p.k} clusters`;
  if (p.algorithm === "auto") return "automatic number of clusters";
  if (p.algorithm === "duplicates") return `near-duplicates ≥ ${p.threshold}`;
  return "by tags";
}
