"""Mirrors org.deeplearning4j.nn.transferlearning.TransferLearningHelper (DL4J 1.0.0-M2.1).

"Featurize once, train the rest": the frozen part of a network is run once (inference mode) to turn
a data set into the boundary activations, and a smaller network holding only the unfrozen part is
trained on those; after every ``fitFeaturized`` its params are copied back into the original by name.

Differences from DL4J (also in docs/deviations.md):

* In-place freezing wraps the layer **configurations** in ``FrozenLayer`` (DL4J replaces only the runtime
  layer objects). So here the freezing shows in the original's ``toJson()`` and survives ``save``/``clone``;
  in DL4J it does not (reference §5.5). If the original held an updater state whose length changes
  because of the freezing, that state is dropped (DL4J keeps a stale updater).
* The MLN subset gets the original's input preprocessors **shifted** to its own layer indices (DL4J copies
  them unshifted, which misaligns them whenever one exists after the boundary).
* Freezing an ``OutputLayer`` (``frozenTill`` = the last layer, or a graph output vertex) raises
  :class:`InvalidConfigurationError` at construction, as DL4J's FrozenLayer constructor does.
* ``fitFeaturized(MultiDataSet)`` on an MLN helper raises a clear error (DL4J: NullPointerException).
* Errors are :class:`InvalidConfigurationError` (a ValueError) where DL4J throws IllegalArgumentException /
  UnsupportedOperationException; the messages are DL4J's.
"""

from __future__ import annotations

import copy

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.conf import MultiLayerConfiguration
from pydl4j_transfer.conf.layers.variational import VariationalAutoencoder
from pydl4j_transfer.conf.layers.wrappers import FrozenLayer
from pydl4j_transfer.conf.vertices import LayerVertex
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

from pydl4j_transfer.nn.serializer import network_from_dl4j
from pydl4j_transfer.nn.training import is_iterator, iterate, to_host

from .builder import GraphBuilder
from .edits import frozen as _frozen
from .edits import is_output_layer_impl as _is_output_layer_impl
from .feature_cache import FeatureCache, frozen_digest

__all__ = ["TransferLearningHelper"]

_MLN_ERR = "This instance was initialized with a MultiLayerNetwork. Cannot apply methods related to computation graphs"
_CG_ERR = "This instance was initialized with a computation graph. Cannot apply methods related to MLN"


def _is_frozen_layer(layer) -> bool:
    """DL4J checks ``instanceof nn.layers.FrozenLayer`` (FrozenLayerWithBackprop is not one)."""
    return isinstance(layer, FrozenLayer)


def _flat_ranges(flat, views) -> list:
    """[(start, end)] of the flat vector that the param views (contiguous slices of it) cover, adjacent ones
    joined."""
    def start(a):
        return a.__array_interface__["data"][0]  # a param view's first element: its slice's lowest address

    base, size = start(flat), flat.itemsize
    out = []
    for s, e in sorted(((start(v) - base) // size, (start(v) - base) // size + v.size) for v in views if v.size):
        if out and s == out[-1][1]:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _is_multi(data) -> bool:
    return hasattr(data, "numFeatureArrays")


def _num_examples(ds) -> int:
    try:
        f = ds.getFeatures(0) if _is_multi(ds) else ds.getFeatures()
        return int(np.shape(f)[0])
    except Exception:  # noqa: BLE001
        return 0


def _frozen_in_place(layer):
    """The helper's in-place freeze. DL4J's is runtime only; ours is kept in the configuration (docs/deviations.md),
    except around a VariationalAutoencoder, which DL4J's FrozenLayer cannot hold: that freeze stays runtime only
    (``FrozenLayer.persisted``), so the network saves and restores as DL4J's does, with the bare layer."""
    wrapped = _frozen(layer)
    inner = layer
    while isinstance(inner, FrozenLayer):
        inner = inner.layer
    if isinstance(inner, VariationalAutoencoder):
        wrapped.persisted = False
    return wrapped


class TransferLearningHelper(JavaNames):
    """Mirrors TransferLearningHelper's four constructors in one:

    * ``TransferLearningHelper(graph)`` / ``TransferLearningHelper(mln)``: the model already holds frozen
      layers (e.g. built by ``TransferLearning``);
    * ``TransferLearningHelper(graph, "fc2", ...)``: freezes the named vertices and all their ancestors
      **in place**;
    * ``TransferLearningHelper(mln, frozenTill)`` (or ``frozenTill=k``): freezes layers 0..k **in place**.
    """

    def __init__(self, orig, *frozenOutputAt, frozenTill=None):
        self._graph = isinstance(orig, ComputationGraph)
        if not self._graph and not isinstance(orig, MultiLayerNetwork):
            raise InvalidConfigurationError(
                f"TransferLearningHelper needs a ComputationGraph or MultiLayerNetwork, got {type(orig).__name__}")
        if not orig.isInitCalled():
            raise InvalidConfigurationError(f"this {type(orig).__name__} is not initialised: call init() first")
        self._orig = orig
        self._frozen_digest = None  # feature-cache key of the frozen part, computed on first use
        self._graphs = None  # torch_backend.frozen_graph.FrozenGraphs of the frozen part (featurize optimize=True)
        self.frozenInputVertices: set = set()
        self.graphInputs: list = []
        self.frozenInputLayer = 0
        self._subset_graph = None
        self._subset_mln = None
        self._java = None  # DL4J's own helper when the model's runtime replays transfer learning (dl4j backend)
        if orig.getRuntimeClass().replays_transfer_learning:  # the dl4j backend: DL4J's own helper
            self._java = orig.getRuntime().transfer_learning_helper(
                [str(n) for n in frozenOutputAt] if self._graph else None,
                frozenOutputAt[0] if (frozenOutputAt and not self._graph) else frozenTill)
            return
        if self._graph:
            if frozenTill is not None:
                raise InvalidConfigurationError("frozenTill applies to a MultiLayerNetwork; name the vertices for a graph")
            names = [str(n) for n in frozenOutputAt]
            self._init_graph(names if names else None)
        else:
            if frozenOutputAt:
                if frozenTill is not None or len(frozenOutputAt) != 1 or not isinstance(frozenOutputAt[0], (int, np.integer)):
                    raise InvalidConfigurationError(
                        "a MultiLayerNetwork helper takes one layer index: TransferLearningHelper(mln, frozenTill)")
                frozenTill = int(frozenOutputAt[0])
            self._init_mln(None if frozenTill is None else int(frozenTill))

    # ---- construction ----------------------------------------------------------------------

    def _refreeze(self, net, before_size):
        """After changing the original's layer configurations in place: rebuild its runtime."""
        net.releaseRuntime()  # the torch module is rebuilt with the frozen layers on next use
        if net.getUpdaterState() is not None and net.updaterStateSize() != before_size:
            net.setUpdaterState(None)  # deviation: the layout changed with the freezing (see module doc)

    def _init_graph(self, frozen_output_at):
        orig = self._orig
        conf = orig.getConfiguration()
        idx = conf.vertexIndices()
        names = {i: n for n, i in idx.items()}
        order = list(reversed(conf.topologicalSortOrder()))
        net_inputs = list(conf.networkInputs)
        for n in frozen_output_at or ():
            if n not in conf.vertices and n not in net_inputs:
                raise InvalidConfigurationError(f"no vertex named {n!r}; the vertices are {list(conf.vertices)}")
        all_frozen = set(frozen_output_at or ())
        to_freeze = []
        for i in order:
            nm = names[i]
            vertex = conf.vertices.get(nm)
            ins = list(conf.vertexInputs.get(nm, []))
            if frozen_output_at is not None and nm in all_frozen:
                if isinstance(vertex, LayerVertex) and not _is_frozen_layer(vertex.layer):
                    if _is_output_layer_impl(vertex.layer):
                        raise InvalidConfigurationError(f"Output Layers are not allowed to be frozen {nm}")
                    to_freeze.append(vertex)
                all_frozen.update(ins)
            elif isinstance(vertex, LayerVertex) and _is_frozen_layer(vertex.layer):
                all_frozen.add(nm)
                all_frozen.update(ins)
        if to_freeze:
            before = orig.updaterStateSize()
            for vertex in to_freeze:
                vertex.layerConf.layer = _frozen_in_place(vertex.layer)
            self._refreeze(orig, before)
        for i in order:
            nm = names[i]
            if nm in all_frozen or nm in net_inputs:
                continue
            for s in conf.vertexInputs.get(nm, []):
                if s in all_frozen:
                    self.frozenInputVertices.add(s)
        if not self.frozenInputVertices:
            raise InvalidConfigurationError("No frozen layers found")

        builder = GraphBuilder(orig)
        for nm in sorted(all_frozen):
            if nm in self.frozenInputVertices:
                builder.removeVertexKeepConnections(nm)
            else:
                builder.removeVertexAndConnections(nm)
        kept_inputs = sorted(set(net_inputs) - all_frozen)
        for nm in kept_inputs:
            builder.removeVertexKeepConnections(nm)
        self.graphInputs = sorted(set(kept_inputs) | self.frozenInputVertices)
        # DL4J adds them in HashSet order; its tests expect (and we use) sorted order
        builder.addInputs(*self.graphInputs)
        self._subset_graph = builder.build()
        self._copy_orig_to_subset()

    def _init_mln(self, frozen_till):
        orig = self._orig
        oconf = orig.getLayerWiseConfigurations()
        n = len(oconf.confs)
        if frozen_till is not None:
            if not 0 <= frozen_till < n:
                raise InvalidConfigurationError(f"frozenTill must be in [0, {n - 1}], got {frozen_till}")
            before = orig.updaterStateSize()
            for i in range(frozen_till, -1, -1):
                layer = oconf.confs[i].layer
                if _is_output_layer_impl(layer):
                    raise InvalidConfigurationError(f"Output Layers are not allowed to be frozen (layer index {i})")
            for i in range(frozen_till, -1, -1):
                # DL4J wraps every layer again, even an already frozen one (FrozenLayer(FrozenLayer(l)))
                oconf.confs[i].layer = _frozen_in_place(oconf.confs[i].layer)
            self._refreeze(orig, before)
        self.frozenInputLayer = 0  # DL4J quirk: no frozen layer -> boundary 0 anyway
        for i in range(n):
            if _is_frozen_layer(oconf.confs[i].layer):
                self.frozenInputLayer = i
        b = self.frozenInputLayer
        conf = MultiLayerConfiguration()
        conf.confs = [c.clone() for c in oconf.confs[b + 1:]]
        # deviation: DL4J copies the preprocessor map unshifted
        conf.inputPreProcessors = {int(k) - b - 1: copy.deepcopy(v) for k, v in oconf.inputPreProcessors.items()
                                   if int(k) > b}
        conf.backpropType, conf.tbpttFwdLength, conf.tbpttBackLength = (
            oconf.backpropType, oconf.tbpttFwdLength, oconf.tbpttBackLength)
        conf.dataType = oconf.dataType
        sub = MultiLayerNetwork(conf, backend=orig.backend)
        sub.init()
        self._subset_mln = sub
        self._copy_orig_to_subset()

    # ---- param sync ------------------------------------------------------------------------

    def _copy_orig_to_subset(self):
        sub = self._subset_graph if self._graph else self._subset_mln
        if self._orig.device is not None and sub.device != self._orig.device:
            sub.to(self._orig.device)  # the unfrozen part trains where the original runs, as in DL4J
        sub.releaseRuntime()
        if self._graph:
            src, dst = self._orig.paramTable(), self._subset_graph.paramTable()
            for k, v in dst.items():
                v[...] = src[k]
        else:
            b = self.frozenInputLayer
            src, dst = self._orig.paramTable(), self._subset_mln.paramTable()
            for k, v in dst.items():
                i, key = k.split("_", 1)
                v[...] = src[f"{int(i) + b + 1}_{key}"]

    def _copy_subset_to_orig(self):
        orig = self._orig
        sub = self._subset_graph if self._graph else self._subset_mln
        # params() copies anything trained on a device back first. (destination, source) param views and the flat
        # ranges written are kept while both flat vectors stay the same arrays: after every fitFeaturized step
        # (DL4J copies then too), a small head's step would otherwise mostly build tables
        flat = orig.params()
        key = (id(flat), id(sub.params()))
        if getattr(self, "_copy_key", None) != key:
            table, src = orig.paramTable(), sub.paramTable()
            if self._graph:
                self._copy_pairs = [(table[k], v) for k, v in src.items()]
            else:  # the subset's layer i is the original's layer i + frozenInputLayer + 1
                self._copy_pairs = []
                for k, v in src.items():
                    i, pkey = k.split("_", 1)
                    self._copy_pairs.append((table[f"{int(i) + self.frozenInputLayer + 1}_{pkey}"], v))
            self._copy_ranges = _flat_ranges(flat, [dst for dst, _ in self._copy_pairs])
            self._copy_key = key
        for dst, src in self._copy_pairs:
            dst[...] = src
        # the original's runtime is kept (its frozen part is what featurize runs next); a device copy of it gets
        # the written ranges
        orig.paramsChanged(self._copy_ranges)

    # ---- accessors -------------------------------------------------------------------------

    # ---- delegation: a model on the dl4j backend runs DL4J's own TransferLearningHelper ----------

    def _dl4j_featurize(self, ds):
        from pydl4j_transfer.data import DataSet, MultiDataSet

        feats = self._java.featurize(ds)
        if _is_multi(ds):
            labels = [ds.getLabels(i) for i in range(ds.numLabelsArrays())]
            return MultiDataSet(feats, labels, None, ds.getLabelsMaskArrays())
        return DataSet(feats[0], ds.getLabels(), None, ds.getLabelsMaskArray())

    def _dl4j_fit(self, data, labels=None):
        from pydl4j_transfer.data import DataSet

        batches = list(iterate(data)) if is_iterator(data) else [data if labels is None else DataSet(data, labels)]
        for ds in batches:
            self._java.fitFeaturized(ds)
        self._orig.getRuntime().dirty = True  # DL4J's helper trained the original network in place
        return self

    def unfrozenGraph(self) -> ComputationGraph:
        """Mirrors unfrozenGraph(): the unfrozen subset (its params follow the original after each fitFeaturized)."""
        if not self._graph:
            raise InvalidConfigurationError(_MLN_ERR)
        if self._java is not None:
            return network_from_dl4j(self._java.unfrozenGraph())
        return self._subset_graph

    def unfrozenMLN(self) -> MultiLayerNetwork:
        """Mirrors unfrozenMLN()."""
        if self._graph:
            raise InvalidConfigurationError(_CG_ERR)
        if self._java is not None:
            return network_from_dl4j(self._java.unfrozenMLN())
        return self._subset_mln

    # ---- featurize -------------------------------------------------------------------------

    def featurize(self, input, progress: bool = False, cache=None, autocast=None, optimize: bool = False,
                  saveTo=None, pattern=None, fmt: str = "dl4j"):
        """Mirrors featurize(DataSet) / featurize(MultiDataSet): features -> boundary activations
        (inference mode), labels (and label masks) unchanged, feature masks null.

        Also takes an iterator / iterable of DataSets (a Python extension): returns the list of featurized
        DataSets. ``progress=True`` shows a tqdm bar (examples/s) when tqdm is installed (no bar otherwise).
        ``cache`` (a folder or a :class:`FeatureCache`, an extension): featurized minibatches are kept on disk
        keyed by the frozen part and the data, so a second run skips the forward pass (feature_cache.py).
        ``autocast="bf16"|"fp16"`` (an extension, torch backend): the frozen forward pass under torch.autocast;
        features come back in the network's dtype (torch_backend/precision.py).
        ``optimize=True`` (an extension, torch backend on the CPU): the frozen part runs as a TorchScript graph
        with its weights baked in (BatchNormalization folded into the convolutions, oneDNN layouts; ResNet50
        1.7x faster at batch 8), built once per input shape in a second or a few and holding a second copy
        of the frozen weights; features within a few 1e-6 (relative) of the ordinary forward's. Changes to
        the frozen weights made through the API rebuild it; writes into the ``params()`` array are not seen
        (torch_backend/frozen_graph.py). Elsewhere (a GPU, the DL4J backend) the ordinary forward runs.
        ``saveTo`` (a folder, an extension; iterators of DataSets): each featurized minibatch is written there as
        it comes (``pattern``, default ``"featurized-%d.bin"``: DL4J DataSet files; ``fmt="npy"``: memory-mapped
        ``.npy``) instead of kept in a list, in bounded memory, and an iterator over the files is returned for
        ``fitFeaturized`` (transfer/streaming.py)."""
        if saveTo is not None:
            from .streaming import featurize_to_files

            return featurize_to_files(self, input, saveTo, pattern, fmt, progress, autocast, optimize)
        from pydl4j_transfer.nn.listeners import ProgressBar, length_of

        if optimize and autocast is not None:
            raise InvalidConfigurationError("featurize: optimize=True runs the frozen part in the network's own data "
                                            "type; use either optimize or autocast, not both")
        if cache is not None and not isinstance(cache, FeatureCache):
            cache = FeatureCache(cache)
        if hasattr(input, "getFeatures"):
            with ProgressBar(progress, 1, "featurize", "batch") as bar:
                out = self._featurize_cached(input, cache, autocast, optimize)
                bar.update(_num_examples(input))
            return out
        result = []
        with ProgressBar(progress, length_of(input), "featurize", "batch") as bar:
            for ds in iterate(input):
                result.append(self._featurize_cached(ds, cache, autocast, optimize))
                bar.update(_num_examples(ds))
        return result

    def _featurize_cached(self, input, cache, autocast=None, optimize=False):
        """``_featurize_one`` through the feature cache (when there is one)."""
        if self._java is not None:
            if autocast is not None:
                raise InvalidConfigurationError("autocast is a torch-backend option; DL4J featurizes in the "
                                                "network's own data type")
            return self._dl4j_featurize(input)
        if cache is None:
            return self._featurize_one(input, autocast, optimize)
        from pydl4j_transfer.data import DataSet, MultiDataSet

        multi = _is_multi(input)
        raw = ([input.getFeatures(i) for i in range(input.numFeatureArrays())] if multi
               else [input.getFeatures()])
        if self._frozen_digest is None:
            self._frozen_digest = frozen_digest(self)  # frozen params never change: hash them once
        from pydl4j_transfer.torch_backend import autocast_dtype

        # reduced-precision or frozen-graph features are other features: they get their own cache entries
        key = cache.key(self._frozen_digest + ("" if autocast is None else f"|autocast={autocast_dtype(autocast)}")
                        + ("|optimize" if optimize else ""), raw)
        hit = cache.get(key, len(self.graphInputs) if multi else 1)
        if hit is None:
            out = self._featurize_one(input, autocast, optimize)
            cache.put(key, [out.getFeatures(i) for i in range(out.numFeatureArrays())] if multi
                      else [out.getFeatures()])
            return out
        if multi:
            labels = [input.getLabels(i) for i in range(input.numLabelsArrays())]
            return MultiDataSet(hit, labels, None, input.getLabelsMaskArrays())
        return DataSet(hit[0], input.getLabels(), None, input.getLabelsMaskArray())

    def _featurize_one(self, input, autocast=None, optimize=False):
        from pydl4j_transfer.data import DataSet, MultiDataSet

        if _is_multi(input):
            if not self._graph:
                raise InvalidConfigurationError("Cannot use multidatasets with MultiLayerNetworks.")
            fm = input.getFeaturesMaskArrays()
            if fm is not None and any(m is not None for m in fm):
                raise InvalidConfigurationError("Currently cannot support featurizing datasets with feature masks")
            feats = self._featurize_graph([input.getFeatures(i) for i in range(input.numFeatureArrays())], autocast,
                                          optimize)
            labels = [input.getLabels(i) for i in range(input.numLabelsArrays())]
            return MultiDataSet(feats, labels, None, input.getLabelsMaskArrays())
        if input.getFeaturesMaskArray() is not None:
            if self._graph:
                raise InvalidConfigurationError("Currently cannot support featurizing datasets with feature masks")
            raise NotImplementedError("Feature masks not supported with featurizing currently")
        if self._graph:
            g = self._orig
            if g.getNumInputArrays() > 1 or g.getNumOutputArrays() > 1:
                raise InvalidConfigurationError(
                    "Input or output size to a computation graph is greater than one. Requires use of a MultiDataSet.")
            feats = self._featurize_graph([input.getFeatures()], autocast, optimize)
            # DL4J puts the label mask into the features-mask slot too; we keep the features mask null
            return DataSet(feats[0], input.getLabels(), None, input.getLabelsMaskArray())
        b = self.frozenInputLayer
        # DL4J takes feedForwardToLayer(b + 1, ...)[b + 1]; only that activation is computed and copied here
        x = np.asarray(input.getFeatures())
        graphs = self._frozen_graphs(lambda m, t: (m.activate_range(t, 0, b),)) if optimize else None
        if graphs is not None:
            feats = graphs.run(x)[0]
        else:
            feats = to_host(self._orig.getRuntime().activate_range(x, 0, b, autocast=autocast))
        return DataSet(feats, input.getLabels(), None, input.getLabelsMaskArray())

    def _featurize_graph(self, features, autocast=None, optimize=False):
        g = self._orig
        xs = [np.asarray(f) for f in features]
        net_inputs = list(g.getConfiguration().networkInputs)
        if len(xs) != len(net_inputs):
            raise InvalidConfigurationError(f"this graph has {len(net_inputs)} inputs {net_inputs}, got {len(xs)}")
        # only the frozen part up to the boundary runs (DL4J's featurize runs the whole graph; same features)
        names = [n for n in self.graphInputs if n not in net_inputs]
        graphs = None
        if optimize and names:
            from pydl4j_transfer.torch_backend import feed_forward

            def part(m, *ts):
                acts = feed_forward(m, list(ts), False, targets=names)
                return tuple(acts[n] for n in names)

            graphs = self._frozen_graphs(part)
        if graphs is not None:
            acts = dict(zip(names, graphs.run(*xs)))
        else:
            acts = g.feedForward(xs, False, autocast=autocast, vertices=names)
        out = []
        for name in self.graphInputs:
            if name in net_inputs:
                out.append(xs[net_inputs.index(name)])
            else:
                out.append(acts[name])
        return out

    def _frozen_graphs(self, fn):
        """The original's frozen part as frozen TorchScript graphs (featurize ``optimize=True``), or None where
        the ordinary forward runs instead (not on the CPU). A new torch module (``setParams``, ``to(...)``) gets
        new graphs; an in-place write to its parameters (the flat tensor or a Parameter) rebuilds them."""
        runtime = self._orig.getRuntime()
        if runtime.device.type != "cpu":
            return None
        module = runtime.module
        if self._graphs is None or self._graphs.module is not module:
            from pydl4j_transfer.torch_backend.frozen_graph import FrozenGraphs

            flat = runtime.params
            params = list(module.parameters())  # DL4J's params are views of ``flat`` with their own versions

            def version():
                return flat._version + sum(p._version for p in params)

            self._graphs = FrozenGraphs(module, fn, version, dtype=flat.dtype)
        return self._graphs

    # ---- fit / output ----------------------------------------------------------------------

    def fitFeaturized(self, data, labels=None):
        """Mirrors fitFeaturized(DataSet | MultiDataSet | iterator): fit the unfrozen subset, then copy its
        params back into the original by name."""
        if self._java is not None:
            return self._dl4j_fit(data, labels)
        if self._graph:
            self._subset_graph.fit(data, labels)
        else:
            if labels is None and _is_multi(data):
                raise InvalidConfigurationError("Cannot use multidatasets with MultiLayerNetworks.")
            self._subset_mln.fit(data, labels)
        self._copy_subset_to_orig()
        return self

    def outputFromFeaturized(self, input):
        """Mirrors outputFromFeaturized(INDArray) (one array -> one array) and outputFromFeaturized(INDArray[])
        (a list/tuple -> a list, graphs only)."""
        if self._java is not None:
            return self._java.outputFromFeaturized(input)
        if isinstance(input, (list, tuple)):
            if not self._graph:
                raise InvalidConfigurationError(_MLN_ERR)
            return self._subset_graph.output(*input)
        if self._graph:
            if self._subset_graph.getNumOutputArrays() > 1:
                raise InvalidConfigurationError(
                    "Graph has more than one output. Expecting an input array with outputFromFeaturized method call")
            return self._subset_graph.output(input)[0]
        return self._subset_mln.output(input)
