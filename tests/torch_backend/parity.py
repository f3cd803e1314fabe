"""Helpers for torch-vs-real-DL4J parity: build a network in DL4J from a configuration, give it
seeded parameters, and compare its inference output with build_module's.

Networks are described with pydl4j_transfer.conf's builders (DL4J's own builder API, in Python);
the JSON goes to real DL4J (``MultiLayerConfiguration.fromJson`` + ``init(params)``), and the torch
side is built from the JSON DL4J gives back after init, so both run exactly the same configuration.
"""

from __future__ import annotations

import numpy as np
import torch

from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
from pydl4j_transfer.torch_backend import build_module, flatten_params

#: keys whose values must be positive (variances) when parameters are drawn at random
POSITIVE_KEYS = {"var"}


def seeded_params(conf, seed=0, scale=0.5):
    """Random flat parameters for ``conf`` (variance params made positive), float32."""
    rng = np.random.default_rng(seed)
    m = build_module(conf)
    out = []
    for name in m.dl4j_param_names:
        p = m.get_parameter(name)
        v = rng.standard_normal(p.numel()) * scale
        if name.rsplit(".", 1)[1] in POSITIVE_KEYS:
            v = np.abs(v) + 0.5
        out.append(v)
    return (np.concatenate(out) if out else np.zeros(0)).astype(np.float32)


def reset_workspaces():
    """After a Java exception DL4J can leave a workspace open, which breaks every later output() in the JVM."""
    import jpype

    jpype.JClass("org.nd4j.linalg.factory.Nd4j").getWorkspaceManager().destroyAllWorkspacesForCurrentThread()


def dl4j_net(conf, params):
    """(Dl4jModel, configuration JSON DL4J reports after init)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    model = Dl4jModel.fromJson(conf.toJson(), params)
    return model, model.configurationJson()


def dl4j_output(model, inputs, masks=None, train=False):
    from pydl4j_transfer.errors import Dl4jBackendError

    try:
        if masks is None:
            return model.output(*inputs, train=train)
        return dl4j_output_with_masks(model, inputs, masks, train)
    except Exception as exc:  # Dl4jBackendError or a raw Java exception
        reset_workspaces()
        if isinstance(exc, Dl4jBackendError):
            raise
        raise Dl4jBackendError(f"real DL4J failed: {exc}") from exc


def conf_from_json(text):
    if '"vertices"' in text:
        return ComputationGraphConfiguration.fromJson(text)
    return MultiLayerConfiguration.fromJson(text)


def dl4j_output_with_masks(model, inputs, masks, train=False):
    """DL4J output with feature masks (MLN: output(x, train, fMask, null); CG: output(train, xs, masks))."""
    import jpype

    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    INDArray = jpype.JClass("org.nd4j.linalg.api.ndarray.INDArray")
    if model.isComputationGraph:
        xs = jpype.JArray(INDArray)([to_indarray(x) for x in inputs])
        ms = jpype.JArray(INDArray)([None if m is None else to_indarray(m) for m in masks])
        return [to_numpy(o) for o in model.java.output(bool(train), xs, ms)]
    return to_numpy(model.java.output(to_indarray(inputs[0]), bool(train),
                                      None if masks[0] is None else to_indarray(masks[0]), None))


def check_parity(conf, inputs, *, seed=0, atol=1e-5, masks=None, params=None, scale=0.5, train=False, workspaces=True):
    """Build ``conf`` in DL4J and in torch with the same seeded params; assert equal outputs.

    ``workspaces=False`` runs DL4J with inferenceWorkspaceMode NONE: DL4J M2.1 returns NWC
    activations scrambled (the NCW buffer reshaped) when workspaces are on, a bug in the array it
    returns, not in its math (test_rnn_parity.py::test_nwc_workspace_bug pins it).
    Returns the max abs difference (over all outputs) and the torch module.
    """
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if not workspaces:
        from pydl4j_transfer.conf import WorkspaceMode

        conf = conf.clone()
        conf.inferenceWorkspaceMode = WorkspaceMode.NONE
    if params is None:
        params = seeded_params(conf, seed, scale)
    model, json_back = dl4j_net(conf, params)
    expected = dl4j_output(model, inputs, masks, train)
    expected = expected if isinstance(expected, list) else [expected]
    conf_back = conf_from_json(json_back)
    module = build_module(conf_back, params)
    module.train(train)
    np.testing.assert_array_equal(flatten_params(module).numpy(), model.params())
    with torch.no_grad():
        if isinstance(conf_back, ComputationGraphConfiguration):
            got = module(*inputs, masks=masks)
        else:
            got = [module(inputs[0], mask=None if masks is None else masks[0])]
    worst = 0.0
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        g = g.detach().numpy()
        assert g.shape == e.shape, f"shape {g.shape} vs DL4J {e.shape}"
        diff = float(np.max(np.abs(g.astype(np.float64) - e.astype(np.float64)))) if e.size else 0.0
        worst = max(worst, diff)
        assert diff <= atol, f"max abs diff {diff} > {atol}"
    return worst, module


def rand(*shape, seed=1, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)
