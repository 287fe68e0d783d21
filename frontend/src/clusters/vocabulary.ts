/** The words the text model may suggest as cluster names: editable, remembered per project. */

export const DEFAULT_VOCABULARY = [
  "portrait", "landscape", "building", "statue", "vase", "coin", "painting", "drawing", "mosaic", "inscription",
  "animal", "horse", "bird", "ship", "flower", "tree", "sea", "sky", "text", "map",
  "pottery", "sculpture", "relief", "fresco", "jewellery", "weapon", "helmet", "column", "temple", "ruins",
];

export function parseVocabulary(text: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const raw of text.split(/[\n,;]+/)) {
    const word = raw.trim();
    if (word && !seen.has(word.toLowerCase())) {
      seen.add(word.toLowerCase());
      words.push(word);
    }
  }
  return words;
}

export function loadVocabulary(project: string, storage: Pick<Storage, "getItem"> = localStorage): string[] {
  try {
    const text = storage.getItem(`corpuscope.vocabulary.${project}`);
    return text ? parseVocabulary(text) : [...DEFAULT_VOCABULARY];
  } catch {
    return [...DEFAULT_VOCABULARY];
  }
}

export function saveVocabulary(project: string, words: string[], storage: Pick<Storage, "setItem"> = localStorage): void {
  try {
    storage.setItem(`corpuscope.vocabulary.${project}`, words.join("\n"));
  } catch {
    // kept for this session only
  }
}
