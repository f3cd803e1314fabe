"""KerasModel / KerasSequentialModel: a Keras model config (+ training config, + weights) -> DL4J configuration and
network. Mirrors org.deeplearning4j.nn.modelimport.keras.{KerasModel, KerasSequentialModel,
utils.KerasModelBuilder, utils.KerasModelUtils}.

The steps are DL4J's: parse the model config; map each Keras layer (layer.py's registry); with
``enforceTrainingConfig`` map the optimizer and append a loss layer per output; infer every layer's output
InputType from the input shapes; read the weights into each mapper (Keras layout -> DL4J layout); build the
MultiLayerConfiguration (Sequential) or ComputationGraphConfiguration (functional) with DL4J's builders; make the
network and copy each layer's weights into DL4J's parameter slots.

What differs from DL4J, on purpose: the network is initialised with zeros before the weights are copied in, where
DL4J first draws every parameter from its initializer (and Keras's ``orthogonal`` goes through ND4J's native SVD,
which crashes the JVM for some sizes, shared/keras/README.md): the imported network is the same, as every
parameter is overwritten by the Keras weights.
"""

from __future__ import annotations

import json
import logging
import math
import os

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf import ComputationGraphConfiguration, LayerVertex, NeuralNetConfiguration, PreprocessorVertex
from pydl4j_transfer.conf.enums import BackpropType
from pydl4j_transfer.errors import (InvalidConfigurationError, InvalidKerasConfigurationError,
                                    UnsupportedKerasConfigurationError)

from . import values
from .config import KerasModelConfiguration, layer_configuration
from .hdf5 import Hdf5Archive
from .layer import DimOrder, KerasLayer, layer_from_config
from .layers import core

log = logging.getLogger(__name__)
MC = KerasModelConfiguration


# ---------------------------------------------------------------------------------------- KerasModelUtils


def parse_json(text, what="model configuration"):
    """Mirrors KerasModelUtils#parseJsonString (an object is required)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidKerasConfigurationError(f"the Keras {what} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidKerasConfigurationError(f"the Keras {what} is not a JSON object")
    return value


def determine_keras_major_version(model_config: dict) -> int:
    """Mirrors KerasModelUtils#determineKerasMajorVersion (no keras_version: assume Keras 1)."""
    version = model_config.get(MC.fieldKerasVersion)
    if version is None:
        log.warning("Could not read keras version used (no keras_version field found) assuming keras version is "
                    "1.0.7 or earlier.")
        return 1
    if isinstance(version, str) and version[:1].isdigit():
        return int(version[0])
    raise InvalidKerasConfigurationError(f"Keras version was not readable ({version!r} provided)")


def determine_keras_backend(model_config: dict):
    """Mirrors KerasModelUtils#determineKerasBackend."""
    backend = model_config.get(MC.fieldBackend)
    if backend is None:
        log.warning("Could not read keras backend used (no backend field found)")
    return backend


def find_parameter_name(parameter: str, layer_fragments: list) -> str:
    """Mirrors KerasModelUtils#findParameterName: "dense_1_W:0" -> "W", "kernel:0" -> "kernel"."""
    import re

    name = parameter.replace(layer_fragments[-1], "", 1)  # DL4J: the layer name as a regex, first match
    m = re.match(r"^_(.+)$", name)
    if m:
        name = m.group(1)
    name = re.sub(r":\d+?$", "", name, count=1)
    name = re.sub(r"_\d+$", "", name, count=1)
    return name


def import_weights(archive: Hdf5Archive, root, layers: dict, keras_version: int, backend) -> None:
    """Mirrors KerasModelUtils#importWeights: each layer group's datasets (listed by its ``weight_names``
    attribute) -> the mapper's ``setWeights`` (by Keras parameter name)."""
    from .layers.recurrent import KerasBidirectional

    roots = [root] if root else []
    if any("/" in name for name in layers):
        groups = list(layers)
    else:
        groups = archive.getGroups(*roots)
    for name in groups:
        if name == MC.topLevelModelWeights:
            continue
        parts = name.split("/")
        weight_names = archive.readAttributeAsList("weight_names", *roots, *parts) \
            if archive.hasAttribute("weight_names", *roots, *parts) else []
        if not weight_names:
            continue
        if name not in layers:
            raise InvalidKerasConfigurationError(f"Found weights for layer not in model (named {name})",
                                                 file=archive.path)
        layer = layers[name]
        bidi = keras_version == 2 and isinstance(layer, KerasBidirectional)
        if bidi and len(weight_names) != layer.getNumParams():
            raise InvalidKerasConfigurationError(f"Found {len(weight_names)} weights for layer with "
                                                 f"{layer.getNumParams()} trainable params (named {name})",
                                                 layer=name, file=archive.path)
        weights = {}
        for wn in weight_names:
            path = [p for p in wn.split("/") if p]
            if not path:
                raise InvalidKerasConfigurationError(f"empty weight name in layer {name}", layer=name, file=archive.path)
            value = archive.readDataSet(path[-1], *roots, *parts, *path[:-1])
            pname = find_parameter_name(path[-1], parts)
            if bidi:  # Keras 2 keeps each direction in its own group: forward_<param> / backward_<param>
                direction = "forward" if any("forward" in p for p in path[:-1]) else "backward"
                pname = f"{direction}_{pname}"
            weights[pname] = value
        try:
            layer.setWeights(weights)
        except InvalidKerasConfigurationError as exc:
            raise exc.with_context(layer=name, file=archive.path) from None
    for name, layer in layers.items():
        if name not in groups and layer.getNumParams() > 0:
            raise InvalidKerasConfigurationError(f"Could not find weights required for layer {name}", layer=name,
                                                 file=archive.path)


def set_weights(weights: dict, layers: dict) -> None:
    """The Keras 3 counterpart of import_weights: {layer: {Keras 2 param name: array}} -> each mapper."""
    for name, w in weights.items():
        if name not in layers:
            raise InvalidKerasConfigurationError(f"Found weights for layer not in model (named {name})", layer=name)
        try:
            layers[name].setWeights(dict(w))
        except InvalidKerasConfigurationError as exc:
            raise exc.with_context(layer=name) from None
    for name, layer in layers.items():
        if name not in weights and layer.getNumParams() > 0:
            raise InvalidKerasConfigurationError(f"Could not find weights required for layer {name}", layer=name)


def copy_weights_to_model(net, kerasLayers: dict, owners: list) -> None:
    """Mirrors KerasModelUtils#copyWeightsToModel: ``owners`` is [(param owner, DL4J layer name, layer conf)] of the
    network (the owner prefixes its parameter keys: the layer index or the vertex name)."""
    remaining = set(kerasLayers)
    for owner, name, layer_conf in owners:
        if name not in kerasLayers:
            raise InvalidKerasConfigurationError(f"No weights found for layer in model (named {name})", layer=name)
        kerasLayers[name].copyWeightsToLayer(net, str(owner), layer_conf)
        remaining.discard(name)
    for name in remaining:
        if kerasLayers[name].getNumParams() > 0:
            raise InvalidKerasConfigurationError(f"Attempting to copy weights for layer not in model (named {name})",
                                                 layer=name)


def set_data_format_if_needed(preprocessor, layer: KerasLayer) -> None:
    """Mirrors KerasModelUtils#setDataFormatIfNeeded: a ReshapePreprocessor takes the next layer's data format."""
    from pydl4j_transfer.conf import BaseRecurrentLayer, Convolution3D, ConvolutionLayer, Deconvolution3D

    if type(preprocessor).__name__ != "ReshapePreprocessor" or not layer.isLayer() or layer.getDimOrder() is None:
        return
    l = layer.getLayer()
    if isinstance(l, (Convolution3D, Deconvolution3D)):
        preprocessor.format = l.dataFormat
    elif isinstance(l, ConvolutionLayer):
        preprocessor.format = l.cnn2dDataFormat
    elif isinstance(l, BaseRecurrentLayer):
        preprocessor.format = l.rnnDataFormat


# ConvolutionUtils#layerHasConvolutionLayout as M2.1 evaluates it (its first conjunct, ConvolutionLayer AND
# SubsamplingLayer, is never true): these classes and their subclasses
_CNN_LAYOUT = ("SpaceToBatchLayer", "Upsampling2D", "SpaceToDepthLayer", "ZeroPaddingLayer", "SeparableConvolution2D",
               "Deconvolution2D", "Cropping2D", "DepthwiseConvolution2D")
_CNN3D_LAYOUT = ("Convolution3D", "Deconvolution3D", "Subsampling3DLayer", "Upsampling3D")


def _is_a(layer, names) -> bool:
    return layer is not None and any(c.__name__ in names for c in type(layer).__mro__)


def _cnn_format(layer):
    """Mirrors ConvolutionUtils#getFormatForLayer for the classes above."""
    for attr in ("cnn2dDataFormat", "format", "dataFormat"):
        v = getattr(layer, attr, None)
        if v is not None:
            return enum_name(v)
    return None


# ---------------------------------------------------------------------------------------- builder


class KerasModelBuilder:
    """Mirrors org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder (``KerasModel().modelBuilder()``)."""

    def __init__(self, model_cls):
        self._model_cls = model_cls
        self.modelJson_ = None
        self.trainingJson_ = None
        self.weightsArchive = None
        self.weightsRoot = None
        self.enforceTrainingConfig_ = False
        self.inputShape_ = None
        self.dimOrder_ = None
        self.source = None
        self.weightsMap = None  # Keras 3 archives: {layer: {param: array}} instead of an HDF5 weights archive
        self.kerasVersion = None

    def modelJson(self, modelJson: str):
        self.modelJson_ = modelJson
        return self

    def modelJsonFilename(self, modelJsonFilename):
        self.source = str(modelJsonFilename)
        self.modelJson_ = _read_text(modelJsonFilename)
        return self

    def modelYaml(self, modelYaml):
        raise UnsupportedKerasConfigurationError("YAML model configurations are not supported; save the model with "
                                                 "model.to_json() or model.save('model.h5')")

    modelYamlFilename = modelYaml

    def trainingJson(self, trainingJson: str):
        self.trainingJson_ = trainingJson
        return self

    def inputShape(self, inputShape):
        self.inputShape_ = None if inputShape is None else [int(v) for v in inputShape]
        return self

    def dimOrder(self, dimOrder):
        self.dimOrder_ = dimOrder
        return self

    def enforceTrainingConfig(self, enforceTrainingConfig: bool):
        self.enforceTrainingConfig_ = bool(enforceTrainingConfig)
        return self

    def modelHdf5Filename(self, modelHdf5Filename):
        """Mirrors KerasModelBuilder#modelHdf5Filename: model config, training config and weights of a model.save()
        file (the model config gets the file's keras_version, and for Keras 2 its backend)."""
        self.source = str(modelHdf5Filename)
        archive = Hdf5Archive(modelHdf5Filename)
        try:
            if not archive.hasAttribute(MC.trainingModelConfigAttribute):
                raise InvalidKerasConfigurationError(
                    f"Model configuration attribute missing from {modelHdf5Filename} archive.", file=self.source)
            mapper = parse_json(archive.readAttributeAsJson(MC.trainingModelConfigAttribute))
            if not archive.hasAttribute(MC.fieldKerasVersion):
                raise InvalidKerasConfigurationError("keras_version attribute missing from the archive", file=self.source)
            version = archive.readAttributeAsFixedLengthString(MC.fieldKerasVersion, 5)
            mapper[MC.fieldKerasVersion] = version
            if version[:1] == "2":
                if not archive.hasAttribute(MC.fieldBackend):
                    raise InvalidKerasConfigurationError("backend attribute missing from a Keras 2 archive",
                                                         file=self.source)
                mapper[MC.fieldBackend] = archive.readAttributeAsString(MC.fieldBackend)
            self.modelJson_ = json.dumps(mapper)
            if archive.hasAttribute(MC.trainingTrainingConfigAttribute):
                self.trainingJson_ = archive.readAttributeAsJson(MC.trainingTrainingConfigAttribute)
            self.weightsArchive, self.weightsRoot = archive, MC.trainingWeightsRoot
        except BaseException:
            archive.close()
            raise
        return self

    def kerasArchive(self, kerasFilename):
        """A Keras 3 ``.keras`` archive (config + weights; an extension: DL4J M2.1 reads HDF5 only). Its training
        configuration is not imported (Keras 3 keeps ``compile_config`` in another form)."""
        from .keras3 import read_archive

        self.source = os.fspath(kerasFilename)
        if not os.path.isfile(self.source):
            raise InvalidKerasConfigurationError(f"File with name {self.source} does not exist.", file=self.source)
        config, weights, version = read_archive(self.source)
        self.modelJson_ = json.dumps(config)
        self._close()
        self.weightsMap = weights
        self.kerasVersion = version
        return self

    def weightsHdf5FilenameNoRoot(self, weightsHdf5Filename):
        """Mirrors KerasModelBuilder#weightsHdf5FilenameNoRoot (a save_weights() file)."""
        self._close()
        self.weightsArchive, self.weightsRoot = Hdf5Archive(weightsHdf5Filename), None
        return self

    def weightsHdf5Filename(self, weightsHdf5Filename):
        """Mirrors KerasModelBuilder#weightsHdf5Filename (weights under model_weights/)."""
        self._close()
        self.weightsArchive, self.weightsRoot = Hdf5Archive(weightsHdf5Filename), MC.trainingWeightsRoot
        return self

    def _close(self):
        if self.weightsArchive is not None:
            self.weightsArchive.close()
            self.weightsArchive = None

    close = _close

    def buildModel(self):
        """Mirrors KerasModelBuilder#buildModel."""
        try:
            return KerasModel(self)
        finally:
            self._close()

    def buildSequential(self):
        """Mirrors KerasModelBuilder#buildSequential."""
        try:
            return KerasSequentialModel(self)
        finally:
            self._close()


def _read_text(path) -> str:
    path = str(path)
    if not os.path.isfile(path):
        raise InvalidKerasConfigurationError(f"File with name {path} does not exist.", file=path)
    size = os.path.getsize(path)
    if size > 256 * 2 ** 20:
        raise InvalidKerasConfigurationError(f"a Keras model config of {size} bytes is beyond the 256 MiB limit",
                                             file=path)
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------------------- models


class KerasModel:
    """Mirrors org.deeplearning4j.nn.modelimport.keras.KerasModel (functional ``Model`` / ``Functional``)."""

    def __init__(self, builder: KerasModelBuilder | None = None):
        self.className = None
        self.enforceTrainingConfig = False
        self.layers: dict = {}
        self.layersOrdered: list = []
        self.outputTypes: dict = {}
        self.inputLayerNames: list = []
        self.outputLayerNames: list = []
        self.useTruncatedBPTT = False
        self.truncatedBPTT = 0
        self.kerasMajorVersion = None
        self.kerasBackend = None
        self.dimOrder = None
        self.optimizer = None
        self.source = None
        if builder is not None:
            self.source = builder.source
            try:
                self._build(builder)
            except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
                raise exc.with_context(file=self.source) from None
            except InvalidConfigurationError as exc:
                raise InvalidKerasConfigurationError(str(exc), file=self.source) from exc

    @classmethod
    def modelBuilder(cls) -> KerasModelBuilder:
        """Mirrors KerasModel#modelBuilder (``KerasModel.modelBuilder()`` or ``KerasModel().modelBuilder()``)."""
        return KerasModelBuilder(cls)

    def _header(self, builder):
        if builder.modelJson_ is None:
            raise InvalidKerasConfigurationError("Requires model configuration as either JSON or YAML string.")
        config = parse_json(builder.modelJson_)
        self.kerasMajorVersion = determine_keras_major_version(config)
        self.kerasBackend = determine_keras_backend(config)
        self.enforceTrainingConfig = builder.enforceTrainingConfig_
        self.dimOrder = builder.dimOrder_
        if MC.fieldClassName not in config:
            raise InvalidKerasConfigurationError(
                f"Could not determine Keras model class (no {MC.fieldClassName} field found)")
        self.className = config[MC.fieldClassName]
        return config

    def _build(self, builder):
        config = self._header(builder)
        if self.className not in (MC.fieldClassNameModel, MC.fieldNameClassFunctional):
            raise InvalidKerasConfigurationError(f"Expected model class name {MC.fieldClassNameModel} or "
                                                 f"{MC.fieldNameClassFunctional} (found {self.className})")
        lists = config.get(MC.modelFieldConfig)
        if not isinstance(lists, dict):
            raise InvalidKerasConfigurationError(f"Could not find model configuration details (no "
                                                 f"{MC.modelFieldConfig} in model config)")
        for field in (MC.modelFieldInputLayers, MC.modelFieldOutputLayers, MC.modelFieldLayers):
            if not isinstance(lists.get(field), list):
                raise InvalidKerasConfigurationError(f"Could not find list of {field} (no {field} field found)")
        self.inputLayerNames = [_first(x, "input_layers") for x in lists[MC.modelFieldInputLayers]]
        self.outputLayerNames = [_first(x, "output_layers") for x in lists[MC.modelFieldOutputLayers]]
        self.layers, self.layersOrdered = self.prepareLayers(lists[MC.modelFieldLayers])
        self._finish(builder)

    def _finish(self, builder):
        if self.enforceTrainingConfig:
            if builder.trainingJson_ is not None:
                self.importTrainingConfiguration(builder.trainingJson_)
            else:
                log.warning("If enforceTrainingConfig is true, a training configuration object has to be provided. "
                            "Usually the only practical way to do this is to store your keras model with "
                            "`model.save('model_path.h5')`. If you store model config and weights separately no training "
                            "configuration is attached.")
        input_shape = builder.inputShape_
        if input_shape is None:
            input_shape = self.layersOrdered[0].inputShape
        self.outputTypes = self.inferOutputTypes(input_shape)
        if builder.weightsArchive is not None:
            import_weights(builder.weightsArchive, builder.weightsRoot, self.layers, self.kerasMajorVersion,
                           self.kerasBackend)
        elif builder.weightsMap is not None:
            set_weights(builder.weightsMap, self.layers)

    def prepareLayers(self, layer_configs):
        """Mirrors KerasModel#prepareLayers: a mapper per Keras layer config, in file order."""
        layers, ordered = {}, []
        for cfg in layer_configs:
            if not isinstance(cfg, dict):
                raise InvalidKerasConfigurationError(f"a layer config is not a JSON object: {cfg!r:.80}")
            cfg = dict(cfg)
            cfg[MC.fieldKerasVersion] = self.kerasMajorVersion
            if self.kerasMajorVersion == 2 and self.kerasBackend is not None:
                cfg[MC.fieldBackend] = self.kerasBackend
            conf = layer_configuration(self.kerasMajorVersion)
            if self.dimOrder is not None:
                inner = cfg.get(conf.LAYER_FIELD_CONFIG)
                if isinstance(inner, dict):
                    inner = dict(inner)
                    inner[conf.LAYER_FIELD_DIM_ORDERING] = (conf.DIM_ORDERING_TENSORFLOW
                                                            if self.dimOrder == DimOrder.TENSORFLOW
                                                            else conf.DIM_ORDERING_THEANO)
                    cfg[conf.LAYER_FIELD_CONFIG] = inner
            name = None
            try:
                layer = layer_from_config(cfg, self.enforceTrainingConfig, conf, layers)
            except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
                inner = cfg.get("config") if isinstance(cfg.get("config"), dict) else {}
                name = inner.get("name") if isinstance(inner.get("name"), str) else cfg.get("name")
                raise exc.with_context(layer=name if isinstance(name, str) else None) from None
            except InvalidConfigurationError as exc:
                inner = cfg.get("config") if isinstance(cfg.get("config"), dict) else {}
                raise InvalidKerasConfigurationError(str(exc), layer=inner.get("name")) from exc
            ordered.append(layer)
            layers[layer.getLayerName()] = layer
            if hasattr(layer, "getUnroll"):
                self.useTruncatedBPTT = self.useTruncatedBPTT or layer.getUnroll()
        if not ordered:  # DL4J: layersOrdered.get(0) throws
            raise InvalidKerasConfigurationError(f"the model config holds no layers ({MC.modelFieldLayers} is empty); "
                                                 "the file is damaged or not what Keras writes")
        _refuse_mixed_data_formats(layer_configs, self.kerasMajorVersion)
        names = [l.getLayerName() for l in ordered]
        for i, layer in enumerate(ordered):
            for inbound in layer.getInboundLayerNames():
                if inbound in names and names.index(inbound) > i:
                    # DL4J re-orders reused Lambda layers here (KerasModel#prepareLayers' cycle handling)
                    raise UnsupportedKerasConfigurationError(
                        f"layer {layer.getLayerName()} takes {inbound}, which comes later in the file (a reused Lambda "
                        "layer?): not supported", layer=layer.getLayerName())
        return layers, ordered

    def importTrainingConfiguration(self, training_json: str):
        """Mirrors KerasModel#importTrainingConfiguration: the optimizer, and a loss layer after each output."""
        tc = parse_json(training_json, "training configuration")
        if not isinstance(tc.get(MC.optimizerConfig), dict):
            raise InvalidKerasConfigurationError(f"Field {MC.optimizerConfig} missing from layer config")
        self.optimizer = values.map_optimizer(tc[MC.optimizerConfig])
        if MC.trainingLoss not in tc:
            raise InvalidKerasConfigurationError(f"Could not determine training loss function (no {MC.trainingLoss} "
                                                 "field found in training config)")
        loss = tc[MC.trainingLoss]
        v = self.kerasMajorVersion
        loss_layers = []
        if isinstance(loss, str):
            for out in self.outputLayerNames:
                loss_layers.append(core.KerasLoss(out + "_loss", out, loss, kerasVersion=v))
        elif isinstance(loss, dict):
            if "config" in loss:  # tf.keras nests the loss object: the last layer's loss
                inner = loss["config"] if isinstance(loss["config"], dict) else {}
                last = self.layersOrdered[len(self.layers) - 1].getLayerName()
                loss_layers.append(core.KerasLoss(last + "_loss", last, str(inner.get("name")), kerasVersion=v))
            else:
                for out, name in loss.items():
                    if not isinstance(name, str):
                        raise InvalidKerasConfigurationError(f"Unknown Keras loss {name}")
                    loss_layers.append(core.KerasLoss(out + "_loss", out, name, kerasVersion=v))
        self.outputLayerNames = []
        for layer in loss_layers:
            self.layersOrdered.append(layer)
            self.layers[layer.getLayerName()] = layer
            self.outputLayerNames.append(layer.getLayerName())

    def inferOutputTypes(self, input_shape):
        """Mirrors KerasModel#inferOutputTypes: every layer's output InputType, in file order."""
        from .layers.recurrent import KerasBidirectional, KerasLSTM, KerasSimpleRnn
        from .layers.embeddings import KerasEmbedding

        out = {}
        for idx, layer in enumerate(self.layersOrdered):
            try:
                if isinstance(layer, core.KerasInput):
                    if input_shape is not None and layer.inputShape is None:
                        layer.inputShape = list(input_shape)
                    nxt = self.layersOrdered[idx + 1] if idx + 1 < len(self.layersOrdered) else None
                    l1 = nxt.layer if nxt is not None else None
                    if _is_a(l1, _CNN_LAYOUT):
                        fmt = _cnn_format(l1)
                        self.dimOrder = {"NCHW": DimOrder.THEANO, "NHWC": DimOrder.TENSORFLOW}.get(fmt, DimOrder.NONE)
                    elif _is_a(l1, _CNN3D_LAYOUT):
                        fmt = getattr(getattr(l1, "dataFormat", None), "name", None)
                        self.dimOrder = {"NCDHW": DimOrder.THEANO, "NDHWC": DimOrder.TENSORFLOW}.get(fmt, DimOrder.NONE)
                    elif isinstance(nxt, (KerasLSTM, KerasSimpleRnn, KerasBidirectional, KerasEmbedding)):
                        if layer.inputShape is None:
                            layer.inputShape = nxt.inputShape
                    if self.dimOrder is not None:
                        layer.setDimOrder(self.dimOrder)
                    t = layer.getOutputType()
                    self.truncatedBPTT = layer.getTruncatedBptt()
                else:
                    ins = [out[n] for n in layer.getInboundLayerNames() if n in out]
                    t = layer.getOutputType(*(ins or [None]))
            except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
                raise exc.with_context(layer=layer.getLayerName()) from None
            except (InvalidConfigurationError, AttributeError, TypeError, IndexError) as exc:
                raise InvalidKerasConfigurationError(f"cannot infer the output type ({exc})",
                                                     layer=layer.getLayerName()) from exc
            out[layer.getLayerName()] = t
        return out

    def _global(self):
        b = NeuralNetConfiguration.Builder()
        if self.optimizer is not None:
            b.updater(self.optimizer)
        return b

    def getComputationGraphConfiguration(self) -> ComputationGraphConfiguration:
        """Mirrors KerasModel#getComputationGraphConfiguration."""
        if self.className not in (MC.fieldClassNameModel, MC.fieldClassNameSequential, MC.fieldNameClassFunctional):
            raise InvalidKerasConfigurationError(f"Keras model class name {self.className} incompatible with "
                                                 "ComputationGraph", file=self.source)
        try:
            return self._graph_configuration()
        except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
            raise exc.with_context(file=self.source) from None
        except InvalidConfigurationError as exc:
            raise InvalidKerasConfigurationError(str(exc), file=self.source) from exc

    def _graph_configuration(self):
        gb = self._global().graphBuilder()
        gb.allowDisconnected(True)  # Keras allows disconnected vertices; DL4J's import too
        gb.addInputs(*self.inputLayerNames)
        gb.setOutputs(*self.outputLayerNames)
        preprocessors = {}
        initial = []
        last = len(self.layersOrdered) - 1
        for idx, layer in enumerate(self.layersOrdered):
            inbound = list(layer.getInboundLayerNames())
            if not inbound and not isinstance(layer, core.KerasInput):
                raise InvalidKerasConfigurationError(
                    f"Keras layer of type {layer.getClassName()} has no inbound layers (its inbound_nodes are empty): in "
                    "a functional model only an InputLayer has none; the model config is damaged or not what Keras "
                    "writes", layer=layer.getLayerName())
            for name in inbound:
                prev = self.layers.get(name)
                if prev is not None and prev.isInputPreProcessor():
                    # DL4J asks the inbound preprocessor layer again here (a throwaway object whose data format it
                    # sets); kept because KerasReshape re-orders its target shape on every call, as in DL4J
                    pp = prev.getInputPreprocessor(self.outputTypes[name])
                    set_data_format_if_needed(pp, layer)
            types = [self.outputTypes[n] for n in inbound if n in self.outputTypes]
            pre = layer.getInputPreprocessor(*types) if types else None
            if idx == last:  # DL4J: no preprocessor for the final layer
                pre = None
            try:
                if layer.isLayer():
                    if pre is not None:
                        preprocessors[layer.getLayerName()] = pre
                    gb.addLayer(layer.getLayerName(), layer.getLayer(), *inbound)
                elif layer.isVertex():
                    if pre is not None:
                        preprocessors[layer.getLayerName()] = pre
                    gb.addVertex(layer.getLayerName(), layer.getVertex(), *inbound)
                elif layer.isInputPreProcessor():
                    if pre is None:
                        raise UnsupportedKerasConfigurationError(
                            f"Layer {layer.getLayerName()} could not be mapped to Layer, Vertex, or InputPreProcessor",
                            layer=layer.getLayerName())
                    gb.addVertex(layer.getLayerName(), PreprocessorVertex(pre), *inbound)
            except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
                raise exc.with_context(layer=layer.getLayerName()) from None
            if isinstance(layer, core.KerasInput):
                initial.append(self.outputTypes[layer.getLayerName()])
        if self.useTruncatedBPTT and self.truncatedBPTT > 0:
            gb.backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(self.truncatedBPTT) \
                .tBPTTBackwardLength(self.truncatedBPTT)
        else:
            gb.backpropType(BackpropType.Standard)
        conf = gb.build()
        for name, pre in preprocessors.items():  # GraphBuilder#setInputPreProcessors, applied by buildConfig
            vertex = conf.vertices.get(name)
            if not isinstance(vertex, LayerVertex):
                raise InvalidKerasConfigurationError(f'Invalid configuration: InputPreProcessor defined for GraphVertex '
                                                     f'"{name}", but this vertex is not a LayerVertex', layer=name)
            vertex.preProcessor = pre
        _add_preprocessors(conf, initial)
        return conf

    def getComputationGraph(self, importWeights: bool = True):
        """Mirrors KerasModel#getComputationGraph(boolean): the network, with the Keras weights copied in."""
        from pydl4j_transfer.nn.graph import ComputationGraph

        conf = self.getComputationGraphConfiguration()
        net = ComputationGraph(conf)
        _init(net, importWeights, self.layers, self.source)
        if importWeights:
            owners = [(name, v.layer.layerName, v.layer) for name, v in _layer_vertices_in_order(net, conf)]
            _copy(net, self.layers, owners, self.source)
        return net

    def getLayers(self) -> dict:
        return self.layers

    def getInputLayerNames(self):
        return list(self.inputLayerNames)

    def getOutputLayerNames(self):
        return list(self.outputLayerNames)


class KerasSequentialModel(KerasModel):
    """Mirrors org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel."""

    def _build(self, builder):
        config = self._header(builder)
        if self.className != MC.fieldClassNameSequential:
            raise InvalidKerasConfigurationError(f"Model class name must be {MC.fieldClassNameSequential} "
                                                 f"(found {self.className})")
        if MC.modelFieldConfig not in config:
            raise InvalidKerasConfigurationError(f"Could not find layer configurations (no {MC.modelFieldConfig} field "
                                                 "found)")
        layer_list = config[MC.modelFieldConfig]
        if isinstance(layer_list, dict):
            layer_list = layer_list.get("layers")
        if not isinstance(layer_list, list) or not layer_list:
            raise InvalidKerasConfigurationError("Sequential model config has no layer list")
        self.layers, self.layersOrdered = self.prepareLayers(layer_list)
        first = self.layersOrdered[0]
        if isinstance(first, core.KerasInput):
            input_layer = first
        else:
            shape = first.getInputShape()
            if shape is None or math.prod(shape) <= 0:
                raise InvalidKerasConfigurationError("Input shape must not be zero!", layer=first.getLayerName())
            input_layer = core.KerasInput.placeholder("input1", shape)
            input_layer.setDimOrder(first.getDimOrder())
            self.layers[input_layer.getLayerName()] = input_layer
            self.layersOrdered.insert(0, input_layer)
        self.inputLayerNames = [input_layer.getLayerName()]
        self.outputLayerNames = [self.layersOrdered[-1].getLayerName()]
        prev = None
        for layer in self.layersOrdered:
            if prev is not None:
                layer.setInboundLayerNames([prev.getLayerName()])
            prev = layer
        self._finish(builder)

    def getMultiLayerConfiguration(self):
        """Mirrors KerasSequentialModel#getMultiLayerConfiguration."""
        try:
            return self._mln_configuration()
        except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
            raise exc.with_context(file=self.source) from None
        except InvalidConfigurationError as exc:
            raise InvalidKerasConfigurationError(str(exc), file=self.source) from exc

    def _mln_configuration(self):
        if self.className != MC.fieldClassNameSequential:
            raise InvalidKerasConfigurationError(f"Keras model class name {self.className} incompatible with "
                                                 "MultiLayerNetwork")
        if len(self.inputLayerNames) != 1:
            raise InvalidKerasConfigurationError(f"MultiLayerNetwork expects only 1 input (found "
                                                 f"{len(self.inputLayerNames)})")
        if len(self.outputLayerNames) != 1:
            raise InvalidKerasConfigurationError(f"MultiLayerNetwork expects only 1 output (found "
                                                 f"{len(self.outputLayerNames)})")
        from pydl4j_transfer.conf import ComposableInputPreProcessor

        lb = self._global().list()
        lb.overrideNinUponBuild(False)
        prev, index, run = None, 0, []
        for layer in self.layersOrdered:
            try:
                if layer.isLayer():
                    if len(layer.getInboundLayerNames()) != 1:
                        raise InvalidKerasConfigurationError(
                            "Layers in MultiLayerConfiguration must have exactly one inbound layer (found "
                            f"{len(layer.getInboundLayerNames())} for layer {layer.getLayerName()})")
                    if prev is not None and len(run) > 1:
                        # Deviation (docs/deviations.md): DL4J M2.1 keeps only the last of consecutive preprocessor
                        # layers (Reshape then Permute: the Reshape is lost); here they are composed, in order
                        parts = []
                        for p in run:
                            pp = p.getInputPreprocessor(self.outputTypes[p.getInboundLayerNames()[0]])
                            set_data_format_if_needed(pp, layer)
                            parts.append(pp)
                        pre = ComposableInputPreProcessor(*parts)
                        layer.getLayer().setNIn(self.outputTypes[run[-1].getLayerName()], False)
                        lb.inputPreProcessor(index, pre)
                    elif prev is not None:
                        if prev.isInputPreProcessor():
                            t = self.outputTypes[prev.getInboundLayerNames()[0]]
                            pre = prev.getInputPreprocessor(t)
                            set_data_format_if_needed(pre, layer)
                            layer.getLayer().setNIn(pre.getOutputType(t), False)
                        else:
                            t = self.outputTypes[prev.getLayerName()]
                            pre = layer.getInputPreprocessor(t)
                            layer.getLayer().setNIn(pre.getOutputType(t) if pre is not None else t, False)
                            set_data_format_if_needed(pre, layer)
                        if pre is not None:
                            lb.inputPreProcessor(index, pre)
                    lb.layer(index, layer.getLayer())
                    index += 1
                elif layer.getVertex() is not None:
                    raise InvalidKerasConfigurationError(f"Cannot add vertex to MultiLayerConfiguration (class name "
                                                         f"{layer.getClassName()}, layer name {layer.getLayerName()})")
            except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
                raise exc.with_context(layer=layer.getLayerName()) from None
            run = run + [layer] if layer.isInputPreProcessor() else []
            prev = layer
        if self.useTruncatedBPTT and self.truncatedBPTT > 0:
            lb.backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(self.truncatedBPTT) \
                .tBPTTBackwardLength(self.truncatedBPTT)
        else:
            lb.backpropType(BackpropType.Standard)
        return lb.build()

    def getMultiLayerNetwork(self, importWeights: bool = True):
        """Mirrors KerasSequentialModel#getMultiLayerNetwork(boolean)."""
        from pydl4j_transfer.nn.multilayer import MultiLayerNetwork

        conf = self.getMultiLayerConfiguration()
        net = MultiLayerNetwork(conf)
        _init(net, importWeights, self.layers, self.source)
        if importWeights:
            owners = [(i, layer.layerName, layer) for i, layer in enumerate(conf.layers)]
            _copy(net, self.layers, owners, self.source)
        return net


def _refuse_mixed_data_formats(layer_configs, keras_version):
    """Deviation (docs/deviations.md): a model whose layers mix channels_first and channels_last is refused.

    DL4J M2.1 imports such models with wrong shapes: its setNIn adopts the previous layer's format, so a
    channels_first layer after a channels_last one gets nIn from the wrong axis; it then either fails
    (shared/keras/unsupported/: cnn2d_40.h5, simpleconv2d_model.hdf5), assigns the Keras kernel into a parameter of
    another size (tfkeras/cnn2d_52.h5: Deconvolution2D W [30, 4, 3, 3] from a [3, 3, 4, 9] kernel) or builds a
    network that rejects every input (weights/simpleconv2d.hdf5)."""
    conf = layer_configuration(keras_version)
    first = None
    for cfg in layer_configs:
        inner = cfg.get("config") if isinstance(cfg, dict) else None
        if not isinstance(inner, dict):
            continue
        fmt = inner.get(conf.LAYER_FIELD_DIM_ORDERING)
        if fmt not in (conf.DIM_ORDERING_THEANO, conf.DIM_ORDERING_TENSORFLOW):
            continue
        if first is None:
            first = (inner.get("name"), fmt)
        elif fmt != first[1]:
            raise UnsupportedKerasConfigurationError(
                f"the model mixes {conf.LAYER_FIELD_DIM_ORDERING}={first[1]} (layer {first[0]}) and {fmt}: DL4J M2.1 "
                "imports such models with wrong shapes, so this importer refuses them; re-save the model with one data "
                "format", layer=inner.get("name"))


def _first(entry, what):
    if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
        raise InvalidKerasConfigurationError(f"{what} entry must be [name, node, tensor], got {entry!r:.60}")
    return entry[0]


#: how many more parameters than the file's weights hold a network may have before its zeros are allocated
#: (DL4J-side parameters without a Keras weight: none in the test set; 2**24 floats = 64 MiB)
_PARAM_SLACK = 1 << 24


def _init(net, import_weights, layers=None, source=None):
    """init() with zeros when the weights are copied in next (nothing drawn: see the module docstring).

    The weights have been read by then: a configuration that implies far more parameters than the file holds
    (sizes the file merely claims, issue 17) is refused before anything that large is allocated."""
    import numpy as np

    if not import_weights:
        net.init()
        return
    n = net.numParams()
    held = sum(int(np.asarray(w).size) for layer in (layers or {}).values()
               for w in (getattr(layer, "weights", None) or {}).values())
    if n < 0 or (layers is not None and n > held + _PARAM_SLACK):
        raise InvalidKerasConfigurationError(
            f"the model configuration implies {n} parameters but the file holds {held} weights: its layer sizes "
            "are damaged", file=source)
    net.init(np.zeros(n, dtype=np.float32))


def _copy(net, layers, owners, source):
    try:
        copy_weights_to_model(net, layers, owners)
    except InvalidKerasConfigurationError as exc:
        raise exc.with_context(file=source) from None


def _layer_vertices_in_order(net, conf):
    """(vertex name, LayerVertex) in the graph's topological order (DL4J's ComputationGraph#getLayers order)."""
    names = {i: n for n, i in conf.vertexIndices().items()}
    out = []
    for i in conf.topologicalSortOrder():
        v = conf.vertices.get(names[i])
        if isinstance(v, LayerVertex):
            out.append((names[i], v))
    return out


def _add_preprocessors(conf: ComputationGraphConfiguration, input_types: list) -> None:
    """Mirrors ComputationGraphConfiguration#addPreProcessors(false, false, inputTypes) as M2.1 runs it: a layer
    without a preprocessor still gets the one its input type needs, and each layer's nIn is set (not overridden)
    from its input type before the preprocessor."""
    if len(input_types) != len(conf.networkInputs):
        raise InvalidKerasConfigurationError("Invalid number of InputTypes: cannot add preprocessors if number of "
                                             "InputType objects differs from number of network inputs")
    names = {i: n for n, i in conf.vertexIndices().items()}
    outputs = {}
    layer_idx = -1
    for i in conf.topologicalSortOrder():
        name = names[i]
        if name in conf.networkInputs:
            outputs[name] = input_types[conf.networkInputs.index(name)]
            continue
        vertex = conf.vertices[name]
        ins = [outputs.get(s) for s in conf.vertexInputs.get(name) or []]
        if isinstance(vertex, LayerVertex):
            t = ins[0]
            layer = vertex.layer
            if vertex.preProcessor is None:
                vertex.preProcessor = layer.getPreProcessorForInputType(t)
            layer.setNIn(t, False)
            layer_idx += 1
            outputs[name] = vertex.getOutputType(layer_idx, t)
        else:
            outputs[name] = vertex.getOutputType(layer_idx, *ins)


_ = KerasLayer
