"""What to write instead of a DL4J method that stays unmirrored: the reason table and the ``__getattr__`` that uses it.

A Java program ported line by line may call a DL4J method this package does not mirror. Instead of a bare
``AttributeError`` (or a ``TypeError`` from deep inside numpy or torch), the mirrored classes raise
:class:`~pydl4j_transfer.errors.NotMirroredError` naming the DL4J original and the Python replacement, taken from
:data:`NOT_MIRRORED`. docs/api-porting.md (convert/porting.py) prints the same table next to every Java method that
is not mirrored, and tests/cli/test_porting_table.py checks that each has an entry here.

Keys: ``"Class#method"`` for one class (the Java simple name; a base class name covers its subclasses, e.g.
``"Layer#instantiate"``), or ``"method"`` for every mirrored class. Layer 0.5: imports only ``errors``.
"""

from __future__ import annotations

from pydl4j_transfer.errors import NotMirroredError

_RUNTIME_LAYER = ("DL4J-internal: creates or configures DL4J's runtime layer from the configuration; here the network does "
                  "that at init(): use net.getLayer(i) (the layer's configuration: net.getLayer(i).conf())")
_FORWARD_MATH = ("DL4J's forward/backward math on INDArrays, done here by the torch backend: run the network "
                 "(net.output / net.feedForward / net.computeGradientAndScore) or torch_backend's converter for this class")
_MEMORY = ("DL4J's memory estimate for its own workspaces; not meaningful for the torch runtime: use "
           "torch.cuda.max_memory_allocated() or net.summary() for the parameter counts")
_NET_INTERNAL = ("DL4J-internal state of its own training loop (solver, workspaces, gradient views); the torch runtime "
                 "keeps its own: use net.fit(...), net.computeGradientAndScore(...), net.gradient(), net.score()")
_INPUT_STATE = ("DL4J keeps the last input/labels/masks on the network between calls; here every call takes its arrays: "
                "pass them to output(...), feedForward(...), fit(...) or computeGradientAndScore(...)")
_EVAL_STATE = ("internal counters of DL4J's evaluation object (Lombok @Data); read the results instead: stats(), "
               "accuracy(), precision(i), recall(i), f1(i), getConfusionMatrix(), calculateAUC()...")
_DATASET_OPS = "an ND4J array operation on the DataSet's arrays: use numpy on ds.getFeatures() / ds.getLabels() ({})"
_ITERATOR = "Java's Iterator/Iterable plumbing: iterate in Python (`for ds in iterator:`) or call hasNext()/next()"
_DROPOUT_STATE = ("transient runtime state of DL4J's dropout (its last mask, cuDNN helper), not a configuration value; "
                  "the torch backend draws its own masks")
_KERAS_FLAG = ("DL4J-internal flag (JsonIgnore'd, not in configuration.json) that DL4J's Keras importer sets; "
               "not modelled: setNIn(inputType, override) behaves as on a configuration read from JSON")

_SAMEDIFF = ("DL4J's SameDiff layer definition API (the layer as a SameDiff graph); the torch backend runs these layers "
             "with their torch modules (torch_backend/layers/), configured by the layer's fields")

_RT_NET = "a runtime layer/vertex here is a view of the network, which does this: {}"
_RT_STATE = ("DL4J's per-call runtime state of a layer/vertex (set and read inside its forward/backward pass); the "
             "torch backend runs the whole network instead")

_IMG_SETTINGS = ("DataVec's Lombok accessor of the transform's settings: they are its constructor arguments, kept on "
                 "the transform under the same names (e.g. transform.cropTop, transform.flipMode); build a new "
                 "transform to change them")
_IMG_STATE = ("DataVec's per-call state of a transform (the last image's size and the last random draws); not kept: "
              "the transform's result is the image transform(...) returns")
_JAVACV = "JavaCV's frame converter and Mat types: images here are numpy arrays [H, W, C] in BGR (ImageWritable.getFrame())"
_SPLIT_WRITE = ("DataVec's output side of an InputSplit (writing records to its locations); splits here are read-only "
                "lists of files: split.locations()")
_RR_META = ("DataVec's record metadata and record-listener plumbing: the reader gives arrays through next(), in the "
            "order of its split's locations()")

_PW_INTERNAL = ("ParallelWrapper's internal machinery (its Java executor, trainer threads, Aeron/stats routing, "
                "exception hand-over, per-run UUID, zoo of replicas); the workers here are processes managed by "
                "the wrapper: configure it with ParallelWrapper.Builder and call fit(...), stopFit(), shutdown()")
_PW_SETTER = ("Lombok setter of ParallelWrapper's settings: they are fixed when Builder.build() makes the wrapper; "
              "build a new one with the Builder (workers(n), averagingFrequency(n), averageUpdaters(b), "
              "prefetchBuffer(n), reportScoreAfterAveraging(b), workspaceMode(m), trainingMode(m))")
_PW_BUILDER = ("ParallelWrapper.Builder's hooks for DL4J's own trainer threads and workspaces (custom Trainer "
               "classes, parameter suppliers, temporary memory); the process workers here need none: see "
               "docs/distributed.md")

#: Java method -> what a Python user writes instead (or why there is nothing to write).
NOT_MIRRORED: dict = {
    # ---- DataVec: image transforms, splits, record readers (pydl4j_transfer.data) --------------------------------
    **dict.fromkeys(("getCropTop", "getCropLeft", "getCropBottom", "getCropRight", "setCropTop", "setCropLeft",
                     "setCropBottom", "setCropRight", "getDx", "getDy", "setDx", "setDy", "getFlipMode",
                     "setFlipMode", "getNewHeight", "getNewWidth", "setNewHeight", "setNewWidth", "getImageTransforms",
                     "setImageTransforms", "isShuffle", "setShuffle", "deltas", "M"), _IMG_SETTINGS),
    **dict.fromkeys(("getH", "getW", "setH", "setW", "getX", "getY", "setX", "setY", "getSrch", "getSrcw", "setSrch",
                     "setSrcw", "getMode", "setMode", "getCurrentTransforms", "setCurrentTransforms", "setCurrentImage",
                     "getRng", "setRng", "getRandom", "setRandom", "query"), _IMG_STATE),
    **dict.fromkeys(("getConverter", "setConverter", "asFrame", "asMat", "asImageMatrix", "asWritable"), _JAVACV),
    "interMode": "WarpImageTransform warps with DataVec's defaults (INTER_LINEAR, BORDER_CONSTANT, border 0), the "
                 "ones DL4J's examples use; other modes are not mirrored",
    "borderMode": "WarpImageTransform warps with DataVec's defaults (BORDER_CONSTANT, border value 0)",
    "borderValue": "WarpImageTransform warps with DataVec's defaults (BORDER_CONSTANT, border value 0)",
    "downloadAndUntar": "nothing downloads at run time here: fetch the archive yourself and point FileSplit at it",
    **dict.fromkeys(("addNewLocation", "bootStrapForWrite", "canWriteToLocation", "needsBootstrapForWrite",
                     "openOutputStreamFor", "openInputStreamFor", "locationsIterator", "updateSplitLocations"),
                    _SPLIT_WRITE),
    **dict.fromkeys(("loadFromMetaData", "nextRecord", "record", "isCollectMetaData", "setCollectMetaData",
                     "getListeners", "setListeners", "setCurrentFile", "getLabel"), _RR_META),
    "ImageRecordReader#getConf": "DataVec's Hadoop Configuration: the reader's settings are its constructor arguments",
    "ImageRecordReader#setConf": "DataVec's Hadoop Configuration: the reader's settings are its constructor arguments",
    "isLogLabelCountOnInit": "DataVec's logging switch; the labels are reader.getLabels()",
    "setLogLabelCountOnInit": "DataVec's logging switch; the labels are reader.getLabels()",
    "isNchw_channels_first": "the reader gives DL4J's default NCHW (channels first), as ImageRecordReader(h, w, c) does",
    "setNchw_channels_first": "the reader gives DL4J's default NCHW (channels first); transpose the arrays for NHWC",
    "getRecordReader": "the reader you gave the iterator (keep a reference to it)",
    **dict.fromkeys(("doubles", "ints", "longs"), "java.util.Random's Java-stream API: draw in a Python loop with "
                                                  "nextDouble() / nextInt() / nextLong()"),
    "isDeprecated": "a Java-internal flag of java.util.random's factory API",
    "nextBytes": "not mirrored: draw with nextInt() (JavaRandom mirrors the draws DataVec's transforms and splits make)",
    "nextExponential": "not mirrored (Java 17's RandomGenerator default method): -log(1 - nextDouble())",
    "FileDataSetIterator#setLabels": "the labels are in the DataSet files; FileDataSetIterator(root, ..., labels) "
                                     "names them at construction",
    # ---- runtime layers and vertices (net.getLayer(i), graph.getVertex(name); pydl4j_transfer.nn.layers/vertices) ----
    "Layer#addListeners": _RT_NET.format("listeners are the network's: net.addListeners(...)"),
    "Layer#setListeners": _RT_NET.format("listeners are the network's: net.setListeners(...)"),
    "Layer#getListeners": _RT_NET.format("listeners are the network's: net.getListeners()"),
    "Layer#fit": _RT_NET.format("train the network (net.fit(...)); a frozen part stays as it is"),
    "Layer#update": _RT_NET.format("the network's fit applies the updater to every layer"),
    "Layer#gradient": _RT_NET.format("net.computeGradientAndScore(...) then net.gradient(); the layer's slice is "
                                     "net.gradient()[start:end] of its params' range"),
    "Layer#gradientAndScore": _RT_NET.format("net.computeGradientAndScore(...) returns (gradient, score)"),
    "Layer#backpropGradient": _RT_STATE,
    "Layer#calcRegularizationScore": _RT_NET.format("the network's score includes it: net.score(dataSet)"),
    "Layer#applyConstraints": _RT_NET.format("fit applies every layer's constraints after each iteration"),
    "Layer#allowInputModification": _RT_STATE,
    "Layer#batchSize": _RT_STATE,
    "Layer#getInputMiniBatchSize": _RT_STATE,
    "Layer#setInputMiniBatchSize": _RT_STATE,
    "Layer#input": _RT_STATE + "; the layer's input is net.feedForward(x)[i] (graph: the input vertex's activation)",
    "Layer#setInput": _RT_STATE + "; run layer.activate(input) or the network",
    "Layer#getMaskArray": _RT_STATE + "; masks travel with the DataSet given to the network",
    "Layer#setMaskArray": _RT_STATE + "; masks travel with the DataSet given to the network",
    "Layer#clearNoiseWeightParams": _RT_STATE,
    "Layer#close": _RT_STATE,
    "Layer#getOptimizer": _RT_NET.format("the network's fit runs DL4J's StochasticGradientDescent step"),
    "Layer#setBackpropGradientsViewArray": _RT_STATE,
    "Layer#setParamsViewArray": "the layer's params are always views of net.params(): use layer.setParams(...)",
    "Layer#setCacheMode": _RT_STATE,
    "Layer#setConf": "a layer's configuration is the network's: edit it with TransferLearning.Builder / GraphBuilder",
    "Layer#setEpochCount": _RT_NET.format("counters are the network's: net.setEpochCount(n)"),
    "Layer#setIterationCount": _RT_NET.format("counters are the network's: net.setIterationCount(n)"),
    "Layer#setIndex": "a layer's index is fixed by the configuration",
    "Layer#updaterDivideByMinibatch": "DL4J's updater helper; the network's updater applies it (BatchNormalization's "
                                      "running statistics are not divided)",
    "Layer#logTestMode": _RT_STATE,
    "GraphVertex#canDoBackward": _RT_STATE,
    "GraphVertex#canDoForward": _RT_STATE,
    "GraphVertex#clearVertex": _RT_STATE,
    "GraphVertex#doBackward": _RT_STATE,
    "GraphVertex#doForward": _RT_STATE + "; run the graph (graph.output / graph.feedForward)",
    "GraphVertex#feedForwardMaskArrays": _RT_STATE + "; masks travel with the MultiDataSet given to the graph",
    "GraphVertex#getConfig": "the vertex's configuration: graph.getConfiguration().getVertices()[name]",
    "GraphVertex#getEpsilon": _RT_STATE,
    "GraphVertex#setEpsilon": _RT_STATE,
    "GraphVertex#getGradientsViewArray": _RT_NET.format("graph.computeGradientAndScore(...) then graph.gradient()"),
    "GraphVertex#setBackpropGradientsViewArray": _RT_STATE,
    "GraphVertex#getInputs": _RT_STATE + "; a vertex's inputs are graph.feedForward(x)[input name]",
    "GraphVertex#setInputs": _RT_STATE,
    "GraphVertex#setInput": _RT_STATE,
    "GraphVertex#setInputVertices": "the graph's structure is its configuration: edit it with TransferLearning.GraphBuilder",
    "GraphVertex#setOutputVertices": "the graph's structure is its configuration: edit it with TransferLearning.GraphBuilder",
    "GraphVertex#setOutputVertex": "the graph's outputs are its configuration's: TransferLearning.GraphBuilder.setOutputs",
    "GraphVertex#updaterDivideByMinibatch": "DL4J's updater helper; the network's updater applies it",
    "GraphVertex#computeScoreForExamples": _RT_NET.format("per-example scores are not mirrored: graph.score(dataSet) "
                                                          "for the minibatch"),
    "GraphVertex#applyPreprocessorAndSetInput": _RT_STATE,
    "GraphVertex#isSetLayerInput": _RT_STATE,
    "GraphVertex#setSetLayerInput": _RT_STATE,
    "GraphVertex#getDataType": "the network's: graph.getConfiguration().getDataType()",
    "GraphVertex#setDataType": "the network's: graph.setDataType(...) / graph.to(dtype=...)",
    "GraphVertex#getGraph": "the graph the vertex was taken from (vertices come from graph.getVertex(name))",
    "GraphVertex#setGraph": "a vertex belongs to the graph it came from",
    "GraphVertex#getLayerPreProcessor": "the vertex's configuration: graph.getConfiguration().getVertices()[name]"
                                        ".getPreProcessor()",
    "GraphVertex#setLayer": "a layer vertex's layer is its configuration's: edit it with TransferLearning.GraphBuilder",
    "GraphVertex#setVertexIndex": "a vertex's index is fixed by the configuration",
    "GraphVertex#setVertexName": "a vertex's name is fixed by the configuration",
    # ---- SameDiff-based layers (the definition hooks DL4J's SameDiffLayer machinery calls) ----------------------
    "defineParameters": _SAMEDIFF,
    "initializeParameters": _SAMEDIFF + "; initial values come from init() with the layer's weight init",
    "paramReshapeOrder": _SAMEDIFF + "; the parameter layout is layer.paramSpecs()",
    "validateInput": _SAMEDIFF + "; a wrong input shape gives InvalidConfigurationError naming the layer",
    "onesMaskForInput": _SAMEDIFF,
    "applyGlobalConfigToLayer": _SAMEDIFF + "; the global configuration is applied when the network is built",
    "defineLayer": _SAMEDIFF,
    "defineVertex": _SAMEDIFF,
    "PermutePreprocessor#isHasLeadingDimension": "DL4J-internal flag (not in configuration.json) set from the input's "
                                                 "rank at preProcess time; here the permutation handles both ranks",
    "PermutePreprocessor#setHasLeadingDimension": "DL4J-internal flag (not in configuration.json): nothing to set",
    # ---- every configuration class (layers, vertices, preprocessors, values) --------------------------------
    "instantiate": _RUNTIME_LAYER,
    "initializer": "DL4J's ParamInitializer: the parameter layout is layer.paramSpecs() / layer.paramShapes() / "
                   "layer.paramKeys() (in flat-vector order)",
    "resetLayerDefaultConfig": "DL4J-internal (builders reset a layer before the global configuration is applied); "
                               "build a new layer instead",
    "getMemoryReport": _MEMORY,
    "getRegularizationByParam": "DL4J's updater helper: layer.getRegularization() (weights) or "
                                "layer.getRegularizationBias() (biases; layer.isBiasParam(key) tells which)",
    "getInnerConf": "DL4J-internal: the wrapped layer's configuration is layer.getLayer() (FrozenLayer) or "
                    "layer.getUnderlying() (FrozenLayerWithBackprop)",
    "hasBias": "hasBias is the Java field here (an attribute, not a method): read layer.hasBias or layer.isHasBias()",
    "hasLayerNorm": "hasLayerNorm is the Java field here (an attribute): read layer.hasLayerNorm or layer.isHasLayerNorm()",
    "helperAllowFallback": "helperAllowFallback is the Java field here (an attribute): set it with "
                           "Dropout(p, helperAllowFallback=False) or dropout.setHelperAllowFallback(False)",
    "isDefaultValueOverriden": _KERAS_FLAG,
    "setDefaultValueOverriden": _KERAS_FLAG,
    "isDefaultValueOverridden": _KERAS_FLAG,
    "setDefaultValueOverridden": _KERAS_FLAG,
    "getInitializer": "DL4J-internal (Bidirectional's transient ParamInitializer): layer.paramSpecs() gives the layout",
    "setInitializer": "DL4J-internal (Bidirectional's transient ParamInitializer)",
    "maxVertexInputs": "DL4J-internal validation bound; the graph builder checks vertex inputs at build()",
    "minVertexInputs": "DL4J-internal validation bound; the graph builder checks vertex inputs at build()",
    "feedForwardMaskArray": "DL4J's mask propagation through a preprocessor/network, done inside the torch backend: "
                            "masks travel with the DataSet given to fit / score / evaluate",
    "backprop": "DL4J's backward pass on INDArrays (activation, dropout or preprocessor); here autograd does it in the "
                "torch backend: net.computeGradientAndScore(...) then net.gradient()",
    "BaseActivation#getActivation": _FORWARD_MATH + " (torch_backend/activations.py)",
    # VariationalAutoencoder's reconstruction distributions: the math is the torch backend's (conf never imports torch)
    "ReconstructionDistribution#negLogProbability": "pydl4j_transfer.torch_backend.layers.variational."
        "neg_log_probability(dist, x, preOut, average) (tensors)",
    "ReconstructionDistribution#exampleNegLogProbability": "pydl4j_transfer.torch_backend.layers.variational."
        "example_neg_log_probability(dist, x, preOut)",
    "ReconstructionDistribution#gradient": "pydl4j_transfer.torch_backend.layers.variational.gradient(dist, x, preOut)",
    "ReconstructionDistribution#generateAtMean": "pydl4j_transfer.torch_backend.layers.variational."
        "generate_at_mean(dist, preOut); on a network: net.getLayer(i).generateAtMeanGivenZ(z)",
    "ReconstructionDistribution#generateRandom": "pydl4j_transfer.torch_backend.layers.variational."
        "generate_random(dist, preOut); on a network: net.getLayer(i).generateRandomGivenZ(z)",
    "CompositeReconstructionDistribution#computeLossFunctionScoreArray": "net.getLayer(i).reconstructionError(data) "
        "(the VAE's reconstruction through this method)",
    "BaseActivation#numParams": "activations have no parameters except PReLU's, which are the layer's "
                                "(layer.numParams())",
    "getAlpha": "ActivationRReLU's alpha is a random array drawn at each training forward pass (runtime state); "
                "its bounds are getL() / getU()",
    "computeGradient": _FORWARD_MATH + " (torch_backend/training/losses.py)",
    "computeGradientAndScore": _FORWARD_MATH + " (net.computeGradientAndScore(...) gives score and gradients)",
    "computeScore": _FORWARD_MATH + " (net.score(dataSet) gives DL4J's score)",
    "computeScoreArray": _FORWARD_MATH + " (net.scoreExamples is not mirrored either: score one example at a time)",
    "scoreArray": _FORWARD_MATH,
    "name": "ILossFunction#name() is Java's toString-style label; use type(loss).__name__ or loss.dl4jClass",
    "extractComponents": _FORWARD_MATH + " (LossMixtureDensity's alpha/mu/sigma split of the network output)",
    "MixtureDensityComponents": "LossMixtureDensity's runtime holder of alpha/mu/sigma arrays: not a configuration class",
    "init": "IWeightInit#init fills DL4J's parameter arrays; here net.init() initialises parameters "
            "(pydl4j_transfer/nn/init.py mirrors each weight init)",
    "apply": "DL4J's regularization/constraint step on INDArrays, done by the torch backend's training step "
             "(torch_backend/training/regularization.py, constraints.py)",
    "applyStep": "DL4J's regularization step on INDArrays, done by the torch backend's training step",
    "score": "Regularization#score: the regularization term of the score; net.score() includes it",
    "applyConstraint": "DL4J's constraint step on INDArrays, done by the torch backend after each update "
                       "(torch_backend/training/constraints.py)",
    "getBroadcastDims": "DL4J-internal (the constraint's reduction axes, derived from the parameter shape)",
    "applyDropout": _DROPOUT_STATE,
    "clear": _DROPOUT_STATE,
    "getMask": _DROPOUT_STATE,
    "setMask": _DROPOUT_STATE,
    "getHelper": _DROPOUT_STATE,
    "setHelper": _DROPOUT_STATE,
    "getHelperCountFail": _DROPOUT_STATE,
    "setHelperCountFail": _DROPOUT_STATE,
    "isInitializedHelper": _DROPOUT_STATE,
    "setInitializedHelper": _DROPOUT_STATE,
    "getLastPValue": _DROPOUT_STATE,
    "setLastPValue": _DROPOUT_STATE,
    "getNoise": _DROPOUT_STATE,
    "setNoise": _DROPOUT_STATE,
    "setA": "AlphaDropout's a, b and alphaPrime follow from p, alpha and lambda (getA(), getB(), getAlphaPrime()); "
            "set those instead",
    "setB": "AlphaDropout's a, b and alphaPrime follow from p, alpha and lambda; set those instead",
    "setAlphaPrime": "AlphaDropout's alphaPrime is -lambda * alpha; set lambda / alpha instead",
    "getParameter": "IWeightNoise#getParameter returns the noised weights during a training step (runtime); the torch "
                    "backend applies weight noise itself",
    "setAllKeysSorted": "derived from the schedule's values (getAllKeysSorted()); set the values instead",
    "MapSchedule#Builder": "MapSchedule.Builder: pass the map: MapSchedule(ScheduleType.ITERATION, {0: 0.1, 100: 0.01})",
    "preProcess": "InputPreProcessor#preProcess reshapes activations inside DL4J's forward pass; the torch backend "
                  "does it (torch_backend/preprocessors.py): getOutputType(inputType) gives the shape",
    # ---- builder methods of configuration classes not taken (docs/api-porting.md's Java only column) --------
    "Builder#cudnnFwdMode": "a cuDNN algorithm choice (GPU-only, DL4J's cuDNN helper): no effect here; the "
                            "configuration keeps cudnnFwdAlgo for DL4J (set it as cudnnFwdAlgo=...)",
    "Builder#cudnnBwdFilterMode": "a cuDNN algorithm choice (DL4J's cuDNN helper): set cudnnBwdFilterAlgo=... instead",
    "Builder#cudnnBwdDataMode": "a cuDNN algorithm choice (DL4J's cuDNN helper): set cudnnBwdDataAlgo=... instead",
    "Builder#helperAllowFallback": "DL4J's cuDNN/MKL-DNN helper fallback switch: set cudnnAllowFallback=... (the "
                                   "field it writes to configuration.json)",
    "Builder#constrainInputWeights": "the recurrent layer's input-weight constraint: pass constraints with "
                                     "constrainWeights(...) (applies to W) or set layer.constraints",
    "Builder#constrainRecurrent": "the recurrent-weight constraint: set layer.constraints with params=['RW']",
    "Builder#constrainPointWise": "the separable convolution's point-wise constraint: set layer.constraints with "
                                  "params=['pW']",
    "Builder#constrainGamma": "BatchNormalization's gamma constraint: set layer.constraints with params=['gamma']",
    "Builder#constrainBeta": "BatchNormalization's beta constraint: set layer.constraints with params=['beta']",
    "Builder#hasBias": "this layer has no hasBias field in DL4J's JSON for this class; its builder method only exists "
                       "on the Java builder's base class",
    "Builder#dataFormat": "this class's data format field has another name here: see its keyword arguments "
                          "(cnn2dDataFormat / rnnDataFormat / dataFormat)",
    "Builder#outputDataFormat": "Cnn3DLossLayer's output format follows its dataFormat here",
    "Builder#rnnLayer": "Bidirectional's wrapped layer: Bidirectional(mode, layer) or Bidirectional.Builder(mode, layer)",
    "Builder#maskValue": "MaskZeroLayer's mask value: MaskZeroLayer(underlying=layer, maskingValue=0.0)",
    "Builder#gaussians": "LossMixtureDensity's component count: LossMixtureDensity(mixtures=n, labelWidth=w)",
    "Builder#momentumSchedule": "Nesterovs(learningRate, momentumSchedule) or Nesterovs(momentumISchedule=schedule)",
    "Builder#blocks": "SpaceToDepthLayer's block size: SpaceToDepthLayer(blockSize=2)",
    "Builder#add": "MapSchedule.Builder#add: pass the map: MapSchedule(ScheduleType.ITERATION, {0: 0.1, 100: 0.01})",
    # ---- NeuralNetConfiguration, the network configurations and their builders ----------------------------
    "variables": "NeuralNetConfiguration's variables is the Java field here (an attribute): conf.variables or "
                 "conf.getVariables()",
    "mapper": "DL4J's Jackson ObjectMapper: conf.toJson() / X.fromJson(text) (conf/jsonio.py writes Jackson's text)",
    "mapperYaml": "DL4J's Jackson YAML mapper: conf.toYaml() / X.fromYaml(text) (conf/yamlio.py)",
    "validate": "ComputationGraphConfiguration#validate: GraphBuilder.build() validates; DataSet#validate: not needed "
                "(numpy shapes are checked where arrays are used)",
    "addPreProcessors": "ComputationGraphConfiguration#addPreProcessors(InputType...): build with "
                        "graphBuilder().setInputTypes(...) (what DL4J's build() calls) or "
                        "conf.getLayerActivationTypes(*inputTypes, add_preprocessors=True)",
    "confs": "MultiLayerConfiguration.Builder#confs(List): build with NeuralNetConfiguration.Builder().list()"
             ".layer(...) or edit conf.confs",
    "setConfs": "edit the built configuration's confs list (conf.setConfs(list) on MultiLayerConfiguration)",
    "appendLayer": "GraphBuilder#appendLayer: addLayer(name, layer, previousName)",
    "appendVertex": "GraphBuilder#appendVertex: addVertex(name, vertex, previousName)",
    "getLastAdded": "GraphBuilder's last added vertex (used by appendLayer): keep the name in a variable",
    "setLastAdded": "GraphBuilder's last added vertex (used by appendLayer): keep the name in a variable",
    "inputPreProcessor": "GraphBuilder#inputPreProcessor(layer, p): addLayer(name, layer, p, *inputs) takes the "
                         "preprocessor, or set vertex.preProcessor on getVertices()[name]",
    "GraphBuilder#getInputPreProcessors": "preprocessors live on the layer vertices: "
                                          "{n: v.preProcessor for n, v in builder.getVertices().items()}",
    "GraphBuilder#setInputPreProcessors": "set vertex.preProcessor on builder.getVertices()[name]",
    # ---- networks (MultiLayerNetwork / ComputationGraph) -------------------------------------------------------
    "BaseNetwork#conf": "DL4J's network-level NeuralNetConfiguration: net.getLayerWiseConfigurations().getConf(0) "
                        "(graph: net.getConfiguration().getDefaultConfiguration()); a layer's: net.getLayer(i).conf()",
    "BaseNetwork#getDefaultConfiguration": "net.getLayerWiseConfigurations().getConf(0) (graph: "
                                           "net.getConfiguration().getDefaultConfiguration())",
    "BaseNetwork#getIndex": "a network has no index (DL4J's Model-as-Layer API): a layer's is net.getLayer(i).getIndex()",
    "BaseNetwork#setIndex": "DL4J-internal (a layer's position; fixed by the configuration)",
    "BaseNetwork#getLayerWiseConfigurations": "use net.getLayerWiseConfigurations() on a MultiLayerNetwork",
    "BaseNetwork#setLayerWiseConfigurations": "replace the network: MultiLayerNetwork(newConf, net.params()) after init, or edit "
                                  "the configuration with TransferLearning.Builder",
    "BaseNetwork#setConf": "replace the network: MultiLayerNetwork(newConf) / ComputationGraph(newConf), or edit it with "
               "TransferLearning.Builder / GraphBuilder",
    "BaseNetwork#setLayers": "DL4J-internal (the runtime layer array, built by init())",
    "BaseNetwork#getLabels": _INPUT_STATE,
    "BaseNetwork#setLabels": _INPUT_STATE,
    "BaseNetwork#setLabel": _INPUT_STATE,
    "BaseNetwork#getInput": _INPUT_STATE,
    "BaseNetwork#setInput": _INPUT_STATE,
    "BaseNetwork#input": _INPUT_STATE,
    "BaseNetwork#getInputs": _INPUT_STATE,
    "BaseNetwork#setInputs": _INPUT_STATE,
    "BaseNetwork#getMaskArray": _INPUT_STATE,
    "BaseNetwork#setMaskArray": _INPUT_STATE,
    "BaseNetwork#getInputMaskArrays": _INPUT_STATE,
    "BaseNetwork#getLabelMaskArrays": _INPUT_STATE,
    "BaseNetwork#setLayerMaskArrays": _INPUT_STATE,
    "BaseNetwork#clearLayerMaskArrays": _INPUT_STATE,
    "BaseNetwork#getInputMiniBatchSize": _INPUT_STATE,
    "BaseNetwork#setInputMiniBatchSize": _INPUT_STATE,
    "BaseNetwork#batchSize": _INPUT_STATE,
    "BaseNetwork#allowInputModification": "DL4J workspace optimisation flag; inputs are never modified here",
    "BaseNetwork#activate": "MultiLayerNetwork#activate(input, training): net.output(input, train) (all layers: "
                "net.feedForward(input))",
    "BaseNetwork#applyConstraints": _NET_INTERNAL + " (constraints are applied after every fit step)",
    "BaseNetwork#backpropGradient": _NET_INTERNAL,
    "BaseNetwork#calcRegularizationScore": _NET_INTERNAL + " (the regularization term is part of net.score())",
    "BaseNetwork#calculateGradients": _NET_INTERNAL + " (net.computeGradientAndScore(...) then net.gradient())",
    "BaseNetwork#calculateIndices": "DL4J-internal (vertex index tables); the configuration has vertexIndices()",
    "BaseNetwork#clearLayersStates": "DL4J-internal (cached activations); nothing is cached between calls here",
    "BaseNetwork#clearNoiseWeightParams": _NET_INTERNAL,
    "BaseNetwork#close": "DL4J frees off-heap memory; Python frees arrays when they are no longer referenced (del net)",
    "BaseNetwork#convertDataType": "network data type conversion: build the configuration with .dataType(DataType.X) and copy "
                       "the params (MultiLayerNetwork(conf, params.astype(...)))",
    "BaseNetwork#doEvaluation": "net.evaluate(iterator) / evaluateROC / evaluateRegression, or evaluation.eval(labels, "
                    "net.output(features)) over your batches",
    "BaseNetwork#doEvaluationHelper": "as doEvaluation: net.evaluate(iterator) or evaluation.eval(labels, output) per batch",
    "BaseNetwork#f1Score": "Evaluation: ev = net.evaluate(iterator); ev.f1()",
    "BaseNetwork#getConfig": "MultiLayerNetwork#getConfig is the per-layer NeuralNetConfiguration: "
                 "net.getLayerWiseConfigurations().getConf(0)",
    "BaseNetwork#getFlattenedGradients": _NET_INTERNAL + " (net.gradient().gradient() after computeGradientAndScore)",
    "BaseNetwork#getGradient": _NET_INTERNAL + " (net.gradient())",
    "BaseNetwork#setGradient": _NET_INTERNAL,
    "BaseNetwork#getGradientsViewArray": _NET_INTERNAL + " (net.gradient().gradient())",
    "BaseNetwork#setBackpropGradientsViewArray": _NET_INTERNAL,
    "BaseNetwork#initGradientsView": _NET_INTERNAL,
    "BaseNetwork#setParamsViewArray": "DL4J-internal: use net.setParams(flat) (the params are already one flat view)",
    "BaseNetwork#getHelperWorkspaces": "DL4J workspaces (off-heap memory management): not applicable to the torch runtime",
    "BaseNetwork#getOptimizer": _NET_INTERNAL + " (the updater state is net.getUpdaterState())",
    "BaseNetwork#getUpdater": "DL4J's runtime Updater object: its state is net.getUpdaterState() / setUpdaterState(...); the "
                  "layers' IUpdater configurations are layer.getIUpdater()",
    "BaseNetwork#setUpdater": "net.setUpdaterState(state) for the state; change updaters with TransferLearning's "
                  "FineTuneConfiguration.updater(...)",
    "BaseNetwork#updaterState": "net.getUpdaterState()",
    "BaseNetwork#update": _NET_INTERNAL + " (net.fit(...) runs the update)",
    "BaseNetwork#updaterDivideByMinibatch": _NET_INTERNAL + " (minibatch division follows DL4J's rules inside the training step)",
    "BaseNetwork#gradientAndScore": "net.computeGradientAndScore(...) then (net.gradient(), net.score())",
    "BaseNetwork#getLearningRate": "the learning rate is the updater configuration's: net.getLayer(i).conf().getLayer()"
                       ".getIUpdater().getLearningRate(iteration, epoch) (here layer.getIUpdater() on the configuration)",
    "BaseNetwork#setLearningRate": "set it on the configuration before training: FineTuneConfiguration.Builder().updater(Adam(lr)) "
                       "with TransferLearning, or layer.getIUpdater().setLearningRate(lr) then net.releaseRuntime()",
    "BaseNetwork#getTrainingListeners": "net.getListeners()",
    "BaseNetwork#incrementEpochCount": "net.setEpochCount(net.getEpochCount() + 1) (fit(...) does this after each epoch)",
    "BaseNetwork#isClearTbpttState": "DL4J-internal TBPTT switch; TBPTT follows the configuration's backpropType",
    "BaseNetwork#setClearTbpttState": "DL4J-internal TBPTT switch; TBPTT follows the configuration's backpropType",
    "BaseNetwork#updateRnnStateWithTBPTTState": "DL4J-internal (TBPTT state hand-over inside fit)",
    "BaseNetwork#rnnActivateUsingStoredState": "net.rnnTimeStep(input) (uses and updates the stored state)",
    "BaseNetwork#rnnGetPreviousStates": "net.rnnGetPreviousState(layerName) per layer",
    "BaseNetwork#rnnSetPreviousStates": "net.rnnSetPreviousState(layerName, state) per layer",
    "BaseNetwork#memoryInfo": _MEMORY,
    "BaseNetwork#isPretrainLayer": "unsupervised layer-wise pretraining: not supported here",
    "BaseNetwork#scoreExamples": "score examples one at a time: [net.score(ds.get(i)) for i in range(ds.numExamples())]",
    "BaseNetwork#setScore": "DL4J-internal (the score is computed by fit/computeGradientAndScore)",
    "BaseNetwork#setCacheMode": "DL4J's activation cache for its own workspaces: not applicable to the torch runtime",
    "BaseNetwork#setGradientsAccumulator": "DL4J's distributed-training hook (ParallelWrapper/Spark): not applicable",
    "BaseNetwork#setInitDone": "DL4J-internal; call net.init()",
    "BaseNetwork#setLastEtlTime": "DL4J-internal (the listeners' ETL time is measured by fit)",
    "BaseNetwork#setParameters": "net.setParams(flat) or net.setParam(key, value)",
    "BaseNetwork#numLabels": "the output layer's nOut: net.getLayerWiseConfigurations().getConf(-1).getLayer().getNOut()",
    "BaseNetwork#predict": "np.argmax(net.output(x), axis=1) (DL4J's predict returns the argmax class per example)",
    "BaseNetwork#toComputationGraph": "not mirrored: build the equivalent ComputationGraph configuration with "
                          "NeuralNetConfiguration.Builder().graphBuilder() and copy params per layer",
    "BaseNetwork#type": "DL4J's Model#type enum: isinstance(net, MultiLayerNetwork) / ComputationGraph",
    "BaseNetwork#getMask": _INPUT_STATE,
    "BaseNetwork#setMask": _INPUT_STATE,
    "BaseNetwork#getHelper": "DL4J's cuDNN/MKL-DNN helper of a runtime layer: not applicable to the torch runtime",
    "BaseNetwork#clear": "DL4J clears cached inputs/activations; nothing is cached between calls here",
    # ---- ModelSerializer, TransferLearningHelper, zoo ---------------------------------------------------------
    "addObjectToFile": "ModelSerializer's extra zip entries hold Java-serialized objects (no pickle here): add your "
                       "own entry with zipfile, or keep a JSON file beside the model",
    "getObjectFromFile": "Java-serialized objects cannot be read here (no pickle in any format); see addObjectToFile",
    "listObjectsInFile": "zipfile.ZipFile(path).namelist() lists the entries (objects/ holds DL4J's)",
    "restoreNormalizerFromInputStream": "ModelSerializer.restoreNormalizerFromFile(path) (a file path or a "
                                        "file-like object works there)",
    "taskByModel": "DL4J's Task metadata for its remote-training UI: not applicable",
    "errorIfGraphIfMLN": "DL4J-internal check of TransferLearningHelper (raises when the wrong network kind is used)",
    "getURL": "DL4J's download URL of a resource: nothing is downloaded here; put the file into "
              "DL4JResources.getDirectory(...) (see docs/quickstart.md)",
    # ---- listeners -----------------------------------------------------------------------------------------
    "exportScores": "listener.getScores() gives (iteration, score) pairs: write them with the csv module or numpy",
    "getScoreVsIter": "listener.getScores() (a list of (iteration, score))",
    "ScoreStat": "CollectScoresIterationListener's internal score buffer: listener.getScores()",
    "getCallback": "the EvaluativeListener's callback is the callback= argument you passed",
    "availableCheckpoints": "CheckpointListener's static helpers (availableCheckpoints(dir), lastCheckpoint(dir), "
                            "loadCheckpointMLN(dir, n), ...) are not mirrored: list the directory's checkpoint_*.zip "
                            "files and restore one with ModelSerializer.restoreMultiLayerNetwork",
    "lastCheckpoint": "see availableCheckpoints: the newest checkpoint_*.zip in the directory",
    "getFileForCheckpoint": "see availableCheckpoints: Path(dir) / checkpoint.getFilename()",
    "loadCheckpointMLN": "ModelSerializer.restoreMultiLayerNetwork(Path(dir) / checkpoint.getFilename())",
    "loadCheckpointCG": "ModelSerializer.restoreComputationGraph(Path(dir) / checkpoint.getFilename())",
    "loadLastCheckpointMLN": "see lastCheckpoint, then ModelSerializer.restoreMultiLayerNetwork",
    "loadLastCheckpointCG": "see lastCheckpoint, then ModelSerializer.restoreComputationGraph",
    # ---- DataSet / MultiDataSet / iterators ------------------------------------------------------------------
    "addFeatureVector": _DATASET_OPS.format("np.concatenate"),
    "addRow": _DATASET_OPS.format("DataSet.merge([ds, row])"),
    "batchByNumLabels": _DATASET_OPS.format("group rows by label with numpy"),
    "sortAndBatchByNumLabels": _DATASET_OPS.format("np.argsort on the label indices"),
    "sortByLabel": _DATASET_OPS.format("np.argsort(ds.getLabels().argmax(1), kind='stable')"),
    "binarize": _DATASET_OPS.format("(x > cutoff).astype(x.dtype)"),
    "dataSetBatches": "ds.batchBy(num)",
    "iterateWithMiniBatches": "ListDataSetIterator(ds.asList(), batchSize)",
    "divideBy": _DATASET_OPS.format("ds.getFeatures() / n"),
    "multiplyBy": _DATASET_OPS.format("ds.getFeatures() * n"),
    "normalize": "NormalizerStandardize().fit(ds) then .transform(ds) (DL4J's normalize() is that per example)",
    "normalizeZeroMeanZeroUnitVariance": "NormalizerStandardize().fit(ds) then .transform(ds)",
    "scale": _DATASET_OPS.format("x / x.max()"),
    "scaleMinAndMax": "NormalizerMinMaxScaler(min, max).fit(ds) then .transform(ds)",
    "squishToRange": _DATASET_OPS.format("np.clip(x, min, max)"),
    "roundToTheNearest": _DATASET_OPS.format("np.round(x / n) * n"),
    "exampleMaxs": _DATASET_OPS.format("x.max(axis=1)"),
    "exampleMeans": _DATASET_OPS.format("x.mean(axis=1)"),
    "exampleSums": _DATASET_OPS.format("x.sum(axis=1)"),
    "filterAndStrip": _DATASET_OPS.format("select rows and label columns with numpy indexing"),
    "filterBy": _DATASET_OPS.format("rows whose label is in a set: np.isin(labels.argmax(1), wanted)"),
    "getRange": "ds.get(list(range(lo, hi))) or slice the arrays",
    "labelCounts": _DATASET_OPS.format("ds.getLabels().sum(axis=0)"),
    "outcome": "ds.getLabels().argmax(axis=1) (one example: ds.get(i))",
    "setOutcome": _DATASET_OPS.format("one-hot rows: np.eye(numLabels)[indices]"),
    "setNewNumberOfLabels": _DATASET_OPS.format("rebuild the one-hot labels"),
    "reshape": _DATASET_OPS.format("ds.setFeatures(ds.getFeatures().reshape(...))"),
    "toMultiDataSet": "MultiDataSet([ds.getFeatures()], [ds.getLabels()], [ds.getFeaturesMaskArray()], "
                      "[ds.getLabelsMaskArray()])",
    "empty": "DataSet() (an empty DataSet)",
    "id": "DL4J-internal (ND4J array ids)",
    "detach": "ND4J workspaces: numpy arrays are never attached; nothing to do",
    "migrate": "ND4J workspaces: numpy arrays are never attached; nothing to do",
    "getMemoryFootprint": "sum(a.nbytes for a in (ds.getFeatures(), ds.getLabels()) if a is not None)",
    "getExampleMetaData": "DL4J's RecordMetaData of each example: not kept here (keep your own list of source paths)",
    "setExampleMetaData": "DL4J's RecordMetaData of each example: not kept here",
    "getColumnNames": "DataSet: keep the column names with your data; RegressionEvaluation: evaluation.columnNames",
    "setColumnNames": "DataSet: keep the column names with your data; RegressionEvaluation: "
                      "RegressionEvaluation(columnNames)",
    "getLabelName": "ds.getLabelNamesList()[i]",
    "getLabelNames": "ds.getLabelNamesList()",
    "isPreProcessed": "DL4J-internal flag of its async iterators",
    "markAsPreProcessed": "DL4J-internal flag of its async iterators",
    "forEach": _ITERATOR,
    "forEachRemaining": _ITERATOR,
    "remove": _ITERATOR + " (Iterator#remove is unsupported in DL4J's iterators too)",
    "iterator": _ITERATOR,
    "spliterator": _ITERATOR,
    "setTrain": "SplitTestAndTrain(train, test) (a new one)",
    "setTest": "SplitTestAndTrain(train, test) (a new one)",
    # ---- evaluations ---------------------------------------------------------------------------------------
    "evalTimeSeries": "evaluation.eval(labels, output, mask) takes 3d time series (with an optional mask)",
    "toYaml": "evaluation.toJson() (DL4J's YAML of an evaluation is not written here)",
    "fromYaml": "Evaluation.fromJson(text) (DL4J's YAML of an evaluation is not read here)",
    "newInstance": "DL4J-internal (a fresh evaluation of the same settings): construct a new one",
    "reshapeAndExtractNotMasked": "DL4J-internal (mask handling inside eval)",
    "getAxis": "evaluations here reduce over axis 1 (DL4J's default)",
    "setAxis": "evaluations here reduce over axis 1 (DL4J's default); move the class axis there first",
    "getValue": "IEvaluation#getValue(Metric): evaluation.scoreForMetric(metric)",
    "addToConfusion": _EVAL_STATE,
    "averageF1NumClassesExcluded": _EVAL_STATE,
    "averageFBetaNumClassesExcluded": _EVAL_STATE,
    "averagePrecisionNumClassesExcluded": _EVAL_STATE,
    "averageRecallNumClassesExcluded": _EVAL_STATE,
    "confusionToString": "evaluation.confusionMatrix()",
    "falseAlarmRate": "(evaluation.falsePositiveRate(i) + evaluation.falseNegativeRate(i)) / 2 per class",
    "getBinaryDecisionThreshold": _EVAL_STATE,
    "setBinaryDecisionThreshold": _EVAL_STATE,
    "getBinaryPositiveClass": "evaluation.binaryPositiveClass",
    "setBinaryPositiveClass": "evaluation.binaryPositiveClass = i",
    "getClassLabel": "evaluation.labelsList[i]",
    "getConfusion": "evaluation.getConfusionMatrix()",
    "setConfusion": _EVAL_STATE,
    "getConfusionMatrixMetaData": _EVAL_STATE,
    "setConfusionMatrixMetaData": _EVAL_STATE,
    "getCostArray": "cost-sensitive evaluation (Evaluation(costArray)) is not mirrored",
    "setCostArray": "cost-sensitive evaluation (Evaluation(costArray)) is not mirrored",
    "getFalseNegatives": "evaluation.falseNegatives() (a dict class -> count)",
    "getFalsePositives": "evaluation.falsePositives()",
    "getTrueNegatives": "evaluation.trueNegatives()",
    "getTruePositives": "evaluation.truePositives()",
    "setFalseNegatives": _EVAL_STATE,
    "setFalsePositives": _EVAL_STATE,
    "setTrueNegatives": _EVAL_STATE,
    "setTruePositives": _EVAL_STATE,
    "incrementFalseNegatives": _EVAL_STATE,
    "incrementFalsePositives": _EVAL_STATE,
    "incrementTrueNegatives": _EVAL_STATE,
    "incrementTruePositives": _EVAL_STATE,
    "getLabelsList": "evaluation.labelsList",
    "setLabelsList": "Evaluation(labelsList)",
    "getMaxWarningClassesToPrint": _EVAL_STATE,
    "setMaxWarningClassesToPrint": _EVAL_STATE,
    "setNumRowCounter": _EVAL_STATE,
    "getPredictionByPredictedClass": "per-example prediction metadata (eval with RecordMetaData) is not kept here",
    "getPredictionErrors": "per-example prediction metadata (eval with RecordMetaData) is not kept here",
    "getPredictions": "per-example prediction metadata (eval with RecordMetaData) is not kept here",
    "getPredictionsByActualClass": "per-example prediction metadata (eval with RecordMetaData) is not kept here",
    "getTopN": "top-N accuracy (Evaluation(labels, topN)) is not mirrored",
    "getTopNCorrectCount": "top-N accuracy (Evaluation(labels, topN)) is not mirrored",
    "getTopNTotalCount": "top-N accuracy (Evaluation(labels, topN)) is not mirrored",
    "setTopNCorrectCount": "top-N accuracy is not mirrored",
    "setTopNTotalCount": "top-N accuracy is not mirrored",
    "topNAccuracy": "top-N accuracy is not mirrored: np.mean([l in np.argsort(p)[-n:] for l, p in ...])",
    "negative": "evaluation.trueNegatives() + falseNegatives() (binary case: the negative-class counts)",
    "positive": "evaluation.truePositives() + falsePositives() (binary case: the positive-class counts)",
    "averagecorrelationR2": "evaluation.averageRSquared() (DL4J's deprecated alias)",
    "correlationR2": "evaluation.rSquared(column) (DL4J's deprecated alias)",
    "getCurrentMean": _EVAL_STATE,
    "setCurrentMean": _EVAL_STATE,
    "getCurrentPredictionMean": _EVAL_STATE,
    "setCurrentPredictionMean": _EVAL_STATE,
    "getExampleCountPerColumn": _EVAL_STATE,
    "setExampleCountPerColumn": _EVAL_STATE,
    "getLabelsSumPerColumn": _EVAL_STATE,
    "setLabelsSumPerColumn": _EVAL_STATE,
    "getPrecision": "RegressionEvaluation's print precision: evaluation.precision",
    "setPrecision": "RegressionEvaluation(columnNames, precision)",
    "getSumAbsErrorsPerColumn": _EVAL_STATE,
    "setSumAbsErrorsPerColumn": _EVAL_STATE,
    "getSumLabels": _EVAL_STATE,
    "setSumLabels": _EVAL_STATE,
    "getSumOfProducts": _EVAL_STATE,
    "setSumOfProducts": _EVAL_STATE,
    "getSumSquaredErrorsPerColumn": _EVAL_STATE,
    "setSumSquaredErrorsPerColumn": _EVAL_STATE,
    "getSumSquaredLabels": _EVAL_STATE,
    "setSumSquaredLabels": _EVAL_STATE,
    "getSumSquaredPredicted": _EVAL_STATE,
    "setSumSquaredPredicted": _EVAL_STATE,
    "isInitialized": "evaluation.initialized",
    "setInitialized": _EVAL_STATE,
    "merge": "evaluations are not merged here: evaluate all batches into one evaluation object (eval per batch)",
    "reset": "construct a new evaluation",
    "ROC#toJson": "ROC.fromJson reads DL4J's JSON; writing it is not mirrored (stats() / calculateAUC())",
    "ROCMultiClass#toJson": "ROCMultiClass.fromJson reads DL4J's JSON; writing it is not mirrored",
    "getThresholdSteps": "roc.thresholdSteps (0: exact mode)",
    "setThresholdSteps": "ROC(thresholdSteps)",
    "isExact": "roc.thresholdSteps == 0",
    "setExact": "ROC(0) (exact mode)",
    "isRocRemoveRedundantPts": _EVAL_STATE,
    "setRocRemoveRedundantPts": _EVAL_STATE,
    "getCounts": _EVAL_STATE,
    "CountsForThreshold": "ROC's internal per-threshold counter class: roc.getRocCurve() gives the curve",
    "getExactAllocBlockSize": _EVAL_STATE,
    "setExactAllocBlockSize": _EVAL_STATE,
    "getExampleCount": "roc.exampleCount()",
    "setExampleCount": _EVAL_STATE,
    "getPrCurve": "roc.getPrecisionRecallCurve()",
    "setPrCurve": _EVAL_STATE,
    "getProbAndLabel": _EVAL_STATE,
    "setProbAndLabel": _EVAL_STATE,
    "setAuc": _EVAL_STATE,
    "setAuprc": _EVAL_STATE,
    "setCountActualNegative": _EVAL_STATE,
    "setCountActualPositive": _EVAL_STATE,
    "setRocCurve": _EVAL_STATE,
    "getRocCurve": "ROCMultiClass: roc.getRocCurve() per class is not mirrored: calculateAUC(i)",
    "getPrecisionRecallCurve": "ROCMultiClass: per-class curves are not mirrored: calculateAUCPR(i)",
    "getUnderlying": "ROCMultiClass's per-class ROC objects are internal here: calculateAUC(i) / calculateAUCPR(i)",
    "setUnderlying": _EVAL_STATE,
    "ROCMultiClass#getLabels": "ROCMultiClass's class labels are not kept: index the classes 0..n-1",
    "ROCMultiClass#setLabels": "ROCMultiClass's class labels are not kept: index the classes 0..n-1",
    "MultiDataSet#setLabels": "mds.setLabels(list) / mds.setLabels(i, array)",
    "setFeatureStats": "DL4J's statistics objects (DistributionStats / MinMaxStats lists) are not mirrored: fit(...) the "
                       "normalizer, read it from normalizer.bin, or load(featureFiles, labelFiles)",
    "setLabelStats": "DL4J's statistics objects (DistributionStats / MinMaxStats lists) are not mirrored: fit(...) the "
                     "normalizer (with fitLabel(true)) or load(featureFiles, labelFiles)",
    # ---- ParallelWrapper (pydl4j_transfer.parallelism) ----
    **{f"ParallelWrapper#{m}": _PW_INTERNAL for m in (
        "broadcastGradients", "getException", "getExceptionEncountered", "getExecutorService",
        "getGradientsAccumulator", "getHandler", "getModelParamsSupplier", "getStopFit",
        "getStorageRouter", "getTrainerContext", "getTrainerContextArgs",
        "getUpdaterParamsSupplier", "getUuid", "getWorkerCounter", "getZoo", "isDebug",
        "isLegacyAveraging", "isMQ", "setDebug", "setException", "setExceptionEncountered",
        "setExecutorService", "setGradientsAccumulator", "setHandler", "setMQ",
        "setModelParamsSupplier", "setStopFit", "setStorageRouter", "setTrainerContext",
        "setTrainerContextArgs", "setUpdaterParamsSupplier", "setWasAveraged", "setZoo",
        "setLegacyAveraging", "setIterationsCounter", "setModel")},
    **{f"ParallelWrapper#{m}": _PW_SETTER for m in (
        "setAverageUpdaters", "setAveragingFrequency", "setPrefetchSize", "setReportScore",
        "setWorkers", "setWorkspaceMode")},
    "ParallelWrapper#getWorkspaceMode": ("the workspace mode given to the Builder is DL4J's memory setting; the torch "
                                         "workers have no workspaces (it is accepted and ignored)"),
    **{f"Builder#{m}": _PW_BUILDER for m in (
        "modelParamsSupplier", "temporaryMemory", "trainerContextArgs", "trainerFactory",
        "updaterParamsSupplier")},
}


def reason(class_names, name: str):
    """The advice for the Java method ``name`` of a class known by ``class_names`` (its Java simple name and its
    bases', most specific first), or None when the name is not a known unmirrored DL4J method."""
    for cls in class_names:
        advice = NOT_MIRRORED.get(f"{cls}#{name}")
        if advice is not None:
            return advice
    return NOT_MIRRORED.get(name)


def class_names(cls) -> list:
    """The Java simple names a Python class answers to, most specific first (its dl4jClass / JAVA_CLASS, else the
    Python class names along the MRO)."""
    names = []
    for klass in cls.__mro__:
        java = klass.__dict__.get("dl4jClass") or klass.__dict__.get("JAVA_CLASS")
        names.append(java.rsplit(".", 1)[-1].rsplit("$", 1)[-1] if isinstance(java, str) else klass.__name__)
    return names


def missing(owner_cls, name: str, obj=None) -> AttributeError:
    """The error for an attribute lookup that failed: NotMirroredError for a known DL4J method, else AttributeError."""
    advice = None if name.startswith("_") else reason(class_names(owner_cls), name)
    if advice is not None:
        return NotMirroredError(owner_cls.__name__, name, advice)
    what = f"type object {owner_cls.__name__!r}" if obj is None else f"{owner_cls.__name__!r} object"
    return AttributeError(f"{what} has no attribute {name!r}", name=name, obj=obj if obj is not None else owner_cls)


class _JavaNamesMeta(type):
    def __getattr__(cls, name):  # class-level lookups: static methods, nested classes (ModelSerializer.x, Layer.Y)
        raise missing(cls, name)


class JavaNames(metaclass=_JavaNamesMeta):
    """Mixin of the mirrored classes: a DL4J name that stays unmirrored raises NotMirroredError saying what to write
    instead (on instances and on the class)."""

    __slots__ = ()

    def __getattr__(self, name):
        raise missing(type(self), name, self)
