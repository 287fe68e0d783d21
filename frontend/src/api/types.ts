/**
 * The API's request and response shapes. Hand-written from the back-end's pydantic schemas
 * until /openapi.json is available; then these become aliases of the generated schema.
 */

export type Scalar = boolean | number | string;
export type Ref = number | string;
export type Value = boolean | number | string | number[];

export interface ConditionIn {
  property: Ref;
  op: "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "contains" | "empty" | "not_empty" | "any" | "all" | "none";
  value?: Scalar | null;
  tags?: Ref[];
  descendants?: boolean;
}

export interface FilterIn {
  folder_ids?: number[];
  status?: "ok" | "missing" | null;
  path_contains?: string | null;
  image_ids?: number[] | null;
  group_id?: number | null;
  conditions?: ConditionIn[];
}

export interface SortIn {
  key?: "id" | "path" | "property" | "rank";
  property?: Ref | null;
  descending?: boolean;
}

export interface ImageOut {
  id: number;
  sha1: string;
  width: number;
  height: number;
  format: string;
  created_at: string;
  folder_id: number | null;
  path: string | null;
  status: string;
  rank?: number | null;
  score?: number | null;
  values?: Record<string, Value>;
}

export interface ImagePageOut {
  total: number;
  offset: number;
  limit: number;
  items: ImageOut[];
}

export interface IdPageOut {
  total: number;
  offset: number;
  ids: number[];
}

export interface TagOut {
  id: number;
  property_id: number;
  name: string;
  color: string;
  parents: number[];
  count?: number;
}

export interface PropertyOut {
  id: number;
  name: string;
  type: string;
  mode: string;
  /** The metadata field a read-only property holds (read from the files at import). */
  metadata?: string | null;
  /** Values read from the files: filter, sort, group and export them, never edit them. */
  read_only?: boolean;
  tags?: TagOut[];
}

export interface GroupOut {
  key: string | number | boolean | null;
  label: string;
  count: number;
  color?: string | null;
  total?: number | null;
  depth?: number;
  parents?: number[];
  children?: GroupOut[];
  truncated?: number;
}

export interface GroupingOut {
  total: number;
  levels: string[];
  groups: GroupOut[];
  truncated: number;
}

export interface TaskOut {
  id: number;
  kind: string;
  params: Record<string, unknown>;
  status: string;
  active: boolean;
  done: number;
  total: number;
  message: string;
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ImageQueryIn {
  filter?: FilterIn;
  sort?: SortIn;
  offset?: number;
  limit?: number;
  properties?: Ref[];
}

export interface FileOut {
  id: number;
  folder_id: number;
  folder: string;
  path: string;
  size: number | null;
  status: string;
  error: string | null;
  updated_at: string;
}

export interface MembershipOut {
  run_id: number;
  group_id: number;
  group_rank: number;
  kind: string;
  name: string | null;
  rank: number;
  score: number | null;
}

export interface ImageDetailOut extends ImageOut {
  files: FileOut[];
  file_values: Record<string, Record<string, Value>>;
  groups: MembershipOut[];
}

export interface ProjectOut {
  id: string;
  path: string;
  name: string;
  open: boolean;
  opened_at?: string | null;
}

export interface ProjectListOut {
  projects: ProjectOut[];
  /** The project the server was started with (opened first), if any. */
  start?: string | null;
}

export interface FolderOut {
  id: number;
  path: string;
  added_at: string;
  imported_at: string | null;
  images: number;
}

export interface FileProblemOut {
  folder: string;
  path: string;
  status: string;
  reason: string | null;
}

export interface VectorSetOut {
  model: string;
  version: string;
  dim: number;
  count: number;
}

export interface ProjectStatusOut {
  id: string;
  path: string;
  name: string;
  files: number;
  images: number;
  ok: number;
  errors: number;
  missing: number;
  properties: number;
  folders: FolderOut[];
  vector_sets: VectorSetOut[];
  /** The model the project works with: clustering, map, similar images, search use it. */
  model: string;
  error_files: FileProblemOut[];
  missing_files: FileProblemOut[];
}

export interface ModelOut {
  name: string;
  title: string;
  dim: number;
  has_text: boolean;
  available: boolean;
  reason: string;
  how_to_enable: string;
  size: string;
  speed: string;
  location: string;
  is_default: boolean;
  /** bundled, hugging-face, file (an ONNX file added by the user) or plugin (a package). */
  source: string;
  looks_in: string[];
  needs: string[];
}

export interface ModelChoiceOut {
  model: string;
  chosen: boolean;
  vectors: number;
}

export interface TaskListOut {
  tasks: TaskOut[];
}

export interface MergeOut {
  survivor: TagOut;
  merged: number;
  links_dropped: number;
}

export interface JournalEntryOut {
  id: number;
  label: string;
  undone: boolean;
  created_at: string;
}

export interface UndoOut {
  entry: JournalEntryOut | null;
}

export interface HistoryOut {
  entries: JournalEntryOut[];
}

export interface ChangedOut {
  changed: number;
}

export interface OkOut {
  ok: boolean;
}

export type PropertyType = "tag" | "multi_tags" | "text" | "number" | "date" | "url" | "checkbox" | "color";

/** A clustering group of a run (members are fetched with filter.group_id, sort "rank"). */
export interface RunGroupOut {
  id: number;
  rank: number;
  kind: string;
  name: string | null;
  label: string;
  score: number | null;
  stability: number | null;
  /** Near-duplicate groups: the least similarity between two members (0..1). */
  similarity?: number | null;
  size: number;
  child_run_ids: number[];
}

export interface RunOut {
  id: number;
  parent_run_id: number | null;
  parent_group_id: number | null;
  algorithm: string;
  params: Record<string, unknown>;
  seed: number | null;
  scope: Record<string, unknown>;
  n_images: number;
  seconds: number | null;
  saved_property_id: number | null;
  created_at: string;
  groups: RunGroupOut[];
}

export interface ClusterIn {
  algorithm: "kmeans" | "auto" | "duplicates" | "tags";
  k?: number;
  threshold?: number;
  property?: number | null;
  image_ids?: number[] | null;
  within?: { run_id: number; group_id: number } | null;
}

// --- part 2: recommendations, similar images, map, search (contracts the UI needs) ----------

export interface ScoredImage {
  id: number;
  score: number;
}

export interface ScoredPage {
  items: ScoredImage[];
  total?: number | null;
}

export interface RecommendIn {
  /** A stable name of the group (``tag:<id>``, ``group:<id>``, ``grid:...``): refusals are kept per target. */
  target: string;
  /** The group's images (its members define what is similar). */
  image_ids?: number[] | null;
  /** Only propose these images (e.g. the current view's). */
  restrict_to?: number[] | null;
  offset?: number;
  limit?: number;
  min_score?: number | null;
}

/** The server's match: ``score`` the cosine similarity, ``z_score`` how far above the corpus average. */
export interface MatchOut {
  image_id: number;
  score: number;
  z_score?: number;
}

export interface MapOut {
  ids: number[];
  x: number[];
  y: number[];
  model?: string;
  method?: string;
}

export interface NamesOut {
  groups: Record<string, { name: string; score: number }[]>;
}

/** One change of ``POST values/batch``: several changes on the same images, one undo step. */
export interface ChangeIn {
  property: number;
  op: "set" | "add-tags" | "remove-tags" | "clear";
  value?: Scalar | Ref[] | null;
}

/** A grouping level: a property id or name, "folder", or a date property by year or month. */
export type LevelIn = number | string | { property: Ref; by: "year" | "month" };

/** The images whose files hold a GPS position, in degrees. */
export interface PlacesOut {
  ids: number[];
  latitude: number[];
  longitude: number[];
}

/** Copy (or link) images into a folder: exactly one of image_ids, run_id, group_id, levels. */
export interface ExportImagesIn {
  folder: string;
  link?: boolean;
  image_ids?: number[] | null;
  run_id?: number | null;
  group_id?: number | null;
  levels?: LevelIn[];
  key?: (Scalar | null)[];
  filter?: FilterIn;
}

export type TableFormat = "csv" | "parquet";
