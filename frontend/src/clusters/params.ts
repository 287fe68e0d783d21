/**
 * Parameters of "Create clusters": the algorithm, the number of clusters (-1 = automatic), the
 * similarity threshold of near-duplicates, the property of "by tags". "Set as default" keeps
 * them in localStorage; every button starts from the defaults.
 */

import { DUPLICATE_THRESHOLD, MAX_CLUSTERS } from "../api/constants";
import type { ClusterIn } from "../api/types";
import { formatDecimal, formatNumber, m } from "../i18n";

export { MAX_CLUSTERS };

export type Algorithm = NonNullable<ClusterIn["algorithm"]>;

export interface ClusterParams {
  algorithm: Algorithm;
  k: number;
  threshold: number;
  property: number | null;
}

/** The algorithms, with their texts as messages (called where they render). */
export const ALGORITHMS: { value: Algorithm; label: () => string; help: () => string }[] = [
  { value: "kmeans", label: m.cluster_algo_kmeans, help: m.cluster_algo_kmeans_help },
  { value: "auto", label: m.cluster_algo_auto, help: m.cluster_algo_auto_help },
  { value: "duplicates", label: m.cluster_algo_duplicates, help: m.cluster_algo_duplicates_help },
  { value: "tags", label: m.cluster_algo_tags, help: m.cluster_algo_tags_help },
];

/** The near-duplicate threshold is the server's default (see docs/scores.md). */
export const FACTORY: ClusterParams = { algorithm: "auto", k: -1, threshold: DUPLICATE_THRESHOLD, property: null };
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
    found.push(m.cluster_problem_k({ max: formatNumber(MAX_CLUSTERS) }));
  }
  if (usesThreshold(params.algorithm) && !(params.threshold > 0 && params.threshold <= 1)) {
    found.push(m.cluster_problem_threshold());
  }
  if (params.algorithm === "tags" && params.property === null) found.push(m.cluster_problem_property());
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
  if (p.algorithm === "kmeans") return m.cluster_summary_kmeans({ count: p.k });
  if (p.algorithm === "auto") return m.cluster_summary_auto();
  if (p.algorithm === "duplicates") return m.cluster_summary_duplicates({ threshold: formatDecimal(p.threshold, 2) });
  return m.cluster_summary_tags();
}
