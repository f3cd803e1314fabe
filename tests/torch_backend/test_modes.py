"""set_mode: DL4J's train flag on a module without re-walking every submodule on each call, and still correct when
a part of the (user-visible) torchModule was switched by hand."""

from __future__ import annotations

import numpy as np

from pydl4j_transfer import MultiLayerNetwork
from pydl4j_transfer.conf import DenseLayer, FrozenLayer, NeuralNetConfiguration, OutputLayer
from pydl4j_transfer.torch_backend import set_mode


def _net():
    conf = (NeuralNetConfiguration.Builder().seed(5).list()
            .layer(FrozenLayer(DenseLayer.Builder().nIn(4).nOut(6).dropOut(0.5).build()))
            .layer(DenseLayer.Builder().nIn(6).nOut(6).dropOut(0.5).build())
            .layer(OutputLayer.Builder().nIn(6).nOut(3).activation("SOFTMAX").lossFunction("MCXENT").build())
            .build())
    return MultiLayerNetwork(conf).init()


def _modes(module):
    return [(name, m.training) for name, m in module.named_modules()]


def test_set_mode_gives_what_train_gives_and_repairs_a_part_switched_by_hand():
    module = _net().torchModule()
    reference = _net().torchModule()
    for train in (True, False, True):
        set_mode(module, train)
        reference.train(train)
        assert _modes(module) == _modes(reference)
    frozen = module.get_submodule(module.layer_names[0])
    assert not frozen.training  # DL4J's FrozenLayer runs its layer in inference mode even in training

    hidden = module.get_submodule(module.layer_names[1])
    hidden.eval()  # by hand, on the user's module: the recorded modes no longer hold
    set_mode(module, True)
    assert hidden.training and _modes(module) == _modes(reference)
    frozen.train()  # bypasses the frozen flag through nn.Module's own train of a child
    for child in frozen.children():
        child.train()
    set_mode(module, True)
    assert _modes(module) == _modes(reference)


def test_output_runs_in_inference_mode_after_a_part_was_put_in_training_mode_by_hand():
    net = _net()
    x = np.random.default_rng(0).random((50, 4), dtype=np.float32)
    expected = net.output(x)
    module = net.torchModule()
    module.get_submodule(module.layer_names[1]).train()  # its dropout would now drop half the units
    np.testing.assert_array_equal(net.output(x), expected)
