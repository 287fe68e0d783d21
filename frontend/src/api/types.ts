/**
 * The API's request and response shapes: aliases of the types generated from the server's own
 * OpenAPI schema (``schema.d.ts``, written by ``npm run gen:api``; ``make test`` fails when it is
 * stale). Never write a shape here by hand: change the pydantic schema and regenerate.
 */

import type { components, operations } from "./schema";

type S = components["schemas"];

// --- responses ---------------------------------------------------------------------------
export type ImageOut = S["ImageOut"];
export type ImagePageOut = S["ImagePageOut"];
export type IdPageOut = S["IdPageOut"];
export type TagOut = S["TagOut"];
export type PropertyOut = S["PropertyOut"];
export type GroupOut = S["GroupOut"];
export type GroupingOut = S["GroupingOut"];
export type TaskOut = S["TaskOut"];
export type FileOut = S["FileOut"];
export type MembershipOut = S["MembershipOut"];
export type ImageDetailOut = S["ImageDetailOut"];
export type ProjectOut = S["ProjectOut"];
export type ProjectListOut = S["ProjectListOut"];
export type FolderOut = S["FolderOut"];
export type FileProblemOut = S["FileProblemOut"];
export type VectorSetOut = S["VectorSetOut"];
export type ProjectStatusOut = S["ProjectStatusOut"];
export type ModelOut = S["ModelOut"];
export type ModelChoiceOut = S["ModelChoiceOut"];
export type TaskListOut = S["TaskListOut"];
export type MergeOut = S["MergeOut"];
export type JournalEntryOut = S["JournalEntryOut"];
export type UndoOut = S["UndoOut"];
export type HistoryOut = S["HistoryOut"];
export type ChangedOut = S["ChangedOut"];
export type OkOut = S["OkOut"];
export type RunGroupOut = S["RunGroupOut"];
export type RunMemberOut = S["RunMemberOut"];
export type RunOut = S["RunOut"];
export type MatchOut = S["MatchOut"];
export type MapOut = S["MapOut"];
export type NamesOut = S["NamesOut"];
export type PlacesOut = S["PlacesOut"];

// --- requests ----------------------------------------------------------------------------
export type ConditionIn = S["ConditionIn"];
export type FilterIn = S["FilterIn"];
export type SortIn = S["SortIn"];
export type ImageQueryIn = S["ImageQueryIn"];
export type ClusterIn = S["ClusterIn"];
export type GroupWordsIn = S["GroupWordsIn"];
export type RecommendIn = S["RecommendIn"];
export type ChangeIn = S["ChangeIn"];
export type ExportImagesIn = S["ExportImagesIn"];

// --- parts of the shapes above, named for the code that handles them ----------------------
/** A property or a tag named by its id or its name. */
export type Ref = ConditionIn["property"];
/** One value to compare with, or to set. */
export type Scalar = NonNullable<ConditionIn["value"]>;
/** A value as the server sends it (tags as id lists). */
export type Value = NonNullable<ImageOut["values"]>[string];
/** The types a property can have. */
export type PropertyType = S["PropertyIn"]["type"];
/** A grouping level: a property id or name, "folder", or a date property by year or month. */
export type LevelIn = NonNullable<ExportImagesIn["levels"]>[number];
/** The formats a table export is written in. */
export type TableFormat = NonNullable<
  NonNullable<operations["export_values_api_projects__pid__exports_values_get"]["parameters"]["query"]>["format"]
>;

// --- the UI's own shapes (not sent over HTTP as such) --------------------------------------
/** A ranked image as the search and similar-image lists show it (from a ``MatchOut``). */
export interface ScoredImage {
  id: number;
  score: number;
}

export interface ScoredPage {
  items: ScoredImage[];
  total?: number | null;
}
