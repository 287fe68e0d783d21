/** Searching with an image from outside the project: the file a drop, a paste or a pick gives. */

/** The first image file among ``files`` (a drop may carry several, or text only). */
export function imageFile(files: ArrayLike<File> | null | undefined): File | null {
  for (const file of Array.from(files ?? [])) {
    if (file.type.startsWith("image/") || /\.(jpe?g|png|gif|webp|tiff?|bmp|avif|heic|heif)$/i.test(file.name)) return file;
  }
  return null;
}

/** Whether a drag carries files (from the desktop), not text or an element of the page. */
export function carriesFiles(types: ArrayLike<string> | null | undefined): boolean {
  return Array.from(types ?? []).includes("Files");
}

/** A name to show for the image: the file's, or "Pasted image" for a clipboard picture. */
export function imageName(file: File): string {
  return file.name && file.name !== "image.png" ? file.name : "Pasted image";
}
