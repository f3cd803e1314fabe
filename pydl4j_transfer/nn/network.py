"""What MultiLayerNetwork and ComputationGraph share: configuration + one flat parameter vector.

A network object owns a DL4J configuration (``pydl4j_transfer.conf``), DL4J's flat parameter
vector (numpy, in DL4J's order and dtype) and, when there is one, the flat updater state. To run,
it asks once for the runtime of its backend (:data:`RUNTIMES`: the one place a backend is chosen):
``"torch"`` (default: :class:`pydl4j_transfer.torch_backend.runtime.TorchRuntime`, torch imported on
first use, so reading and writing zips needs no torch) or ``"dl4j"`` (real DL4J in the JVM:
:class:`pydl4j_transfer.dl4j_backend.runtime.Dl4jRuntime`). Both runtimes answer the same verbs;
the network keeps what DL4J keeps in its configuration (iteration and epoch counts) and its listeners.
"""

from __future__ import annotations

import copy
import importlib
import logging
import time

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.conf import params as P
from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf.enums import DataType
from pydl4j_transfer.conf.layers.base import FeedForwardLayer
from pydl4j_transfer.conf.layers.feedforward import CenterLossOutputLayer, OutputLayer
from pydl4j_transfer.conf.layers.variational import VariationalAutoencoder
from pydl4j_transfer.conf.layers.wrappers import FrozenLayer, FrozenLayerWithBackprop
from pydl4j_transfer.conf.updater_layout import state_size, updater_blocks
from pydl4j_transfer.errors import InvalidConfigurationError, ParamLengthMismatchError
from pydl4j_transfer.eval import ROC, Evaluation, RegressionEvaluation, ROCMultiClass
from pydl4j_transfer.nn import listeners as L
from pydl4j_transfer.nn import rnn
from pydl4j_transfer.nn import training as T
from pydl4j_transfer.nn.init import apply_instantiate_hooks, init_params
from pydl4j_transfer.nn.summary import summary as _summary
from pydl4j_transfer.nn.writing import write_model

log = logging.getLogger(__name__)

# DL4J DataType name -> numpy dtype of the parameters
NET_DTYPES = {"FLOAT": np.float32, "DOUBLE": np.float64, "HALF": np.float16}
DTYPE_NAMES = {np.dtype(v): k for k, v in NET_DTYPES.items()}
#: backend -> the runtime class that runs a network on it, imported on first use ("module:Class")
RUNTIMES = {"torch": "pydl4j_transfer.torch_backend.runtime:TorchRuntime",
            "dl4j": "pydl4j_transfer.dl4j_backend.runtime:Dl4jRuntime"}
BACKENDS = tuple(RUNTIMES)


def _dtype_name(dtype) -> str:
    if isinstance(dtype, str):
        return dtype.upper()
    name = str(dtype).replace("torch.", "")
    return {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(np.dtype(name).name if name != "bfloat16" else "", "FLOAT")


class BaseNetwork(JavaNames):
    """Shared machinery of :class:`MultiLayerNetwork` and :class:`ComputationGraph`."""

    def __init__(self, conf, backend: str = "torch"):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        self._conf = conf
        self._backend = backend
        self._flat: np.ndarray | None = None
        self._slots: list = []
        self._updater_state: np.ndarray | None = None
        self._zip_extras: dict = {}  # unknown zip entries of a restored model, written back unchanged
        self._rt = None  # the backend's runtime (TorchRuntime / Dl4jRuntime), built on first use
        self._device = None  # torch device of the torch backend (None: CPU)
        self._listeners: list = []  # TrainingListeners (nn/listeners.py), called by fit
        self._last_etl_ms = 0  # time the last fit minibatch waited for its iterator (DL4J's getLastEtlTime)
        self._last_batch_size = 0
        self._rnn_state: dict = {}  # stored RNN state per recurrent layer (DL4J's stateMap; nn/rnn.py)
        self._set_input = None  # setInput / setInputs (Java's input field), for computeGradientAndScore()
        self._set_labels = None  # setLabels

    # ---- the runtime (the one place a backend is chosen) -------------------------------------------------

    def getRuntime(self):
        """The runtime running this network (an extension): a TorchRuntime (``backend="torch"``) or a
        Dl4jRuntime (``backend="dl4j"``), built from the configuration and params on first use."""
        if self._rt is None:
            self._require_init()
            self._rt = self.getRuntimeClass()(self._conf, self._flat, self._updater_state, self._device)
            self._flat, self._updater_state = self._rt.host_arrays()  # the runtime may have made them contiguous
        return self._rt

    def useRuntime(self, runtime) -> None:
        """Run this network on ``runtime`` from now on (an extension; e.g. a Dl4jRuntime over the network DL4J's
        own builder returned); it must hold this network's configuration and params."""
        self._rt = runtime

    def getRuntimeClass(self):
        """The runtime class of this network's backend (an extension), without building a runtime: what it can
        do is known from its class (e.g. ``replays_transfer_learning``)."""
        module, name = RUNTIMES[self._backend].split(":")
        return getattr(importlib.import_module(module), name)

    def releaseRuntime(self) -> None:
        """Copy anything newer from the runtime into ``params()`` / the updater state, then drop the runtime (an
        extension): the next call that runs the network builds it again from the configuration, e.g. after the
        configuration was edited in place (TransferLearningHelper's freezing)."""
        self._pull_from_backend()
        self._rt = None

    def isInitCalled(self) -> bool:
        """Mirrors MultiLayerNetwork#isInitCalled / ComputationGraph's: whether init() has set up the params."""
        return self._flat is not None

    @property
    def device(self):
        """The torch device the torch backend runs on (None: the CPU), as set by :meth:`to`."""
        return self._device

    # ---- layout ------------------------------------------------------------------------

    _is_graph = False  # ComputationGraph sets True: output(*inputs) returns a list

    def _owners_and_layers(self) -> list:
        """[(owner, conf object with paramSpecs)] in flat-vector order."""
        raise NotImplementedError

    def _updater_owners_and_layers(self) -> list:
        """[(owner, layer conf)] in flat-vector order, for the updater block layout."""
        raise NotImplementedError

    @property
    def _dtype(self):
        return NET_DTYPES.get(enum_name(self._conf.dataType), np.float32)

    # ---- init --------------------------------------------------------------------------

    def init(self, params=None, cloneParametersArray: bool = True):
        """Mirrors MultiLayerNetwork#init(INDArray, boolean): set up the flat parameter vector.

        Without ``params`` the parameters are drawn with DL4J's weight-init schemes from the
        configuration's seed (numpy's random stream, not DL4J's: see ``nn/init.py``). As in DL4J, ``init()``
        on a network that is already initialised does nothing (a ported ``net.init()`` after a builder's
        ``build()``, which initialised it, keeps its parameters); ``init(params)`` on one sets those params.
        """
        if params is None and self._flat is not None:
            return self  # DL4J: "if (initCalled) return;"
        self._check_frozen_layers()
        self._conf.initVariables()
        self._slots = P.layout(self._owners_and_layers())
        expected = P.total_size(self._slots)
        if params is None:
            self._flat = init_params(self._owners_and_layers(), self._slots, self._dtype, self._seed())
        else:
            flat = np.asarray(params).reshape(-1)
            P.check_length(flat, expected, "the parameter vector")
            if flat.dtype in DTYPE_NAMES:
                self.setDataType(DTYPE_NAMES[flat.dtype])
            self._flat = flat.astype(self._dtype, copy=cloneParametersArray)
        apply_instantiate_hooks(self._owners_and_layers(), self._flat, self._slots)  # (OCNNOutputLayer's r)
        self._rt = None
        return self

    def _seed(self) -> int:
        raise NotImplementedError

    def _check_frozen_layers(self) -> None:
        """Mirrors the runtime FrozenLayer constructor DL4J's init() calls: an OutputLayer inside a FrozenLayer is
        refused ("Output Layers are not allowed to be frozen"); other output layers are refused when fitted."""
        for index, name, layer in self._indexed_layers():
            if isinstance(layer, FrozenLayer) and type(layer.layer) is OutputLayer:
                raise InvalidConfigurationError(
                    f"Output Layers are not allowed to be frozen (layer name: {layer.layer.layerName or name}, layer "
                    f"index: {index}); freeze the layers below it (setFeatureExtractor(n - 2)) or use "
                    "FrozenLayerWithBackprop")
            if isinstance(layer, (FrozenLayer, FrozenLayerWithBackprop)) and isinstance(layer.wrapped(),
                                                                                         CenterLossOutputLayer):
                raise InvalidConfigurationError(
                    f"layer {name!r} (index {index}): DL4J 1.0.0-M2.1 cannot instantiate a {type(layer).__name__} "
                    "around a CenterLossOutputLayer (the wrapper's parameter initializer counts W and b but not the "
                    "centres cL, and init fails); leave the CenterLossOutputLayer unwrapped")
            if isinstance(layer, (FrozenLayer, FrozenLayerWithBackprop)) and isinstance(layer.wrapped(),
                                                                                         VariationalAutoencoder):
                raise InvalidConfigurationError(
                    f"layer {name!r} (index {index}): DL4J 1.0.0-M2.1 cannot instantiate a {type(layer).__name__} "
                    "around a VariationalAutoencoder (the wrapper's parameter initializer asks numParams(Layer), which "
                    "VariationalAutoencoderParamInitializer does not override: it counts nIn*nOut + nOut, and init "
                    "fails); leave the VariationalAutoencoder unwrapped")

    def _indexed_layers(self) -> list:
        """[(DL4J's layer index, layer / vertex name, layer configuration)] of every layer."""
        raise NotImplementedError

    def _layer_confs(self) -> list:
        """Every NeuralNetConfiguration inside the network configuration."""
        raise NotImplementedError

    def setDataType(self, name: str) -> None:
        """Mirrors the configuration's setDataType: the network and every layer conf take the dtype."""
        value = DataType[name]
        self._conf.dataType = value
        for conf in self._layer_confs():
            conf.dataType = value

    def _require_init(self):
        if self._flat is None:
            raise InvalidConfigurationError(f"this {type(self).__name__} is not initialised: call init() first")

    # ---- params ------------------------------------------------------------------------

    def params(self) -> np.ndarray:
        """Mirrors Model#params(): DL4J's flat parameter vector (the array itself, not a copy)."""
        self._require_init()
        self._pull_from_backend()
        return self._flat

    def setParams(self, params) -> None:
        """Mirrors Model#setParams: copy a flat vector of exactly numParams() values in."""
        self._require_init()
        self._pull_from_backend()
        flat = np.asarray(params).reshape(-1)
        P.check_length(flat, self._flat.size, "the parameter vector")
        self._flat[...] = flat
        self._rt = None

    setParameters = setParams  # MultiLayerNetwork#setParameters: the same as setParams

    def numParams(self) -> int:
        """Mirrors Model#numParams()."""
        if self._flat is not None:
            return int(self._flat.size)
        return int(sum(s.size for s in P.layout(self._owners_and_layers())))

    def paramTable(self, backpropParamsOnly: bool = False) -> dict:
        """Mirrors Model#paramTable(): {"0_W": view, ...} (MLN) / {"dense_W": view, ...} (graph), views into params()."""
        return P.param_table(self.params(), self._slots)

    def setParamTable(self, paramTable) -> None:
        """Mirrors Model#setParamTable(Map): the same keys as paramTable(), the same shapes (all checked before any
        value is written), copied into the network's params."""
        current = self.paramTable()
        if set(paramTable) != set(current):
            missing, extra = sorted(set(current) - set(paramTable)), sorted(set(paramTable) - set(current))
            raise InvalidConfigurationError(
                f"Cannot set param table: parameter set keys are not equal (missing {missing}, unknown {extra})")
        for key, view in current.items():
            if tuple(np.shape(paramTable[key])) != view.shape:
                raise ParamLengthMismatchError(
                    f'Cannot set parameters: shape array for parameter "{key}" does not match existing shape: '
                    f"parameter shape = {list(view.shape)}, new param shape = {list(np.shape(paramTable[key]))}")
        for key, view in current.items():
            view[...] = np.asarray(paramTable[key])
        self.paramsChanged()

    def paramLayout(self) -> list:
        """The flat parameter layout (an extension): ``conf.params.ParamSlot`` rows (owner, key, shape, order,
        offset) in flat-vector order, the one source the param table and the runtime layers' views come from."""
        if self._flat is not None:
            return list(self._slots)
        return P.layout(self._owners_and_layers())

    def activateLayer(self, owner, input, training: bool = False):
        """One layer alone on ``input`` (an extension behind the runtime layers' ``activate``): ``owner`` is the layer
        index (MLN) or vertex name (graph); numpy in -> numpy out (torch in -> torch out)."""
        out = self.getRuntime().activate_layer(str(owner), input, train=bool(training))
        return out if T.is_tensor(input) else T.to_host(out)

    def layerCall(self, owner, method: str, *args):
        """A layer's own runtime method (an extension behind the runtime layers' VariationalAutoencoder methods):
        ``owner`` is the layer index (MLN) or vertex name (graph); numpy in -> numpy out (torch in -> torch out)."""
        out = self.getRuntime().vae_call(str(owner), method, *args)
        return out if any(T.is_tensor(a) for a in args) else T.to_host(out)

    def getParam(self, name: str) -> np.ndarray:
        """Mirrors Model#getParam(String)."""
        table = self.paramTable()
        if name not in table:
            raise KeyError(f"no parameter {name!r}; the parameters are {list(table)}")
        return table[name]

    def setParam(self, name: str, value) -> None:
        """Mirrors Model#setParam(String, INDArray)."""
        target = self.getParam(name)  # params() pulls first
        value = np.asarray(value)
        if value.shape != target.shape:
            raise ParamLengthMismatchError(f"parameter {name} has shape {target.shape}, got {value.shape}")
        target[...] = value
        self._rt = None

    # ---- updater state -----------------------------------------------------------------

    def updaterStateSize(self) -> int:
        """The exact length DL4J's updater state has for this configuration (0: no state)."""
        return state_size(self._updater_owners_and_layers())

    def updaterBlocks(self) -> list:
        """DL4J's UpdaterBlocks of this network (see nn/updater_layout.py)."""
        return updater_blocks(self._updater_owners_and_layers())

    def getUpdaterState(self):
        """Mirrors getUpdater().getStateViewArray(): the flat updater state, or None if none is held
        (a network that was never fitted and loaded none has none, as DL4J before its updater exists)."""
        self._pull_from_backend()
        return self._updater_state

    def setUpdaterState(self, state, *, entry: str | None = None) -> None:
        """Mirrors getUpdater().setStateViewArray(...): the state must have exactly updaterStateSize() values."""
        self._pull_from_backend()
        if state is None:
            self._updater_state = None
            if self._rt is not None:
                self._rt.set_updater_state(None)
            return
        flat = np.asarray(state).reshape(-1)
        expected = self.updaterStateSize()
        if expected == 0:
            raise ParamLengthMismatchError(
                f"an updater state of {flat.size} values was given, but this network's updaters keep no state "
                "(all Sgd / NoOp); load it with loadUpdater=False", entry=entry)
        P.check_length(flat, expected, "the updater state", entry=entry)
        self._updater_state = flat.astype(self._dtype, copy=True)
        if self._rt is not None:
            self._rt.set_updater_state(self._updater_state)  # the next step starts from it

    # ---- counters kept in the configuration, as DL4J does ------------------------------

    def getIterationCount(self) -> int:
        return int(self._conf.iterationCount or 0)

    def setIterationCount(self, count: int) -> None:
        self._conf.iterationCount = int(count)

    def getEpochCount(self) -> int:
        return int(self._conf.epochCount or 0)

    def incrementEpochCount(self) -> None:
        """Mirrors incrementEpochCount(): what fit(iterator) does after each pass (for loops calling fit(DataSet))."""
        self.setEpochCount(self.getEpochCount() + 1)

    def setEpochCount(self, count: int) -> None:
        self._conf.epochCount = int(count)

    def layerSize(self, layer) -> int:
        """Mirrors MultiLayerNetwork#layerSize(int) / ComputationGraph#layerSize(int | String): the layer's nOut
        (its output size), or 0 when DL4J's configuration for it is not a FeedForwardLayer."""
        return self._feed_forward_size(layer, "nOut")

    def layerInputSize(self, layer) -> int:
        """Mirrors MultiLayerNetwork#layerInputSize(int) / ComputationGraph#layerInputSize(int | String): the layer's
        nIn, or 0 when DL4J's configuration for it is not a FeedForwardLayer."""
        return self._feed_forward_size(layer, "nIn")

    def _feed_forward_size(self, layer, attr: str) -> int:
        conf = self.getLayer(layer).conf().getLayer()  # a frozen layer's conf() is the wrapped layer's, as in DL4J
        return int(getattr(conf, attr) or 0) if isinstance(conf, FeedForwardLayer) else 0

    def summary(self, *inputTypes) -> str:
        """Mirrors MultiLayerNetwork#summary([InputType]) / ComputationGraph#summary([InputType...]):
        DL4J's table (name, type, nIn/nOut, param counts and shapes, frozen marks, totals)."""
        return _summary(self, *inputTypes)

    # ---- evaluation (DL4J's evaluate / evaluateRegression / evaluateROC) ---------------------

    def _predict_batches(self, iterator):
        """(labels, predictions, labels mask) per minibatch of a DataSet iterator, outputs in inference mode."""
        for ds in T.iterate(iterator):
            feats, labels, _, lmasks = T.as_minibatch(ds)
            outs = self.output(*feats) if self._is_graph else [self.output(feats[0])]
            mask = lmasks[0] if lmasks else None
            yield np.asarray(labels[0]), np.asarray(outs[0]), None if mask is None else np.asarray(mask)

    def _run_evaluation(self, evaluation, iterator):
        for labels, predictions, mask in self._predict_batches(iterator):
            evaluation.eval(labels, predictions, mask)
        return evaluation

    def evaluate(self, iterator, labelsList=None):
        """Mirrors MultiLayerNetwork#evaluate(DataSetIterator[, List<String>]): a classification Evaluation
        of the (first) output over every minibatch; ``labelsList`` names the classes in ``stats()``."""
        return self._run_evaluation(Evaluation(labels=labelsList), iterator)

    def evaluateRegression(self, iterator, columnNames=None):
        """Mirrors MultiLayerNetwork#evaluateRegression(DataSetIterator): a RegressionEvaluation."""
        return self._run_evaluation(RegressionEvaluation(columnNames), iterator)

    def evaluateROC(self, iterator, rocThresholdSteps: int = 0):
        """Mirrors MultiLayerNetwork#evaluateROC(DataSetIterator, int) (exact mode: rocThresholdSteps=0)."""
        return self._run_evaluation(ROC(rocThresholdSteps), iterator)

    def evaluateROCMultiClass(self, iterator, rocThresholdSteps: int = 0):
        """Mirrors MultiLayerNetwork#evaluateROCMultiClass(DataSetIterator, int)."""
        return self._run_evaluation(ROCMultiClass(rocThresholdSteps), iterator)

    # ---- copies and saving --------------------------------------------------------------

    def clone(self):
        """Mirrors Model#clone(): an independent copy (configuration, params, updater state)."""
        self._pull_from_backend()
        other = copy.copy(self)
        other._conf = self._conf.clone()
        other._flat = None if self._flat is None else self._flat.copy()
        other._updater_state = None if self._updater_state is None else self._updater_state.copy()
        other._zip_extras = dict(self._zip_extras)
        other._rt = None
        other._listeners = []  # a clone starts without listeners
        other._rnn_state = {}  # ... and without stored RNN state
        return other

    def save(self, path, saveUpdater: bool = True) -> None:
        """Mirrors MultiLayerNetwork#save(File, boolean): ModelSerializer.writeModel(this, path, saveUpdater)."""
        write_model(self, path, saveUpdater)

    def toJson(self) -> str:
        """The configuration JSON DL4J would write into configuration.json."""
        return self._conf.toJson()

    # ---- execution ---------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return self._backend

    def paramsChanged(self, ranges=None) -> None:
        """The arrays of :meth:`params` were written in place (an extension): in ``ranges`` ([(start, end)] of the
        flat vector), or anywhere (None). A runtime sharing their memory (the torch backend on the CPU) needs
        nothing; one on a device copies those ranges up; DL4J's copy is rebuilt."""
        if self._rt is not None:
            self._rt.params_written([(0, self._flat.size)] if ranges is None else ranges)

    def _pull_from_backend(self) -> None:
        """Copy trained values from the runtime into params() / the updater state (no-op on CPU: shared memory)."""
        if self._rt is not None:
            self._flat, self._updater_state = self._rt.host_arrays()

    def torchModule(self):
        """The plain ``torch.nn.Module`` running this network (state_dict keys ``"<layerName>.<key>"``).

        Its Parameters are views into the network's flat parameter vector: training through
        :meth:`fit` shows in the module, and (on CPU) changes made to the module show in ``params()``."""
        return self.getRuntime().module

    def to(self, device=None, dtype=None):
        """Move the torch backend to ``device`` ("cuda", "cpu", torch.device) and/or change the network's
        data type (``"FLOAT"``/``"DOUBLE"``/``"HALF"`` or a numpy/torch dtype); returns self."""
        self._require_init()
        self.releaseRuntime()
        if dtype is not None:
            name = _dtype_name(dtype)
            self.setDataType(name)
            self._flat = self._flat.astype(self._dtype)
            if self._updater_state is not None:
                self._updater_state = self._updater_state.astype(self._dtype)
        if device is not None:
            import torch

            dev = torch.device(device)
            self._device = None if dev.type == "cpu" else dev
        return self

    def _mini_batch(self) -> bool:
        raise NotImplementedError

    # ---- listeners (DL4J's setListeners / addListeners / getListeners; see nn/listeners.py) --------

    def setListeners(self, *listeners) -> None:
        """Mirrors setListeners(TrainingListener...) / setListeners(Collection): replaces the listeners
        (``setListeners()`` or ``setListeners(None)`` removes them all)."""
        self._listeners = L.as_listener_list(listeners)

    def addListeners(self, *listeners) -> None:
        """Mirrors addListeners(TrainingListener...): appends to the current listeners."""
        self._listeners = list(getattr(self, "_listeners", None) or []) + L.as_listener_list(listeners)

    def getListeners(self) -> list:
        """Mirrors getListeners(): the listeners, in call order (the list itself)."""
        if getattr(self, "_listeners", None) is None:
            self._listeners = []
        return self._listeners

    def getLastEtlTime(self) -> int:
        """Mirrors getLastEtlTime(): ms the last fit minibatch waited for its iterator."""
        return int(getattr(self, "_last_etl_ms", 0) or 0)

    def fit(self, data=None, labels=None, *, epochs: int = 1, featuresMask=None, labelsMask=None,
            progress: bool = False):
        """Mirrors MultiLayerNetwork/ComputationGraph#fit.

        * ``fit(features, labels)`` (numpy or torch; a graph takes lists), ``fit(dataSet)`` (anything with
          getFeatures()/getLabels(), masks when present), ``fit(multiDataSet)``: ONE iteration, as DL4J's
          fit(DataSet) (``epochs`` repeats it; the epoch count is not changed, as in DL4J);
        * ``fit(iterator, numEpochs)`` / ``fit(iterator, epochs=N)`` (hasNext/next/reset, or any Python iterable of
          DataSet-likes / (x, y) pairs): N passes; each pass ends with epochCount += 1 (DL4J's
          fit(DataSetIterator, int numEpochs)).

        With ``BackpropType.TruncatedBPTT`` each minibatch is DL4J's ``doTruncatedBPTT``: one iteration per
        ``tbpttFwdLength`` time steps, RNN state carried between them (nn/rnn.py). Layers' parameter constraints
        are applied after every iteration, as DL4J does.

        Listeners (``setListeners``) are called as in DL4J: ``onEpochStart``/``onEpochEnd`` around each pass of
        an iterator fit, ``iterationDone(net, iteration, epoch)`` after each iteration. ``progress=True``
        shows a tqdm bar (score, examples/s) per pass when tqdm is installed (no bar otherwise).
        """
        self._require_init()
        if isinstance(labels, (int, np.integer)) and not isinstance(labels, bool):
            if not T.is_iterator(data):  # Java has fit(DataSetIterator, int numEpochs) only
                raise InvalidConfigurationError(
                    f"fit(x, {labels}): an int second argument is the number of epochs of fit(iterator, numEpochs); "
                    f"got a {type(data).__name__} first. Pass labels as an array: fit(features, labels)")
            epochs, labels = int(labels), None
        if int(epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        if self.numParams() == 0:
            return self  # DL4J: "No op: can't fit a network with 0 parameters"
        rt = self.getRuntime()
        if T.is_iterator(data) and labels is None:
            for e in range(int(epochs)):
                if e > 0 and hasattr(data, "reset"):
                    data.reset()
                L.fire(self, "onEpochStart")
                with L.ProgressBar(progress, L.length_of(data), f"epoch {self.getEpochCount()}", "batch") as bar:
                    items = iter(T.iterate(data))
                    while True:
                        t0 = time.perf_counter()
                        item = next(items, None)
                        if item is None:
                            break
                        self._last_etl_ms = int((time.perf_counter() - t0) * 1000)
                        if isinstance(item, (tuple, list)) and len(item) >= 2 and not hasattr(item, "getFeatures"):
                            batch = T.as_minibatch(item[0], item[1], *item[2:4])
                        else:
                            batch = T.as_minibatch(item)
                        if batch[0] is None or batch[1] is None:
                            break
                        T.fit_batch(self, rt, *batch)
                        if bar.bar is not None:
                            bar.update(T.num_examples(batch[0]), self.score())
                L.fire(self, "onEpochEnd")
                self.setEpochCount(self.getEpochCount() + 1)
            return self
        batch = T.as_minibatch(data, labels, featuresMask, labelsMask)
        self._last_etl_ms = 0
        with L.ProgressBar(progress and int(epochs) > 1, int(epochs), "fit", "it") as bar:
            for _ in range(int(epochs)):
                T.fit_batch(self, rt, *batch)
                if bar.bar is not None:
                    bar.update(T.num_examples(batch[0]), self.score())
        return self

    def computeGradientAndScore(self, data=None, labels=None, *, featuresMask=None, labelsMask=None):
        """Mirrors Model#computeGradientAndScore() on the given minibatch, or (no arguments, as in Java) on the one set
        with setInput/setLabels (graph: setInputs/setLabels): returns ``(gradient, score)`` — the flat gradient in
        DL4J's parameter order (summed over the minibatch, before the updater) and the score (loss / minibatch +
        L1/L2/weight-decay terms), also kept for ``gradient()`` and ``score()``."""
        rt = self.getRuntime()
        if data is None and labels is None:
            data, labels = self._set_input, self._set_labels
            if data is None or labels is None:
                raise InvalidConfigurationError("computeGradientAndScore(): no input/labels; call setInput(...) and "
                                                "setLabels(...) first, or pass them: computeGradientAndScore(x, y)")
        batch = T.as_minibatch(data, labels, featuresMask, labelsMask)
        T.compute_gradient_and_score(self, rt, *batch)  # TBPTT nets too: M2.1 starts from the (cleared) TBPTT state
        return self.gradient(), self.score()

    # ---- stored RNN state (DL4J's rnnTimeStep & co; see nn/rnn.py) ------------------------------------------

    def rnnTimeStep(self, *inputs):
        """Mirrors MultiLayerNetwork#rnnTimeStep(INDArray) / ComputationGraph#rnnTimeStep(INDArray...): inference
        that continues each recurrent layer from its stored state and stores the state after the last step.

        A rank-2 input ``[minibatch, nIn]`` is one time step (the output comes back rank 2, as in DL4J).
        Returns numpy for numpy input (torch for torch input): one array (MLN) or a list (graph)."""
        self._require_init()
        if not self._is_graph and len(inputs) != 1:
            raise InvalidConfigurationError(f"a MultiLayerNetwork takes 1 input array, got {len(inputs)}")
        if self._is_graph and len(inputs) != self.getNumInputArrays():
            raise InvalidConfigurationError(
                f"this graph has {self.getNumInputArrays()} inputs {list(self._conf.networkInputs)}, got {len(inputs)}")
        outs = rnn.rnn_time_step(self, self.getRuntime(), inputs)
        if not any(T.is_tensor(x) for x in inputs):
            outs = [T.to_host(o) for o in outs]
        return outs if self._is_graph else outs[0]

    def rnnClearPreviousState(self) -> None:
        """Mirrors rnnClearPreviousState(): forget every recurrent layer's stored state."""
        rnn.clear_previous_state(self)

    def rnnGetPreviousState(self, layer) -> dict:
        """Mirrors rnnGetPreviousState(int layer) (graph: also a layer name): ``{"prevAct": ..., "prevMem": ...}``
        (LSTM/GravesLSTM; SimpleRnn: ``prevAct``) as numpy copies, ``{}`` when nothing is stored."""
        return rnn.get_previous_state(self, self.getRuntime(), layer)

    def rnnSetPreviousState(self, layer, state) -> None:
        """Mirrors rnnSetPreviousState(layer, Map<String, INDArray>): replace a recurrent layer's stored state."""
        rnn.set_previous_state(self, self.getRuntime(), layer, state)

    def gradient(self) -> np.ndarray:
        """Mirrors Model#gradient().gradient(): the flat gradient view (after fit: the last update applied,
        as DL4J's updater overwrites the gradient view)."""
        if self._rt is None:
            return None
        return self._rt.gradient()

    def score(self, dataSet=None, training: bool = False) -> float:
        """Mirrors Model#score(): the score of the last fit/computeGradientAndScore (NaN before any);
        ``score(dataSet)`` computes it for a minibatch without changing anything."""
        if dataSet is not None:
            return T.score_without_changes(self, self.getRuntime(), T.as_minibatch(dataSet))
        return float("nan") if self._rt is None else self._rt.score_value()
