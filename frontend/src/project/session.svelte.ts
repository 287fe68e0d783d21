/**
 * One open project in the UI: its API, status, properties, live tasks, the current view and the
 * selection. Components read it; anything that changes data on the server calls ``changed()``,
 * which bumps ``version`` so every view refetches what it shows.
 */

import type { Feature } from "../api/capabilities";
import { loadFeatures } from "../api/capabilities";
import { ProjectApi, listModels } from "../api/client";
import type { ClusterIn, ModelOut, ProjectStatusOut, PropertyOut, RunOut, TaskOut } from "../api/types";
import type { Selection } from "../grid/selection";
import { EMPTY } from "../grid/selection";
import { showError } from "../lib/toasts.svelte";
import type { ViewState } from "../view/viewState";
import { defaultState } from "../view/viewState";

/** What the search panel shows: images matching a text, or like an image from outside. */
export type SearchQuery = { kind: "text"; text: string } | { kind: "image"; file: Blob; name: string };

export class Session {
  readonly api: ProjectApi;
  status = $state<ProjectStatusOut | null>(null);
  properties = $state<PropertyOut[]>([]);
  models = $state<ModelOut[]>([]);
  tasks = $state<TaskOut[]>([]);
  view = $state<ViewState>(defaultState());
  selection = $state.raw<Selection>(EMPTY);
  /** Bumped after every change on the server; views refetch when it moves. */
  version = $state(0);
  /** The text or outside image being searched (results in a side panel), if any. */
  search = $state.raw<SearchQuery | null>(null);
  /** Whether the models list (the model chooser) is open. */
  modelsOpen = $state(false);
  /** The image shown in the modal, if any. */
  openImage = $state<number | null>(null);
  loadError = $state<unknown>(null);
  /** What the server can do (features whose routes it lacks are hidden). */
  features = $state.raw<ReadonlySet<Feature>>(new Set());

  private events: EventSource | null = null;
  private finished = new Set<number>();
  private waiters = new Map<number, { resolve: (task: TaskOut) => void; reject: (error: unknown) => void }[]>();
  private polling = false;

  constructor(projectId: string) {
    this.api = new ProjectApi(projectId);
  }

  get activeTasks(): TaskOut[] {
    return this.tasks.filter((t) => t.active);
  }

  /** The model the project works with (the chosen one; else the server's default rule). */
  get projectModel(): ModelOut | undefined {
    const name = this.status?.model;
    return this.models.find((m) => m.name === name) ?? this.models.find((m) => m.is_default);
  }

  /** The project's model (an older name, kept for the views that use it). */
  get defaultModel(): ModelOut | undefined {
    return this.projectModel;
  }

  /** The number of images with vectors of the project's model. */
  get vectorCount(): number {
    const model = this.status?.model ?? this.projectModel?.name;
    return this.status?.vector_sets.find((v) => v.model === model)?.count ?? 0;
  }

  /** Work with another model: every view refetches with its vectors. */
  async chooseModel(name: string): Promise<void> {
    await this.api.setModel(name);
    await this.changed();
  }

  can(feature: Feature): boolean {
    return this.features.has(feature);
  }

  property(id: number | string | null | undefined): PropertyOut | undefined {
    return this.properties.find((p) => p.id === id || p.name === id);
  }

  async load(): Promise<void> {
    try {
      const [status, properties, tasks] = await Promise.all([this.api.status(), this.api.properties(), this.api.tasks(false, 20)]);
      this.status = status;
      this.properties = properties;
      this.tasks = tasks.tasks;
      for (const task of tasks.tasks) if (!task.active) this.finished.add(task.id);
      this.loadError = null;
    } catch (error) {
      this.loadError = error;
      return;
    }
    listModels().then((models) => (this.models = models), showError);
    loadFeatures().then((features) => (this.features = features), showError);
    this.listen();
  }

  /** Something changed on the server: refetch status and properties, and tell the views. */
  async changed(): Promise<void> {
    this.version++;
    try {
      const [status, properties] = await Promise.all([this.api.status(), this.api.properties()]);
      this.status = status;
      this.properties = properties;
    } catch (error) {
      showError(error);
    }
  }

  /** Start a run (a task on the server), wait for it and load it; null when it was cancelled.
   * ``onqueued`` hears of the task at once (to show its progress and offer to cancel it); a run
   * that failed throws the server's sentence. */
  async createRun(body: ClusterIn, onqueued?: (task: TaskOut) => void): Promise<RunOut | null> {
    const queued = await this.api.createRun(body);
    onqueued?.(queued);
    const task = await this.whenFinished(queued.id);
    if (task.status === "failed") throw new Error(task.error ?? "The run failed.");
    const runId = task.result?.["run_id"];
    if (task.status !== "done" || typeof runId !== "number") return null;
    return this.api.run(runId);
  }

  /** The task once it is no longer queued or running (followed by the task events, and by
   * polling every 2 s in case an event was missed). */
  whenFinished(taskId: number): Promise<TaskOut> {
    return new Promise((resolve, reject) => {
      this.waiters.set(taskId, [...(this.waiters.get(taskId) ?? []), { resolve, reject }]);
      void this.poll();
    });
  }

  private settle(tasks: TaskOut[]): void {
    for (const task of tasks) {
      const waiting = this.waiters.get(task.id);
      if (task.active || !waiting) continue;
      this.waiters.delete(task.id);
      for (const waiter of waiting) waiter.resolve(task);
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.waiters.size) {
        await new Promise((wake) => setTimeout(wake, 2000));
        for (const id of [...this.waiters.keys()]) {
          try {
            this.settle([await this.api.task(id)]);
          } catch (error) {
            for (const waiter of this.waiters.get(id) ?? []) waiter.reject(error);
            this.waiters.delete(id);
          }
        }
      }
    } finally {
      this.polling = false;
    }
  }

  private listen(): void {
    if (this.events || typeof EventSource === "undefined") return;
    this.events = new EventSource(this.api.taskEventsUrl());
    this.events.addEventListener("tasks", (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { tasks: TaskOut[] };
      this.tasks = data.tasks;
      this.settle(data.tasks);
      let finishedNow = false;
      for (const task of data.tasks) {
        if (!task.active && !this.finished.has(task.id)) {
          this.finished.add(task.id);
          finishedNow = true;
        }
      }
      if (finishedNow || data.tasks.some((t) => t.active)) void this.changedQuietly();
    });
  }

  private refreshing = false;
  private lastRefresh = 0;

  /** While tasks run, refresh counts at most every 2 s so new images show up as they arrive. */
  private async changedQuietly(): Promise<void> {
    const now = performance.now();
    const anyActive = this.tasks.some((t) => t.active);
    if (this.refreshing || (anyActive && now - this.lastRefresh < 2000)) return;
    this.refreshing = true;
    this.lastRefresh = now;
    try {
      await this.changed();
    } finally {
      this.refreshing = false;
    }
  }

  close(): void {
    this.events?.close();
    this.events = null;
  }
}
