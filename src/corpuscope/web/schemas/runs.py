"""Clustering runs: starting one, the run tree, saving it as a property."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD
from corpuscope.services.clustering import MAX_CLUSTERS
from corpuscope.services.run_requests import Algorithm, RunRequest
from corpuscope.services.tag_groups import DEFAULT_MIN_SIMILARITY
from corpuscope.web.schemas.common import Id, IdList, Name, Number, Ref, Strict


class WithinIn(Strict):
    run_id: Id
    group_id: Id


class ClusterIn(Strict):
    """``kmeans`` (``k`` groups), ``auto`` (k chosen), ``duplicates`` (``threshold``: least
    duplicate score, ``x-duplicates-default`` when omitted), ``tags`` (each image to the nearest
    tag of ``property``, or unassigned below ``threshold``; ``text_weight``: how much tag names
    count, for models that read text). The images: all, ``image_ids``, or the members of one
    group of an earlier run (``within``)."""

    algorithm: Algorithm = "kmeans"
    k: int = Field(default=-1, ge=-1, le=MAX_CLUSTERS, description="-1: automatic.")
    threshold: Number | None = Field(
        default=None,
        ge=-1,
        le=1,
        description=f"duplicates: the least duplicate score, above 0 and at most 1 (default "
        f"{DEFAULT_THRESHOLD}); tags: the least similarity to a tag (default "
        f"{DEFAULT_MIN_SIMILARITY}).",
        json_schema_extra={"x-duplicates-default": DEFAULT_THRESHOLD},
    )
    property: Ref | None = None
    text_weight: Number = Field(default=0.5, ge=0, le=1)
    model: Name | None = None
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    stability: bool = False
    level: int = Field(
        default=0, ge=-20, le=20, description="auto: 0 = found grain, < 0 finer, > 0 coarser."
    )
    image_ids: IdList | None = None
    within: WithinIn | None = None

    def to_request(self) -> RunRequest:
        return RunRequest(
            algorithm=self.algorithm,
            k=self.k,
            threshold=self.threshold,
            property=self.property,
            text_weight=self.text_weight,
            model=self.model,
            seed=self.seed,
            stability=self.stability,
            image_ids=None if self.image_ids is None else tuple(self.image_ids),
            within=None if self.within is None else (self.within.run_id, self.within.group_id),
            level=self.level,
        )


class RunMemberOut(BaseModel):
    """One image of a group: its score within the group, one path and all its ok paths."""

    image_id: int
    score: float
    path: str
    files: list[str]


class RunGroupOut(BaseModel):
    """Members: ``/images/query`` with ``filter.group_id`` and ``sort.key = "rank"`` (pages,
    values), or inline in ``members`` when the run is read with ``?members=true``. ``label``:
    the name the CLI shows, in English ("Cluster 2.1", "Outliers 3") unless the user named the
    group; ``number`` ("2.1"): what the web app names an unnamed group by, with its ``kind``, in
    the reader's language (and the words it sends when it saves the run)."""

    id: int
    rank: int
    kind: str
    name: str | None
    label: str
    number: str
    score: float | None
    stability: float | None
    similarity: float | None = None
    size: int
    child_run_ids: list[int]
    level: int | None = None
    members: list[RunMemberOut] | None = None


class RunOut(BaseModel):
    """A run and its groups; the CLI's ``cluster --json`` prints the same document
    (``services.runs.describe_run``)."""

    id: int
    parent_run_id: int | None
    parent_group_id: int | None
    algorithm: str
    params: dict[str, Any]
    seed: int | None
    scope: dict[str, Any]
    n_images: int
    seconds: float | None
    saved_property_id: int | None
    created_at: str
    groups: list[RunGroupOut]


class LevelStepIn(Strict):
    """``step``: -1 finer, 1 coarser; ``group_id``: only this cluster (finer: its parts become
    a nested run; coarser: it merges with its neighbours), else the whole run."""

    step: Literal[-1, 1]
    group_id: Id | None = None


GroupWord = Annotated[Name, Field(pattern=r"\{number\}")]


class GroupWordsIn(Strict):
    """What the tags of unnamed groups are called, by the group's kind; ``{number}`` stands
    for the group's number ("Cluster {number}", « Atypiques {number} »)."""

    cluster: GroupWord
    outliers: GroupWord
    unassigned: GroupWord


class SaveRunIn(Strict):
    """``flat``: one tag per leaf group, no hierarchy. ``name``: the new property's name.
    ``words``: the names of unnamed groups' tags (the web app sends its language's); English
    ("Cluster 2.1", "Outliers 3", "Unassigned 4") without them."""

    flat: bool = False
    name: Name | None = None
    words: GroupWordsIn | None = None


class GroupNameIn(Strict):
    name: Name | None


class RunIdsIn(Strict):
    ids: IdList = Field(min_length=1)


class NamesIn(Strict):
    """Words or phrases to choose cluster names from (read by the model's text tower)."""

    vocabulary: list[Name] = Field(min_length=1, max_length=2000)
    top: int = Field(default=3, ge=1, le=20)


class NameSuggestionOut(BaseModel):
    name: str
    score: float


class NamesOut(BaseModel):
    """Group id (as a string) -> suggestions, best first."""

    groups: dict[str, list[NameSuggestionOut]]


class MembersIn(Strict):
    """Images to put into a cluster: they leave the run's other clusters."""

    image_ids: IdList = Field(min_length=1)
