"""DataVec's input splits, path filters and label generators: which files, in which order, with which label.

Mirrors ``org.datavec.api.split.FileSplit`` / ``CollectionInputSplit`` / ``BaseInputSplit#sample``,
``org.datavec.api.io.filters.RandomPathFilter`` / ``BalancedPathFilter`` and
``org.datavec.api.io.labels.ParentPathLabelGenerator`` (DataVec 1.0.0-M2.1), down to the order:

* ``FileSplit`` lists a folder breadth first, each folder in the order the file system returns its entries
  (Java's ``File.listFiles`` and Python's ``os.listdir`` both return ``readdir``'s order), keeping the files
  whose name ends with one of the allowed formats (``SuffixFileFilter``: case-sensitive, no dot);
* with a Random, the iteration order is ``MathUtils.shuffleArray`` over the indices, drawn again at every
  ``reset()`` (``locations()`` keeps the listing order; ``sample`` and the path filters work on it);
* ``RandomPathFilter`` shuffles with ``Collections.shuffle``; ``BalancedPathFilter`` then takes the same
  number of paths per label, round robin over the labels in order of first appearance.

With :class:`~pydl4j_transfer.data.javarandom.JavaRandom` (``java.util.Random``) and the same seed, the
same folder gives DL4J's order (tests/data/test_images_live_dl4j.py). Paths are plain strings here
(DL4J: ``URI``s).
"""

from __future__ import annotations

import os
from collections import deque

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.data.javarandom import as_java_random, collections_shuffle, shuffle_array

__all__ = ["InputSplit", "FileSplit", "CollectionInputSplit", "PathLabelGenerator", "ParentPathLabelGenerator",
           "PathFilter", "RandomPathFilter", "BalancedPathFilter"]


class PathLabelGenerator(JavaNames):
    """Mirrors org.datavec.api.io.labels.PathLabelGenerator (the protocol)."""

    def getLabelForPath(self, path):
        raise NotImplementedError

    def inferLabelClasses(self) -> bool:
        return True


class ParentPathLabelGenerator(PathLabelGenerator):
    """Mirrors org.datavec.api.io.labels.ParentPathLabelGenerator: the label is the parent folder's name."""

    def getLabelForPath(self, path) -> str:
        return os.path.basename(os.path.dirname(os.fspath(path)))

    def inferLabelClasses(self) -> bool:
        return True


class InputSplit(JavaNames):
    """Mirrors org.datavec.api.split.BaseInputSplit: a list of locations and an iteration order over it."""

    def __init__(self):
        self._paths: list[str] = []
        self._order = None  # DL4J's iterationOrder (indices), or None: listing order

    def locations(self) -> list:
        """Mirrors locations(): every path, in listing order (not the shuffled iteration order)."""
        return list(self._paths)

    def locationsPathIterator(self):
        """Mirrors locationsPathIterator(): the paths in iteration order."""
        if self._order is None:
            return iter(list(self._paths))
        return (self._paths[i] for i in list(self._order))

    def length(self) -> int:
        return len(self._paths)

    def reset(self) -> None:
        """Mirrors reset()."""

    def resetSupported(self) -> bool:
        return True

    def sample(self, pathFilter=None, *weights) -> list:
        """Mirrors BaseInputSplit#sample(PathFilter, double... weights): the (filtered) locations cut into
        consecutive parts in proportion to ``weights`` (rounded as DL4J does), each a CollectionInputSplit."""
        paths = pathFilter.filter(self.locations()) if pathFilter is not None else self.locations()
        if len(weights) == 1 and isinstance(weights[0], (list, tuple)):
            weights = tuple(weights[0])
        if not weights or weights[0] == 1.0:
            return [CollectionInputSplit(paths)]
        total = float(sum(weights))
        cumul, parts = 0.0, []
        for w in weights:
            parts.append(_java_round(cumul * len(paths) / total))
            cumul += w
        parts.append(len(paths))
        return [CollectionInputSplit(paths[parts[i]:parts[i + 1]]) for i in range(len(weights))]


def _java_round(x: float) -> int:
    """Math.round(double): floor(x + 0.5)."""
    import math

    return int(math.floor(x + 0.5))


class CollectionInputSplit(InputSplit):
    """Mirrors org.datavec.api.split.CollectionInputSplit: a given list of files, in that order."""

    def __init__(self, paths):
        super().__init__()
        self._paths = [os.fspath(p) for p in paths]


def _list_files(root: str, allow_format, recursive: bool) -> list[str]:
    """FileSplit#listFiles: breadth first, each folder in readdir order, files filtered by suffix."""
    suffixes = None if allow_format is None else tuple(str(f) for f in allow_format)
    queue, out = deque([root]), []
    while queue:
        folder = queue.popleft()
        try:
            names = os.listdir(folder)  # readdir order, as java.io.File#listFiles
        except OSError:
            continue  # File#listFiles returns null for an unreadable folder; DL4J skips it
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isdir(path):
                if recursive:
                    queue.append(path)
            elif suffixes is None or name.endswith(suffixes):
                out.append(path)
    return out


class FileSplit(InputSplit):
    """Mirrors org.datavec.api.split.FileSplit(File rootDir[, String[] allowFormat][, Random random]
    [, boolean recursive]).

    ``random`` is a :class:`JavaRandom` (``new Random(seed)``) or an int seed; ``seed=`` is the same as
    ``random=JavaRandom(seed)``. The files come in DL4J's order (module docstring). Differs: a root that
    does not exist raises FileNotFoundError (DL4J creates an empty file there when the path is absolute).
    """

    def __init__(self, rootDir, allowFormat=None, random=None, recursive: bool = True, seed=None):
        super().__init__()
        if isinstance(allowFormat, (int,)) or hasattr(allowFormat, "nextInt"):
            allowFormat, random = None, allowFormat  # FileSplit(File, Random)
        if seed is not None:
            if random is not None:
                raise ValueError("FileSplit: give random or seed, not both")
            random = seed
        self.rootDir = os.path.abspath(os.fspath(rootDir))
        self.allowFormat = None if allowFormat is None else list(allowFormat)
        self.recursive = bool(recursive)
        self.random = as_java_random(random)
        if not os.path.exists(self.rootDir):
            raise FileNotFoundError(f"FileSplit: no such file or directory: {self.rootDir}")
        if os.path.isdir(self.rootDir):
            self._paths = _list_files(self.rootDir, self.allowFormat, self.recursive)
            if self.random is not None:
                self._order = list(range(len(self._paths)))
                shuffle_array(self._order, self.random)
        else:
            self._paths = [self.rootDir]

    def getRootDir(self) -> str:
        return self.rootDir

    def reset(self) -> None:
        """Mirrors FileSplit#reset(): with a Random, a new iteration order (shuffled again, in place)."""
        if self.random is not None and self._order is not None:
            shuffle_array(self._order, self.random)


class PathFilter(JavaNames):
    """Mirrors org.datavec.api.io.filters.PathFilter (the protocol): ``filter(paths) -> paths``."""

    def filter(self, paths):
        raise NotImplementedError


class RandomPathFilter(PathFilter):
    """Mirrors org.datavec.api.io.filters.RandomPathFilter(Random random, String[] extensions, long maxPaths)."""

    def __init__(self, random, extensions=None, maxPaths: int = 0):
        self.random = as_java_random(random)
        if isinstance(extensions, str):
            extensions = [extensions]
        self.extensions = None if extensions is None else list(extensions)
        self.maxPaths = int(maxPaths)

    def accept(self, name: str) -> bool:
        if not self.extensions:
            return True
        return any(name.endswith("." + e) for e in self.extensions)

    def filter(self, paths):
        """Mirrors filter(URI[]): shuffled (Collections.shuffle), filtered by extension, at most maxPaths."""
        shuffled = [os.fspath(p) for p in paths]
        collections_shuffle(shuffled, self.random)
        out = []
        for p in shuffled:
            if self.accept(p):
                out.append(p)
            if self.maxPaths > 0 and len(out) >= self.maxPaths:
                break
        return out


class BalancedPathFilter(RandomPathFilter):
    """Mirrors org.datavec.api.io.filters.BalancedPathFilter(Random random, String[] extensions,
    PathLabelGenerator labelGenerator, long maxPaths, long maxLabels, long minPathsPerLabel,
    long maxPathsPerLabel, String... labels) and its shorter constructors (as keyword arguments):
    after RandomPathFilter's shuffle, the same number of paths for every label, taken round robin."""

    def __init__(self, random, extensions=None, labelGenerator=None, maxPaths: int = 0, maxLabels: int = 0,
                 minPathsPerLabel: int = 0, maxPathsPerLabel: int = 0, labels=None):
        if isinstance(extensions, PathLabelGenerator) or hasattr(extensions, "getLabelForPath"):
            # BalancedPathFilter(Random, PathLabelGenerator, long maxPathsPerLabel)
            labelGenerator, extensions = extensions, None
            if maxPaths and not maxPathsPerLabel:
                maxPaths, maxPathsPerLabel = 0, maxPaths
        super().__init__(random, extensions, maxPaths)
        self.labelGenerator = labelGenerator
        self.maxLabels = int(maxLabels)
        self.minPathsPerLabel = int(minPathsPerLabel)
        self.maxPathsPerLabel = int(maxPathsPerLabel)
        self.labels = list(labels) if labels else None

    def acceptLabel(self, name: str) -> bool:
        return not self.labels or name in self.labels

    def filter(self, paths):
        paths = super().filter(paths)
        gen = self.labelGenerator or ParentPathLabelGenerator()
        by_label: dict = {}  # LinkedHashMap: labels in order of first appearance
        for p in paths:
            label = gen.getLabelForPath(p)
            if not self.acceptLabel(str(label)):
                continue
            if label not in by_label:
                if self.maxLabels > 0 and len(by_label) >= self.maxLabels:
                    continue
                by_label[label] = []
            by_label[label].append(p)
        if not by_label:
            return []
        min_count = self.maxPathsPerLabel if self.maxPathsPerLabel > 0 else 2**31 - 1
        for lst in by_label.values():
            min_count = min(min_count, len(lst))
        min_count = max(min_count, self.minPathsPerLabel)
        out = []
        for i in range(min_count):
            for lst in by_label.values():
                if i < len(lst):
                    out.append(lst[i])
        return out
