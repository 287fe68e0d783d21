/** Small helpers of the export dialog: the last folder used, per project. */

const key = (project: string) => `corpuscope.export-folder.${project}`;

export function lastFolder(storage: Pick<Storage, "getItem"> | undefined, project: string): string {
  try {
    return storage?.getItem(key(project)) ?? "";
  } catch {
    return "";
  }
}

export function rememberFolder(storage: Pick<Storage, "setItem"> | undefined, project: string, folder: string): void {
  try {
    storage?.setItem(key(project), folder);
  } catch {
    // private mode or full storage: the user types it again
  }
}
