/** Typed calls to the corpuscope API, one method per route, bound to one project. */

import { apiUrl, del, get, getBytes, patch, post, postFile, put } from "./http";
import type {
  ChangedOut,
  ChangeIn,
  ClusterIn,
  ExportImagesIn,
  FilterIn,
  FolderOut,
  GroupingOut,
  GroupWordsIn,
  HistoryOut,
  IdPageOut,
  ImageDetailOut,
  ImagePageOut,
  ImageQueryIn,
  LevelIn,
  MatchOut,
  NamesOut,
  RecommendIn,
  ScoredPage,
  MergeOut,
  ModelChoiceOut,
  ModelOut,
  OkOut,
  PlacesOut,
  ProjectListOut,
  ProjectOut,
  ProjectStatusOut,
  PropertyOut,
  PropertyType,
  Ref,
  RunGroupOut,
  RunOut,
  Scalar,
  SortIn,
  TableFormat,
  TagOut,
  TaskListOut,
  TaskOut,
  UndoOut,
} from "./types";

const scored = (page: { items: MatchOut[] }): ScoredPage => ({
  items: page.items.map((item) => ({ id: item.image_id, score: item.score })),
});

export const listProjects = () => get<ProjectListOut>("projects");
export const openProject = (path: string, create = false) => post<ProjectOut>("projects", { path, create });
export const listModels = () => get<ModelOut[]>("models");

export class ProjectApi {
  readonly id: string;
  private readonly base: string;

  constructor(id: string) {
    this.id = id;
    this.base = `projects/${encodeURIComponent(id)}`;
  }

  // --- project, folders, vectors, tasks -------------------------------------------------------
  status = (limit = 20) => get<ProjectStatusOut>(this.base, { limit });
  close = () => post<OkOut>(`${this.base}/close`);
  folders = () => get<FolderOut[]>(`${this.base}/folders`);
  addFolder = (path: string) => post<TaskOut>(`${this.base}/folders`, { path });
  reimportFolder = (folderId: number) => post<TaskOut>(`${this.base}/folders/${folderId}/import`);
  /** Make ``model`` the project's: clustering, the map, similar images and search use it. */
  setModel = (model: string) => put<ModelChoiceOut>(`${this.base}/model`, { model });
  computeVectors = (model?: string) => post<TaskOut>(`${this.base}/vectors`, model ? { model } : {});
  tasks = (active = false, limit = 50) => get<TaskListOut>(`${this.base}/tasks`, { active, limit });
  task = (taskId: number) => get<TaskOut>(`${this.base}/tasks/${taskId}`);
  cancelTask = (taskId: number) => post<TaskOut>(`${this.base}/tasks/${taskId}/cancel`);
  taskEventsUrl = () => apiUrl(`${this.base}/tasks/events`);

  // --- images ---------------------------------------------------------------------------------
  queryImages = (body: ImageQueryIn, signal?: AbortSignal) => post<ImagePageOut>(`${this.base}/images/query`, body, signal);
  imageIds = (filter: FilterIn, sort: SortIn = {}, offset = 0, limit = 100_000, signal?: AbortSignal) =>
    post<IdPageOut>(`${this.base}/images/ids`, { filter, sort, offset, limit }, signal);
  image = (imageId: number) => get<ImageDetailOut>(`${this.base}/images/${imageId}`);
  thumbnailUrl = (imageId: number, size: 128 | 512 = 128) => apiUrl(`${this.base}/images/${imageId}/thumbnail`, { size });
  fileUrl = (imageId: number, fileId?: number) => apiUrl(`${this.base}/images/${imageId}/file`, { file_id: fileId });

  // --- grouping -------------------------------------------------------------------------------
  grouping = (levels: LevelIn[], filter: FilterIn, maxGroups = 500, signal?: AbortSignal) =>
    post<GroupingOut>(`${this.base}/grouping`, { levels, filter, max_groups: maxGroups }, signal);

  // --- properties, tags, values ---------------------------------------------------------------
  properties = () => get<PropertyOut[]>(`${this.base}/properties`);
  createProperty = (name: string, type: PropertyType, mode: "image" | "instance" = "image") =>
    post<PropertyOut>(`${this.base}/properties`, { name, type, mode });
  renameProperty = (propertyId: number, name: string) => patch<PropertyOut>(`${this.base}/properties/${propertyId}`, { name });
  deleteProperty = (propertyId: number) => del<OkOut>(`${this.base}/properties/${propertyId}`);
  createTag = (propertyId: number, name: string, color?: string, parents: number[] = []) =>
    post<TagOut>(`${this.base}/properties/${propertyId}/tags`, { name, parents, ...(color ? { color } : {}) });
  changeTag = (tagId: number, change: { name?: string; color?: string; parents?: number[] }) =>
    patch<TagOut>(`${this.base}/tags/${tagId}`, change);
  deleteTag = (tagId: number) => del<OkOut>(`${this.base}/tags/${tagId}`);
  mergeTags = (survivorId: number, others: number[]) => post<MergeOut>(`${this.base}/tags/${survivorId}/merge`, { others });
  setValues = (propertyId: number, ids: number[], value: Scalar | Ref[]) =>
    post<ChangedOut>(`${this.base}/properties/${propertyId}/values/set`, { ids, value });
  addTags = (propertyId: number, ids: number[], tags: Ref[]) =>
    post<ChangedOut>(`${this.base}/properties/${propertyId}/values/add-tags`, { ids, tags });
  removeTags = (propertyId: number, ids: number[], tags: Ref[]) =>
    post<ChangedOut>(`${this.base}/properties/${propertyId}/values/remove-tags`, { ids, tags });
  clearValues = (propertyId: number, ids: number[]) => post<ChangedOut>(`${this.base}/properties/${propertyId}/values/clear`, { ids });
  /** Several changes on the same images, applied together as one undo step. */
  changeValues = (ids: number[], changes: ChangeIn[], label?: string) =>
    post<ChangedOut>(`${this.base}/values/batch`, { ids, changes, ...(label ? { label } : {}) });

  // --- clustering runs ------------------------------------------------------------------------
  runs = () => get<RunOut[]>(`${this.base}/runs`);
  run = (runId: number) => get<RunOut>(`${this.base}/runs/${runId}`);
  /** Queue a run: a task whose ``result.run_id`` names the run once done. */
  createRun = (body: ClusterIn) => post<TaskOut>(`${this.base}/runs`, body);
  discardRun = (runId: number) => del<OkOut>(`${this.base}/runs/${runId}`);
  /** One level finer (-1) or coarser (1): the whole run, or one cluster; the run to show. */
  stepLevel = (runId: number, step: -1 | 1, groupId: number | null = null) =>
    post<RunOut>(`${this.base}/runs/${runId}/level`, { step, group_id: groupId });
  /** ``words``: what the tags of unnamed groups are called (the interface's language). */
  saveRun = (runId: number, flat: boolean, words: GroupWordsIn, name?: string) =>
    post<PropertyOut>(`${this.base}/runs/${runId}/save`, { flat, words, ...(name ? { name } : {}) });
  nameGroup = (groupId: number, name: string | null) => patch<OkOut>(`${this.base}/groups/${groupId}`, { name });
  /** Put images into a cluster of a run: they leave the run's other clusters. */
  addToGroup = (groupId: number, imageIds: number[]) =>
    post<RunGroupOut>(`${this.base}/groups/${groupId}/members`, { image_ids: imageIds });

  // --- recommendations, similar images, map, search ------------------------------------------
  recommend = (body: RecommendIn, signal?: AbortSignal) =>
    post<{ items: MatchOut[] }>(`${this.base}/recommendations`, body, signal).then(scored);
  refuse = (target: string, imageIds: number[]) => post<OkOut>(`${this.base}/recommendations/refuse`, { target, image_ids: imageIds });
  forgetRefusals = (target: string) => post<OkOut>(`${this.base}/recommendations/forget`, { target });
  similar = (imageId: number, limit = 60, signal?: AbortSignal) =>
    post<{ items: MatchOut[] }>(`${this.base}/similar`, { image_ids: [imageId], limit }, signal).then(scored);
  /** The map's points as bytes (``map/points.ts`` reads them): a quarter of the JSON's size,
   *  and nothing to parse. */
  mapBytes = (signal?: AbortSignal) => getBytes(`${this.base}/map`, "application/octet-stream", signal);
  places = (signal?: AbortSignal) => get<PlacesOut>(`${this.base}/map/places`, undefined, signal);
  computeMap = (refit = true) => post<TaskOut>(`${this.base}/map`, { refit });
  search = (text: string, limit = 200, signal?: AbortSignal) =>
    post<{ items: MatchOut[] }>(`${this.base}/search`, { text, limit }, signal).then(scored);
  /** The project's images ranked by likeness to an image file from anywhere (not stored). */
  searchImage = (file: Blob, limit = 200, signal?: AbortSignal) =>
    postFile<{ items: MatchOut[] }>(`${this.base}/search/image`, file, { limit }, signal).then(scored);
  names = (runId: number, vocabulary: string[]) => post<NamesOut>(`${this.base}/runs/${runId}/names`, { vocabulary });

  // --- exports --------------------------------------------------------------------------------
  /** Copy or link images into a folder on the server's machine, as a task. */
  exportImages = (body: ExportImagesIn) => post<TaskOut>(`${this.base}/exports/images`, body);
  /** Download addresses of the tables (CSV or Parquet). */
  valuesTableUrl = (format: TableFormat) => apiUrl(`${this.base}/exports/values`, { format });
  runTableUrl = (runId: number, format: TableFormat) => apiUrl(`${this.base}/exports/runs/${runId}`, { format });
  mapTableUrl = (format: TableFormat) => apiUrl(`${this.base}/exports/map`, { format });

  // --- undo -----------------------------------------------------------------------------------
  undo = () => post<UndoOut>(`${this.base}/undo`);
  redo = () => post<UndoOut>(`${this.base}/redo`);
  history = (limit = 50) => get<HistoryOut>(`${this.base}/history`, { limit });
}
