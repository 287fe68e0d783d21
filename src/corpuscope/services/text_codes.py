"""Texts the server writes in English, with a stable code and params for the user's language.

Undo-history labels (``merge A, B into C``) and task progress messages (``importing photos``)
are written, and stored, as English sentences; stored data stays as it is. The services write
the undo labels from the templates below (``HISTORY_LABELS.write``). The API sends, beside
such a text, the code of the template that wrote it and the values it holds
(``history.merge_tags``, ``{"tags": "A, B", "survivor": "C"}``); the front-end translates the
code (``frontend/src/i18n/historyLabels.ts``, ``tasks/taskText.ts``) and shows the English text
for one that fits no template, or fits one more than one way (a name holding the template's own
words, such as a tag named ``x to y`` in ``rename tag … to …``).
"""

from __future__ import annotations

import re

Params = dict[str, str | int]

#: fields that hold a whole number (written with or without thousands commas)
_NUMBERS = frozenset({"count", "run", "errors", "failed"})
_FIELD = re.compile(r"\{(\w+)\}")


class TextCodes:
    """The templates of one family of texts, by code; ``compute`` reads a text back."""

    def __init__(self, templates: dict[str, str]) -> None:
        self.templates = templates
        self._patterns = [
            (code, _compile(template, lazy=True), _compile(template, lazy=False))
            for code, template in templates.items()
        ]

    def write(self, code: str, **params: str | int) -> str:
        """The English text of ``code`` with ``params``: how the services write these texts, so
        each is spelled once, here."""
        return self.templates[code].format(**params)

    def compute(self, text: str) -> tuple[str, Params] | None:
        """The code and params of ``text``; None when no template fits, or one fits more than
        one way (the English text is then shown as it is). When several fit, the one with the
        most words of its own wins (``importing {folder}, {errors} errors`` over ``importing
        {folder}``); a tie gives None."""
        found: list[tuple[int, str, Params]] = []
        for code, lazy, greedy in self._patterns:
            short, long = lazy.match(text), greedy.match(text)
            if short is None or long is None:
                continue
            if short.groupdict() != long.groupdict():
                return None
            own = len(_FIELD.sub("", self.templates[code]))
            found.append((own, code, _params(short.groupdict())))
        found.sort(key=lambda fit: -fit[0])
        if not found or (len(found) > 1 and found[0][0] == found[1][0]):
            return None
        return found[0][1], found[0][2]


def _compile(template: str, *, lazy: bool) -> re.Pattern[str]:
    text = "(?s)^"
    at = 0
    for field in _FIELD.finditer(template):
        text += re.escape(template[at : field.start()])
        name = field.group(1)
        any_text = f"(?P<{name}>.+{'?' if lazy else ''})"
        text += rf"(?P<{name}>\d[\d,]*)" if name in _NUMBERS else any_text
        at = field.end()
    return re.compile(text + re.escape(template[at:]) + "$", re.IGNORECASE)


def _params(found: dict[str, str]) -> Params:
    return {
        name: int(value.replace(",", "")) if name in _NUMBERS else value
        for name, value in found.items()
    }


#: the undo labels the services write (services/annotations.py, csv_io.py, runs.py)
HISTORY_LABELS = TextCodes(
    {
        "history.create_property": "create property {name}",
        "history.rename_property": "rename property {old} to {new}",
        "history.delete_property": "delete property {name}",
        "history.set_parents": "set the parents of {tag}",
        "history.set_values": "set {property} on {count} images",
        "history.tag_images": "tag {count} images in {property}",
        "history.untag_images": "untag {count} images in {property}",
        "history.clear_values": "clear {property} on {count} images",
        "history.change_values": "change {properties} on {count} images",
        "history.create_tag": "create tag {name}",
        "history.rename_tag": "rename tag {old} to {new}",
        "history.recolour_tag": "recolour tag {tag}",
        "history.add_parent": "add a parent to {tag}",
        "history.remove_parent": "remove a parent of {tag}",
        "history.delete_tag": "delete tag {name}",
        "history.merge_tags": "merge {tags} into {survivor}",
        "history.import_csv": "import values from CSV",
        "history.save_clustering": "save clustering {run} as {name}",
    }
)

#: the progress messages of the tasks (services/task_kinds.py, clustering.py, duplicates.py,
#: tag_groups.py, folder_export.py, analysis/duplicates.py); read regardless of case
TASK_MESSAGES = TextCodes(
    {
        "task.importing": "importing {folder}",
        "task.importing_errors": "importing {folder}, {errors} errors",
        "task.vectors": "{model} vectors",
        "task.vectors_failed": "{model} vectors, {failed} failed",
        "task.map_layout": "laying out the map",
        "task.map_ready": "map ready",
        "task.loading_vectors": "Loading vectors",
        "task.clustering": "Clustering {count} images",
        "task.linking_neighbours": "Linking each image to its nearest neighbours",
        "task.finding_levels": "Finding groups at every level",
        "task.scoring_groups": "Scoring the groups",
        "task.saving_run": "Saving the run",
        "task.done": "Done",
        "task.fingerprinting": "Fingerprinting images",
        "task.reading_fingerprints": "Reading fingerprints",
        "task.comparing_pictures": "Comparing pictures",
        "task.recording_groups": "Recording the groups",
        "task.comparing_layouts": "Comparing layouts",
        "task.checking_details": "Checking details",
        "task.grouping": "Grouping",
        "task.assigning": "assigning {count} images to tags",
        "task.saving_groups": "saving the groups",
        "task.copying": "copying images to {folder}",
        "task.linking": "linking images to {folder}",
        "task.exported": "exported",
    }
)
