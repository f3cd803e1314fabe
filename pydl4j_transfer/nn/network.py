"""What MultiLayerNetwork and ComputationGraph share: configuration + one flat parameter vector.

A network object owns a DL4J configuration (``pydl4j_transfer.conf``), DL4J's flat parameter
vector (numpy, in DL4J's order and dtype) and, when there is one, the flat updater state. It
runs on a backend chosen per object: ``"torch"`` (default; torch is imported on first use, so
reading and writing zips needs no torch) or ``"dl4j"`` (real DL4J in the JVM).
"""

from __future__ import annotations

import copy
import logging

import numpy as np

from pydl4j_transfer.conf.enums import DataType
from pydl4j_transfer.errors import InvalidConfigurationError, ParamLengthMismatchError
from pydl4j_transfer.nn import params as P
from pydl4j_transfer.nn.init import apply_instantiate_hooks, init_params
from pydl4j_transfer.nn.updater_layout import state_size, updater_blocks

log = logging.getLogger(__name__)

# DL4J DataType name -> numpy dtype of the parameters
NET_DTYPES = {"FLOAT": np.float32, "DOUBLE": np.float64, "HALF": np.float16}
DTYPE_NAMES = {np.dtype(v): k for k, v in NET_DTYPES.items()}
BACKENDS = ("torch", "dl4j")


def _dtype_name(dtype) -> str:
    if isinstance(dtype, str):
        return dtype.upper()
    name = str(dtype).replace("torch.", "")
    return {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(np.dtype(name).name if name != "bfloat16" else "", "FLOAT")


def _enum_name(value) -> str:
    return getattr(value, "name", None) or str(value)


class LayerView:
    """Mirrors org.deeplearning4j.nn.api.Layer for what a script reads off a layer: its configuration
    and its parameters (views into the network's flat vector, keyed without the owner prefix)."""

    def __init__(self, net: "BaseNetwork", owner: str, layer_conf, index: int):
        self._net, self._owner, self._conf, self._index = net, str(owner), layer_conf, index

    def conf(self):
        """The layer's configuration object (DL4J: ``layer.conf().getLayer()``)."""
        return self._conf

    def getIndex(self) -> int:
        return self._index

    def paramTable(self) -> dict:
        prefix = self._owner + "_"
        return {k[len(prefix):]: v for k, v in self._net.paramTable().items() if k.startswith(prefix)}

    def getParam(self, key: str):
        return self._net.getParam(f"{self._owner}_{key}")

    def setParam(self, key: str, value) -> None:
        self._net.setParam(f"{self._owner}_{key}", value)

    def params(self) -> np.ndarray:
        """The layer's parameters, flattened in DL4J's order (a copy)."""
        table = self.paramTable()
        return np.concatenate([v.reshape(-1, order="F") for v in table.values()]) if table else np.zeros(0)

    def numParams(self) -> int:
        return int(self._conf.numParams()) if self._conf is not None else 0

    def __repr__(self):
        return f"{type(self._conf).__name__}({self._owner!r})"


class BaseNetwork:
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
        self._train = None  # nn.training.TrainState: the torch module + flat tensors, built on first use
        self._device = None  # torch device of the torch backend (None: CPU)
        self._dl4j = None  # Dl4jModel, built on first use (backend="dl4j")
        self._listeners: list = []  # TrainingListeners (nn/listeners.py), called by fit
        self._last_etl_ms = 0  # time the last fit minibatch waited for its iterator (DL4J's getLastEtlTime)
        self._last_batch_size = 0
        self._rnn_state: dict = {}  # stored RNN state per recurrent layer (DL4J's stateMap; nn/rnn.py)

    @property
    def _module(self):
        return None if self._train is None else self._train.module

    @_module.setter
    def _module(self, value):
        """Setting None drops the torch state (after copying anything newer back into the numpy arrays)."""
        if value is not None:
            raise ValueError("the torch module is built by the network")
        if self._train is not None:
            self._train.pull(self)
        self._train = None

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
        return NET_DTYPES.get(_enum_name(self._conf.dataType), np.float32)

    # ---- init --------------------------------------------------------------------------

    def init(self, params=None, cloneParametersArray: bool = True):
        """Mirrors MultiLayerNetwork#init(INDArray, boolean): set up the flat parameter vector.

        Without ``params`` the parameters are drawn with DL4J's weight-init schemes from the
        configuration's seed (numpy's random stream, not DL4J's: see ``nn/init.py``).
        """
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
        self._train = None
        return self

    def _seed(self) -> int:
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
        self._module = None
        self._dl4j = None

    def numParams(self) -> int:
        """Mirrors Model#numParams()."""
        if self._flat is not None:
            return int(self._flat.size)
        return int(sum(s.size for s in P.layout(self._owners_and_layers())))

    def paramTable(self) -> dict:
        """Mirrors Model#paramTable(): {"0_W": view, ...} (MLN) / {"dense_W": view, ...} (graph), views into params()."""
        return P.param_table(self.params(), self._slots)

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
        self._module = None
        self._dl4j = None

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
        if self._train is not None:
            self._train.state = None  # re-read from _updater_state on the next step
        if state is None:
            self._updater_state = None
            return
        flat = np.asarray(state).reshape(-1)
        expected = self.updaterStateSize()
        if expected == 0:
            raise ParamLengthMismatchError(
                f"an updater state of {flat.size} values was given, but this network's updaters keep no state "
                "(all Sgd / NoOp); load it with loadUpdater=False", entry=entry)
        P.check_length(flat, expected, "the updater state", entry=entry)
        self._updater_state = flat.astype(self._dtype, copy=True)

    # ---- counters kept in the configuration, as DL4J does ------------------------------

    def getIterationCount(self) -> int:
        return int(self._conf.iterationCount or 0)

    def setIterationCount(self, count: int) -> None:
        self._conf.iterationCount = int(count)

    def getEpochCount(self) -> int:
        return int(self._conf.epochCount or 0)

    def setEpochCount(self, count: int) -> None:
        self._conf.epochCount = int(count)

    def summary(self, *inputTypes) -> str:
        """Mirrors MultiLayerNetwork#summary([InputType]) / ComputationGraph#summary([InputType...]):
        DL4J's table (name, type, nIn/nOut, param counts and shapes, frozen marks, totals)."""
        from pydl4j_transfer.nn.summary import summary

        return summary(self, *inputTypes)

    # ---- evaluation (DL4J's evaluate / evaluateRegression / evaluateROC) ---------------------

    def _predict_batches(self, iterator):
        """(labels, predictions, labels mask) per minibatch of a DataSet iterator, outputs in inference mode."""
        from pydl4j_transfer.nn.training import as_minibatch, iterate

        for ds in iterate(iterator):
            feats, labels, _, lmasks = as_minibatch(ds)
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
        from pydl4j_transfer.eval import Evaluation

        return self._run_evaluation(Evaluation(labels=labelsList), iterator)

    def evaluateRegression(self, iterator, columnNames=None):
        """Mirrors MultiLayerNetwork#evaluateRegression(DataSetIterator): a RegressionEvaluation."""
        from pydl4j_transfer.eval import RegressionEvaluation

        return self._run_evaluation(RegressionEvaluation(columnNames), iterator)

    def evaluateROC(self, iterator, rocThresholdSteps: int = 0):
        """Mirrors MultiLayerNetwork#evaluateROC(DataSetIterator, int) (exact mode: rocThresholdSteps=0)."""
        from pydl4j_transfer.eval import ROC

        return self._run_evaluation(ROC(rocThresholdSteps), iterator)

    def evaluateROCMultiClass(self, iterator, rocThresholdSteps: int = 0):
        """Mirrors MultiLayerNetwork#evaluateROCMultiClass(DataSetIterator, int)."""
        from pydl4j_transfer.eval import ROCMultiClass

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
        other._train = None
        other._dl4j = None
        other._listeners = []  # a clone starts without listeners
        other._rnn_state = {}  # ... and without stored RNN state
        return other

    def save(self, path, saveUpdater: bool = True) -> None:
        """Mirrors MultiLayerNetwork#save(File, boolean): ModelSerializer.writeModel(this, path, saveUpdater)."""
        from pydl4j_transfer.nn.serializer import ModelSerializer

        ModelSerializer.writeModel(self, path, saveUpdater)

    def toJson(self) -> str:
        """The configuration JSON DL4J would write into configuration.json."""
        return self._conf.toJson()

    # ---- execution ---------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return self._backend

    def _params_written(self, ranges) -> None:
        """The numpy params were written in ``ranges`` ([(start, end)] of the flat vector) behind the torch
        state's back. On the CPU it shares their memory: nothing to do, and the state is kept (rebuilding it costs
        a VGG16 a quarter of a second). On a device those ranges are copied up (pinned, non-blocking)."""
        ts = self._train
        if ts is None or ts.device.type == "cpu":
            return
        import torch

        from pydl4j_transfer.torch_backend.base import to_device

        for start, end in ranges:
            ts.params[start:end].copy_(to_device(torch.from_numpy(self._flat[start:end]), ts.device))

    def _pull_from_backend(self) -> None:
        """Copy trained values from the device into params() / the updater state (no-op on CPU: shared memory)."""
        if self._train is not None:
            self._train.pull(self)

    def _train_state(self):
        self._require_init()
        if self._train is None:
            import torch

            from pydl4j_transfer.nn.training import TrainState

            # built outside inference mode even when first needed inside it (output, featurize): tensors created
            # in inference mode could never be trained or updated in place afterwards
            with torch.inference_mode(False):
                self._train = TrainState(self, self._device)
        return self._train

    def _torch_module(self):
        return self._train_state().module

    def torchModule(self):
        """The plain ``torch.nn.Module`` running this network (state_dict keys ``"<layerName>.<key>"``).

        Its Parameters are views into the network's flat parameter vector: training through
        :meth:`fit` shows in the module, and (on CPU) changes made to the module show in ``params()``."""
        return self._torch_module()

    def to(self, device=None, dtype=None):
        """Move the torch backend to ``device`` ("cuda", "cpu", torch.device) and/or change the network's
        data type (``"FLOAT"``/``"DOUBLE"``/``"HALF"`` or a numpy/torch dtype); returns self."""
        self._require_init()
        self._pull_from_backend()
        self._train = None
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

    # ---- training (torch backend; see nn/training.py) ------------------------------------

    def _require_torch(self, what):
        if self._backend != "torch":
            raise InvalidConfigurationError(f"{what} runs on the torch backend; this network uses backend={self._backend!r}")

    # ---- listeners (DL4J's setListeners / addListeners / getListeners; see nn/listeners.py) --------

    def setListeners(self, *listeners) -> None:
        """Mirrors setListeners(TrainingListener...) / setListeners(Collection): replaces the listeners
        (``setListeners()`` or ``setListeners(None)`` removes them all)."""
        from pydl4j_transfer.nn.listeners import as_listener_list

        self._listeners = as_listener_list(listeners)

    def addListeners(self, *listeners) -> None:
        """Mirrors addListeners(TrainingListener...): appends to the current listeners."""
        from pydl4j_transfer.nn.listeners import as_listener_list

        self._listeners = list(getattr(self, "_listeners", None) or []) + as_listener_list(listeners)

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
        * ``fit(iterator, epochs=N)`` (hasNext/next/reset, or any Python iterable of DataSet-likes / (x, y)
          pairs): N passes; each pass ends with epochCount += 1 (DL4J's fit(DataSetIterator, int)).

        With ``BackpropType.TruncatedBPTT`` each minibatch is DL4J's ``doTruncatedBPTT``: one iteration per
        ``tbpttFwdLength`` time steps, RNN state carried between them (nn/rnn.py). Layers' parameter constraints
        are applied after every iteration, as DL4J does.

        Listeners (``setListeners``) are called as in DL4J: ``onEpochStart``/``onEpochEnd`` around each pass of
        an iterator fit, ``iterationDone(net, iteration, epoch)`` after each iteration. ``progress=True``
        shows a tqdm bar (score, examples/s) per pass when tqdm is installed (no bar otherwise).
        """
        import time

        from pydl4j_transfer.nn import listeners as L
        from pydl4j_transfer.nn import training as T

        self._require_torch("fit")
        self._require_init()
        if int(epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        if self.numParams() == 0:
            return self  # DL4J: "No op: can't fit a network with 0 parameters"
        ts = self._train_state()
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
                        T.fit_batch(self, ts, *batch)
                        if bar.bar is not None:
                            bar.update(T.num_examples(batch[0]), self.score())
                L.fire(self, "onEpochEnd")
                self.setEpochCount(self.getEpochCount() + 1)
            return self
        batch = T.as_minibatch(data, labels, featuresMask, labelsMask)
        self._last_etl_ms = 0
        with L.ProgressBar(progress and int(epochs) > 1, int(epochs), "fit", "it") as bar:
            for _ in range(int(epochs)):
                T.fit_batch(self, ts, *batch)
                if bar.bar is not None:
                    bar.update(T.num_examples(batch[0]), self.score())
        return self

    def computeGradientAndScore(self, data=None, labels=None, *, featuresMask=None, labelsMask=None):
        """Mirrors Model#computeGradientAndScore() on the given minibatch (DL4J's setInput/setLabels first):
        returns ``(gradient, score)`` — the flat gradient in DL4J's parameter order (summed over the minibatch,
        before the updater) and the score (loss / minibatch + L1/L2/weight-decay terms)."""
        from pydl4j_transfer.nn import training as T

        self._require_torch("computeGradientAndScore")
        ts = self._train_state()
        batch = T.as_minibatch(data, labels, featuresMask, labelsMask)
        T.compute_gradient_and_score(self, ts, *batch)  # TBPTT nets too: M2.1 starts from the (cleared) TBPTT state
        return self.gradient(), self.score()

    # ---- stored RNN state (DL4J's rnnTimeStep & co; see nn/rnn.py) ------------------------------------------

    def rnnTimeStep(self, *inputs):
        """Mirrors MultiLayerNetwork#rnnTimeStep(INDArray) / ComputationGraph#rnnTimeStep(INDArray...): inference
        that continues each recurrent layer from its stored state and stores the state after the last step.

        A rank-2 input ``[minibatch, nIn]`` is one time step (the output comes back rank 2, as in DL4J).
        Returns numpy for numpy input (torch for torch input): one array (MLN) or a list (graph)."""
        import torch

        from pydl4j_transfer.nn import rnn

        self._require_torch("rnnTimeStep")
        self._require_init()
        if not self._is_graph and len(inputs) != 1:
            raise InvalidConfigurationError(f"a MultiLayerNetwork takes 1 input array, got {len(inputs)}")
        if self._is_graph and len(inputs) != self.getNumInputArrays():
            raise InvalidConfigurationError(
                f"this graph has {self.getNumInputArrays()} inputs {list(self._conf.networkInputs)}, got {len(inputs)}")
        outs = rnn.rnn_time_step(self, inputs)
        if not any(isinstance(x, torch.Tensor) for x in inputs):
            outs = [o.detach().cpu().numpy() for o in outs]
        return outs if self._is_graph else outs[0]

    def rnnClearPreviousState(self) -> None:
        """Mirrors rnnClearPreviousState(): forget every recurrent layer's stored state."""
        from pydl4j_transfer.nn import rnn

        rnn.clear_previous_state(self)

    def rnnGetPreviousState(self, layer) -> dict:
        """Mirrors rnnGetPreviousState(int layer) (graph: also a layer name): ``{"prevAct": ..., "prevMem": ...}``
        (LSTM/GravesLSTM; SimpleRnn: ``prevAct``) as numpy copies, ``{}`` when nothing is stored."""
        from pydl4j_transfer.nn import rnn

        self._require_torch("rnnGetPreviousState")
        return rnn.get_previous_state(self, layer)

    def rnnSetPreviousState(self, layer, state) -> None:
        """Mirrors rnnSetPreviousState(layer, Map<String, INDArray>): replace a recurrent layer's stored state."""
        from pydl4j_transfer.nn import rnn

        self._require_torch("rnnSetPreviousState")
        rnn.set_previous_state(self, layer, state)

    def gradient(self) -> np.ndarray:
        """Mirrors Model#gradient().gradient(): the flat gradient view (after fit: the last update applied,
        as DL4J's updater overwrites the gradient view)."""
        if self._train is None:
            return None
        return self._train.grads.detach().cpu().numpy().copy()

    def score(self, dataSet=None, training: bool = False) -> float:
        """Mirrors Model#score(): the score of the last fit/computeGradientAndScore (NaN before any);
        ``score(dataSet)`` computes it for a minibatch without changing anything."""
        if dataSet is not None:
            from pydl4j_transfer.nn import training as T

            ts = self._train_state()
            saved = ts.grads.clone(), ts.score
            try:
                s = T.compute_gradient_and_score(self, ts, *T.as_minibatch(dataSet))
            finally:
                ts.grads.copy_(saved[0])
                ts.score = saved[1]
            return float(s)
        if self._train is None or self._train.score is None:
            return float("nan")
        return float(self._train.score)

    def _dl4j_model(self):
        if self._dl4j is None:
            from pydl4j_transfer.dl4j_backend import Dl4jModel

            self._dl4j = Dl4jModel.fromJson(self._conf.toJson(), self._flat)
        return self._dl4j
