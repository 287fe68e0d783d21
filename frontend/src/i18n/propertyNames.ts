/**
 * The name a property shows. The read-only properties filled from the files' metadata at import
 * are stored under an English name ("Date taken"), the same in every language, so that filters,
 * exports and scripts keep working; the interface shows them in its own language, found by their
 * stable field key (`metadata`). The user's own properties show the name they were given.
 * Adding a metadata field on the server: one line here and a message in each catalogue
 * (`tests/web/test_metadata_names.py` checks the keys match).
 */

import type { PropertyOut } from "../api/types";
import { m } from "../paraglide/messages.js";

export const METADATA_NAMES: Readonly<Record<string, () => string>> = {
  taken: m.metadata_taken,
  camera_make: m.metadata_camera_make,
  camera_model: m.metadata_camera_model,
  latitude: m.metadata_latitude,
  longitude: m.metadata_longitude,
  orientation: m.metadata_orientation,
  width: m.metadata_width,
  height: m.metadata_height,
  title: m.metadata_title,
  description: m.metadata_description,
  keywords: m.metadata_keywords,
  artist: m.metadata_artist,
  copyright: m.metadata_copyright,
};

export function propertyName(property: Pick<PropertyOut, "name" | "metadata">): string {
  const label = property.metadata ? METADATA_NAMES[property.metadata] : undefined;
  return label ? label() : property.name;
}
