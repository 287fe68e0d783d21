/**
 * A clustering run and the runs nested under its groups, as grid sections: one collapsible line
 * per cluster (count and score), most coherent first, outliers last; a cluster clustered again
 * shows its sub-clusters instead of its images. Members are listed typical → odd.
 */

import { m } from "../i18n";
import type { GroupWordsIn } from "../api/types";
import type { Section } from "../grid/sections";

export interface RunGroupLike {
  id: number;
  rank: number;
  kind: string;
  name: string | null;
  number: string;
  score: number | null;
  size: number;
  child_run_ids: number[];
}

export interface RunLike {
  id: number;
  algorithm: string;
  params: Record<string, unknown>;
  n_images: number;
  groups: RunGroupLike[];
}

const LAST_KINDS = new Set(["outliers", "unassigned", "noise"]);

/** What a group of a run is called: the name the user gave it, else its kind and number
 * ("Cluster 2.1", « Atypiques 3 ») in the interface's language. */
export function runGroupLabel(group: Pick<RunGroupLike, "kind" | "name" | "number">): string {
  if (group.name) return group.name;
  if (group.kind === "unassigned") return m.run_group_unassigned({ number: group.number });
  if (LAST_KINDS.has(group.kind)) return m.run_group_outliers({ number: group.number });
  return m.run_group_cluster({ number: group.number });
}

/** What a saved run's tags of unnamed groups are called, in the interface's language
 *  (``{number}`` stands for the group's number; the server fills it in). */
export function groupWords(): GroupWordsIn {
  const number = "{number}";
  return {
    cluster: m.run_group_cluster({ number }),
    outliers: m.run_group_outliers({ number }),
    unassigned: m.run_group_unassigned({ number }),
  };
}

/** Clusters first, most coherent (lowest score) first; outliers and unassigned at the end. */
export function orderGroups<T extends RunGroupLike>(groups: T[]): T[] {
  return [...groups].sort((a, b) => {
    const lastA = LAST_KINDS.has(a.kind) ? 1 : 0;
    const lastB = LAST_KINDS.has(b.kind) ? 1 : 0;
    if (lastA !== lastB) return lastA - lastB;
    const scoreA = a.score ?? Number.POSITIVE_INFINITY;
    const scoreB = b.score ?? Number.POSITIVE_INFINITY;
    return scoreA - scoreB || a.rank - b.rank;
  });
}

/** The run shown under a group: its newest nested run that is loaded. */
export function shownChildRun<R extends RunLike>(group: RunGroupLike, runs: ReadonlyMap<number, R>): R | undefined {
  for (const id of [...group.child_run_ids].sort((a, b) => b - a)) {
    const run = runs.get(id);
    if (run) return run;
  }
  return undefined;
}

export function describeRun(run: RunLike): string {
  const clusters = run.groups.filter((g) => !LAST_KINDS.has(g.kind)).length;
  return [m.run_algorithm({ algorithm: run.algorithm }), m.run_clusters_count({ count: clusters }), m.images_count({ count: run.n_images })].join(" · ");
}

export function runSections<R extends RunLike>(
  run: R,
  runs: ReadonlyMap<number, R>,
  closed: ReadonlySet<number> = new Set(),
  depth = 0,
): Section[] {
  return orderGroups(run.groups)
    .filter((group) => !closed.has(group.id))
    .map((group) => {
      const child = shownChildRun(group, runs);
      const children = child ? runSections(child, runs, closed, depth + 1) : [];
      const section: Section = {
        key: `c:${group.id}`,
        kind: LAST_KINDS.has(group.kind) ? "outliers" : "cluster",
        label: runGroupLabel(group),
        depth,
        count: child ? 0 : group.size,
        total: group.size,
        source: child ? null : { filter: { group_id: group.id }, sort: { key: "rank" } },
        children,
        score: group.score,
        groupId: group.id,
        runId: run.id,
      };
      if (child) {
        section.note = describeRun(child);
        section.childRunId = child.id;
      }
      return section;
    });
}
