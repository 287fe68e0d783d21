/**
 * What accepting a recommended image means for the group it was recommended to: the values that
 * make an image belong there. Grouped by several properties, the image takes every level's value
 * (the parent groups' too); a cluster of a saved run gives its tag in the saved property, and a
 * cluster of an unsaved run takes the image as a member.
 */

import type { ChangeIn, PropertyOut, Scalar } from "../api/types";
import type { Level } from "../grid/groupTree";
import type { Section } from "../grid/sections";
import { m } from "../i18n";

export type Step =
  | { kind: "member"; group: number }
  | { kind: "tag"; property: number; tag: number }
  | { kind: "value"; property: number; value: Scalar }
  | { kind: "clear"; property: number };

/**
 * The name under which refusals of a group are remembered: ``group:<id>`` for a cluster,
 * ``tag:<id>`` for a tag's group, ``grid:<property>=<key>/...`` for nested or scalar groups.
 */
export function targetOf(section: Section, levels: Level[] = []): string {
  if (section.groupId !== undefined) return `group:${section.groupId}`;
  const path = section.path ?? [];
  if (path.length === 1 && levels[0]?.kind === "tags" && path[0] !== null) return `tag:${path[0]}`;
  const parts = path.map((key, i) => `${levels[i]?.ref ?? "?"}=${JSON.stringify(key)}`);
  return `grid:${parts.join("/")}`;
}

/** The steps that put an image into ``section``; a reason instead when it cannot be done. */
export function acceptSteps(section: Section, levels: Level[], savedTag?: number): Step[] | string {
  if (section.groupId !== undefined) {
    // an unsaved run: the image joins the cluster (and leaves the run's other clusters)
    if (savedTag === undefined) return [{ kind: "member", group: section.groupId }];
    return [];
  }
  const steps: Step[] = [];
  for (const [i, key] of (section.path ?? []).entries()) {
    const level = levels[i];
    if (!level) return m.recs_levels_unknown();
    if (level.kind === "folder") return m.recs_no_folder_move();
    const property = level.ref as number;
    if (key === null) steps.push({ kind: "clear", property });
    else if (level.kind === "tags") steps.push({ kind: "tag", property, tag: Number(key) });
    else steps.push({ kind: "value", property, value: key });
  }
  return steps;
}

/** For a cluster of a saved run: its tag in the saved property (matched by the cluster's label). */
export function savedTagOf(section: Section, saved: PropertyOut | undefined): number | undefined {
  if (!saved) return undefined;
  return saved.tags?.find((t) => t.name === section.label)?.id;
}

/** The value steps as one batch of changes (one undo step); ``member`` steps are not values. */
export function changesOf(steps: Step[], typeOf: (property: number) => string | undefined): ChangeIn[] {
  const changes: ChangeIn[] = [];
  for (const step of steps) {
    if (step.kind === "clear") changes.push({ property: step.property, op: "clear" });
    else if (step.kind === "value") changes.push({ property: step.property, op: "set", value: step.value });
    else if (step.kind === "tag") {
      const multi = typeOf(step.property) === "multi_tags";
      changes.push({ property: step.property, op: multi ? "add-tags" : "set", value: [step.tag] });
    }
  }
  return changes;
}
