/**
 * Clustering runs the workspace shows: the run on screen and the runs nested under its groups,
 * loaded on demand; creating, nesting, discarding and saving runs; cluster lines the user closed.
 */

import type { ClusterIn, PropertyOut, RunOut, TaskOut } from "../api/types";
import { ApiError } from "../api/http";
import { m } from "../i18n";
import { messageOf, notify, showError } from "../lib/toasts.svelte";
import type { Session } from "../project/session.svelte";
import { groupWords } from "./runTree";

export class RunStore {
  loaded = $state.raw<ReadonlyMap<number, RunOut>>(new Map());
  closed = $state.raw<ReadonlySet<number>>(new Set());
  list = $state.raw<RunOut[]>([]);
  error = $state<string | null>(null);
  /** Names the text model suggests, by group id. */
  suggestions = $state.raw<Record<string, { name: string; score: number }[]>>({});
  /** The run being computed, as a task: where it was started ("root" or a group id), and the
   * task's id once the server has queued it. */
  pending = $state<{ where: "root" | number; taskId: number | null } | null>(null);
  /** Where a step to a finer or coarser level is being fetched ("root" or a group id). */
  private stepping = $state<"root" | number | null>(null);
  private seen = -1;

  constructor(private readonly session: Session) {
    this.closed = new Set(this.readClosed());
  }

  /** "root" or a group id while a clustering is computed, or a level fetched, there. */
  get busy(): "root" | number | null {
    return this.pending?.where ?? this.stepping;
  }

  /** The task computing the pending run, with its live progress. */
  get task(): TaskOut | undefined {
    const id = this.pending?.taskId;
    return id == null ? undefined : this.session.tasks.find((t) => t.id === id);
  }

  get(id: number): RunOut | undefined {
    return this.loaded.get(id);
  }

  /** Whether a loaded run kept levels to show it finer or coarser. */
  hasLevels(id: number): boolean {
    const levels = this.loaded.get(id)?.params.levels;
    return typeof levels === "number" && levels > 1;
  }

  /** Load a run and every run nested below it (again when the data version moved). */
  async ensure(id: number, version: number): Promise<void> {
    if (this.loaded.has(id) && version === this.seen) return;
    this.seen = version;
    try {
      const found = new Map<number, RunOut>();
      const pending = [id];
      while (pending.length) {
        const run = await this.session.api.run(pending.shift()!);
        found.set(run.id, run);
        for (const group of run.groups) pending.push(...group.child_run_ids);
      }
      this.loaded = found;
      this.error = null;
    } catch (error) {
      this.error = messageOf(error);
    }
  }

  async refreshList(): Promise<void> {
    try {
      this.list = await this.session.api.runs();
    } catch (error) {
      showError(error);
    }
  }

  /** Create a run on the images of the current view (all of them when nothing filters it); it
   * opens once its task is done. */
  async create(params: Omit<ClusterIn, "image_ids" | "within">, imageIds: number[] | null): Promise<RunOut | null> {
    const run = await this.compute("root", { ...params, image_ids: imageIds });
    if (run) {
      this.loaded = new Map([[run.id, run]]);
      this.session.view = { ...this.session.view, run: run.id };
      void this.refreshList();
    }
    return run;
  }

  /** Cluster one group again; its sub-clusters replace its images in the tree. */
  async nest(runId: number, groupId: number, params: Omit<ClusterIn, "image_ids" | "within">): Promise<void> {
    const child = await this.compute(groupId, { ...params, within: { run_id: runId, group_id: groupId } });
    if (!child) return;
    try {
      const parent = await this.session.api.run(runId);
      const next = new Map(this.loaded);
      next.set(parent.id, parent);
      next.set(child.id, child);
      this.loaded = next;
    } catch (error) {
      showError(error);
    }
  }

  private async compute(where: "root" | number, body: ClusterIn): Promise<RunOut | null> {
    if (this.pending) {
      notify(m.runs_busy());
      return null;
    }
    this.pending = { where, taskId: null };
    try {
      const run = await this.session.createRun(body, (task) => (this.pending = { where, taskId: task.id }));
      if (!run) notify(m.runs_cancelled());
      return run;
    } catch (error) {
      showError(error);
      return null;
    } finally {
      this.pending = null;
    }
  }

  /**
   * One level finer (-1) or coarser (1), from the levels an automatic run kept: the whole run,
   * or one cluster (finer: its parts hang under it; coarser: it merges with its neighbours).
   * "No finer grouping found" and the like come as a notice, not an error.
   */
  async step(runId: number, step: -1 | 1, groupId: number | null = null): Promise<void> {
    const root = this.session.view.run;
    this.stepping = groupId ?? "root";
    try {
      await this.session.api.stepLevel(runId, step, groupId);
      // the groups were replaced (SQLite may give a new group an old id): every view refetches
      await this.session.changed();
      if (root !== null && root !== undefined) {
        this.seen = Number.NaN;
        await this.ensure(root, -1);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) notify(error.message);
      else showError(error);
    } finally {
      this.stepping = null;
    }
  }

  /** Forget a run (and the runs under it); the root run closes the workspace. */
  async discard(runId: number): Promise<void> {
    try {
      const run = this.loaded.get(runId);
      await this.session.api.discardRun(runId);
      if (this.session.view.run === runId) {
        this.session.view = { ...this.session.view, run: null };
        this.loaded = new Map();
      } else if (run?.parent_run_id) {
        const parent = await this.session.api.run(run.parent_run_id);
        const next = new Map(this.loaded);
        next.delete(runId);
        next.set(parent.id, parent);
        this.loaded = next;
      }
      void this.refreshList();
    } catch (error) {
      showError(error);
    }
  }

  async save(runId: number, flat: boolean, name?: string): Promise<PropertyOut | null> {
    try {
      const property = await this.session.api.saveRun(runId, flat, groupWords(), name);
      await this.session.changed();
      notify(m.runs_saved({ name: property.name }));
      return property;
    } catch (error) {
      showError(error);
      return null;
    }
  }

  async rename(groupId: number, name: string | null): Promise<void> {
    try {
      await this.session.api.nameGroup(groupId, name);
      const runId = [...this.loaded.values()].find((r) => r.groups.some((g) => g.id === groupId))?.id;
      if (runId !== undefined) {
        const run = await this.session.api.run(runId);
        this.loaded = new Map(this.loaded).set(run.id, run);
      }
    } catch (error) {
      showError(error);
    }
  }

  /** Ask the text model for names of every cluster of the loaded runs. */
  async suggest(vocabulary: string[]): Promise<void> {
    try {
      const found: Record<string, { name: string; score: number }[]> = {};
      for (const run of this.loaded.values()) Object.assign(found, (await this.session.api.names(run.id, vocabulary)).groups);
      this.suggestions = found;
    } catch (error) {
      showError(error);
    }
  }

  close(groupId: number): void {
    this.closed = new Set(this.closed).add(groupId);
    this.writeClosed();
  }

  reopenAll(run: RunOut): void {
    const ids = new Set<number>();
    const visit = (r: RunOut) => {
      for (const group of r.groups) {
        ids.add(group.id);
        for (const child of group.child_run_ids) {
          const nested = this.loaded.get(child);
          if (nested) visit(nested);
        }
      }
    };
    visit(run);
    this.closed = new Set([...this.closed].filter((id) => !ids.has(id)));
    this.writeClosed();
  }

  closedIn(run: RunOut): number {
    let count = 0;
    const visit = (r: RunOut) => {
      for (const group of r.groups) {
        if (this.closed.has(group.id)) count++;
        for (const child of group.child_run_ids) {
          const nested = this.loaded.get(child);
          if (nested) visit(nested);
        }
      }
    };
    visit(run);
    return count;
  }

  private get storageKey(): string {
    return `corpuscope.closed.${this.session.api.id}`;
  }

  private readClosed(): number[] {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(this.storageKey) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter((v): v is number => typeof v === "number") : [];
    } catch {
      return [];
    }
  }

  private writeClosed(): void {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify([...this.closed].slice(-5000)));
    } catch {
      // the lines reopen on reload; nothing is lost
    }
  }
}
