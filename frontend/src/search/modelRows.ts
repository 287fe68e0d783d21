/** The models list of a project: which models have vectors here, which can be chosen. */

import type { ModelOut, ProjectStatusOut, TaskOut } from "../api/types";

export interface ModelRow {
  name: string;
  title: string;
  hasText: boolean;
  /** Images with this model's vectors in the project. */
  vectors: number;
  /** Images in the project. */
  images: number;
  available: boolean;
  reason: string;
  howToEnable: string;
  source: string;
  current: boolean;
  /** A model can be chosen when the project has its vectors or it can compute them here. */
  canChoose: boolean;
  /** It runs here and some images lack its vectors. */
  canCompute: boolean;
  /** The vectors task computing this model's vectors now, if any. */
  task: TaskOut | undefined;
}

/** One row per listed model and per model whose vectors the project has but that is not
 * installed here any more; the project's model is marked ``current``. Models with vectors here
 * come first, then those that can run here, then the others (each group in the server's order). */
export function modelRows(models: ModelOut[], status: ProjectStatusOut | null, tasks: TaskOut[] = []): ModelRow[] {
  const counts = new Map<string, number>();
  for (const set of status?.vector_sets ?? []) counts.set(set.model, Math.max(counts.get(set.model) ?? 0, set.count));
  const images = status?.images ?? 0;
  const running = (name: string) => tasks.find((t) => t.active && t.kind === "vectors" && t.params["model"] === name);
  const row = (name: string, model: ModelOut | undefined): ModelRow => {
    const vectors = counts.get(name) ?? 0;
    const available = model?.available ?? false;
    return {
      name,
      title: model?.title ?? name,
      hasText: model?.has_text ?? false,
      vectors,
      images,
      available,
      reason: model ? model.reason : "this model is not installed on this machine",
      howToEnable: model?.how_to_enable ?? "",
      source: model?.source ?? "",
      current: status?.model === name,
      canChoose: vectors > 0 || available,
      canCompute: available && vectors < images,
      task: running(name),
    };
  };
  const rows = models.map((model) => row(model.name, model));
  const listed = new Set(models.map((m) => m.name));
  for (const name of counts.keys()) if (!listed.has(name)) rows.push(row(name, undefined));
  const rank = (r: ModelRow) => (r.current || r.vectors > 0 ? 0 : r.available ? 1 : 2);
  return rows.map((r, index) => ({ r, index })).sort((a, b) => rank(a.r) - rank(b.r) || a.index - b.index).map(({ r }) => r);
}

/** "1,234 of 2,000 images have its vectors", "No vectors yet", "All 12 images have its vectors". */
export function vectorText(row: ModelRow): string {
  if (row.vectors === 0) return "No vectors in this project yet";
  if (row.vectors >= row.images) return `All ${row.images.toLocaleString("en")} images have its vectors`;
  return `${row.vectors.toLocaleString("en")} of ${row.images.toLocaleString("en")} images have its vectors`;
}
