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
from pydl4j_transfer.nn.init import init_params
from pydl4j_transfer.nn.updater_layout import state_size, updater_blocks

log = logging.getLogger(__name__)

# DL4J DataType name -> numpy dtype of the parameters
NET_DTYPES = {"FLOAT": np.float32, "DOUBLE": np.float64, "HALF": np.float16}
DTYPE_NAMES = {np.dtype(v): k for k, v in NET_DTYPES.items()}
BACKENDS = ("torch", "dl4j")


def _enum_name(value) -> str:
    return getattr(value, "name", None) or str(value)


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
        self._module = None  # torch module, built on first use
        self._dl4j = None  # Dl4jModel, built on first use (backend="dl4j")

    # ---- layout ------------------------------------------------------------------------

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
        self._module = None
        return self

    def _seed(self) -> int:
        raise NotImplementedError

    def _layer_confs(self) -> list:
        """Every NeuralNetConfiguration inside the network configuration."""
        raise NotImplementedError

    def setDataType(self, name: str) -> None:  # noqa: N802
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

    def setParams(self, params) -> None:  # noqa: N802
        """Mirrors Model#setParams: copy a flat vector of exactly numParams() values in."""
        self._require_init()
        flat = np.asarray(params).reshape(-1)
        P.check_length(flat, self._flat.size, "the parameter vector")
        self._flat[...] = flat
        self._module = None
        self._dl4j = None

    def numParams(self) -> int:  # noqa: N802
        """Mirrors Model#numParams()."""
        if self._flat is not None:
            return int(self._flat.size)
        return int(sum(s.size for s in P.layout(self._owners_and_layers())))

    def paramTable(self) -> dict:  # noqa: N802
        """Mirrors Model#paramTable(): {"0_W": view, ...} (MLN) / {"dense_W": view, ...} (graph), views into params()."""
        return P.param_table(self.params(), self._slots)

    def getParam(self, name: str) -> np.ndarray:  # noqa: N802
        """Mirrors Model#getParam(String)."""
        table = self.paramTable()
        if name not in table:
            raise KeyError(f"no parameter {name!r}; the parameters are {list(table)}")
        return table[name]

    def setParam(self, name: str, value) -> None:  # noqa: N802
        """Mirrors Model#setParam(String, INDArray)."""
        target = self.getParam(name)
        value = np.asarray(value)
        if value.shape != target.shape:
            raise ParamLengthMismatchError(f"parameter {name} has shape {target.shape}, got {value.shape}")
        target[...] = value
        self._module = None
        self._dl4j = None

    # ---- updater state -----------------------------------------------------------------

    def updaterStateSize(self) -> int:  # noqa: N802
        """The exact length DL4J's updater state has for this configuration (0: no state)."""
        return state_size(self._updater_owners_and_layers())

    def updaterBlocks(self) -> list:  # noqa: N802
        """DL4J's UpdaterBlocks of this network (see nn/updater_layout.py)."""
        return updater_blocks(self._updater_owners_and_layers())

    def getUpdaterState(self):  # noqa: N802
        """Mirrors getUpdater().getStateViewArray(): the flat updater state, or None if none is held."""
        return self._updater_state

    def setUpdaterState(self, state, *, entry: str | None = None) -> None:  # noqa: N802
        """Mirrors getUpdater().setStateViewArray(...): the state must have exactly updaterStateSize() values."""
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
        self._updater_state = flat.astype(self._dtype, copy=False)

    # ---- counters kept in the configuration, as DL4J does ------------------------------

    def getIterationCount(self) -> int:  # noqa: N802
        return int(self._conf.iterationCount or 0)

    def setIterationCount(self, count: int) -> None:  # noqa: N802
        self._conf.iterationCount = int(count)

    def getEpochCount(self) -> int:  # noqa: N802
        return int(self._conf.epochCount or 0)

    def setEpochCount(self, count: int) -> None:  # noqa: N802
        self._conf.epochCount = int(count)

    # ---- copies and saving --------------------------------------------------------------

    def clone(self):
        """Mirrors Model#clone(): an independent copy (configuration, params, updater state)."""
        self._pull_from_backend()
        other = copy.copy(self)
        other._conf = self._conf.clone()
        other._flat = None if self._flat is None else self._flat.copy()
        other._updater_state = None if self._updater_state is None else self._updater_state.copy()
        other._zip_extras = dict(self._zip_extras)
        other._module = None
        other._dl4j = None
        return other

    def save(self, path, saveUpdater: bool = True) -> None:
        """Mirrors MultiLayerNetwork#save(File, boolean): ModelSerializer.writeModel(this, path, saveUpdater)."""
        from pydl4j_transfer.nn.serializer import ModelSerializer

        ModelSerializer.writeModel(self, path, saveUpdater)

    def toJson(self) -> str:  # noqa: N802
        """The configuration JSON DL4J would write into configuration.json."""
        return self._conf.toJson()

    # ---- execution ---------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return self._backend

    def _pull_from_backend(self) -> None:
        """Hook for backends that train in place (later capabilities); a no-op for inference."""

    def _torch_module(self):
        if self._module is None:
            from pydl4j_transfer.torch_backend import build_module

            self._module = build_module(self._conf, self._flat)
        return self._module

    def _dl4j_model(self):
        if self._dl4j is None:
            from pydl4j_transfer.dl4j_backend import Dl4jModel

            self._dl4j = Dl4jModel.fromJson(self._conf.toJson(), self._flat)
        return self._dl4j
