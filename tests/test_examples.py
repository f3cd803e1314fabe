"""Runs the ports of DL4J's VGG16 transfer-learning examples (examples/transfer_*.py) and the guide's code sections
(examples/guide_*.py) end to end, offline.

Each script runs in a subprocess on a randomly initialised 32x32 VGG16 and synthetic images (its defaults), into
one temporary folder, in the order the Java examples need: the bottleneck model is saved before the fine-tune
restores it, the featurized data is saved before the fit reads it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# script, key output lines, files it must leave in --out
STEPS = [
    ("transfer_edit_last_layer.py",
     ["Eval stats BEFORE fit.....", "Evaluate model at iter 0", "Epoch #0 complete", "final test accuracy:",
      "Model build complete"], []),
    ("transfer_edit_at_bottleneck.py",
     ["newpredictions (OutputLayer)", "fc3 (DenseLayer)", "Epoch #0 complete", "Model build complete",
      "Model saved:"], ["MyComputationGraph.zip"]),
    ("transfer_finetune_from_block4.py",
     ["Restoring saved model", "Epoch #0 complete", "Model saved:"], ["MyComputationGraphFineTune.zip"]),
    ("transfer_featurized_presave.py",
     ["Saved train dataset #0 (16, 4096)", "Saved test dataset #0", "Finished pre saving featurized test and train data"],
     ["trainFolder/flowers-fc2-train-0.bin", "testFolder/flowers-fc2-test-0.bin"]),
    ("transfer_fit_from_featurized.py",
     ["featurized data: 80 train / 20 test examples", "Eval stats BEFORE fit.....", "Epoch #2 complete",
      "final test accuracy:", "Model build complete"], []),
]


def _run(script, out):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, str(EXAMPLES / script), "--out", str(out)], cwd=out, env=env,
                          capture_output=True, text=True, timeout=300)


def test_transfer_examples_in_order(tmp_path):
    for script, lines, files in STEPS:
        r = _run(script, tmp_path)
        assert r.returncode == 0, f"{script} exited {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        for line in lines:
            assert line in r.stdout, f"{script}: {line!r} not in its output\n{r.stdout[-3000:]}"
        for f in files:
            assert (tmp_path / f).is_file(), f"{script} did not write {f}"


def test_fit_from_featurized_runs_presave_when_missing(tmp_path):
    r = _run("transfer_fit_from_featurized.py", tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "FEATURIZED DATA NOT FOUND" in r.stdout
    assert "Finished pre saving featurized test and train data" in r.stdout
    assert "Epoch #2 complete" in r.stdout


def test_finetune_builds_bottleneck_model_when_missing(tmp_path):
    r = _run("transfer_finetune_from_block4.py", tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "not found" in r.stdout and "Model saved:" in r.stdout
    assert (tmp_path / "MyComputationGraphFineTune.zip").is_file()


# ---- the transfer-learning guide's code sections (examples/guide_*.py) ------------------------------------------
# Each script runs in this process (main(argv) into a temporary folder) on its defaults: a random-init 32x32
# stand-in for the pretrained VGG16 with the pretrained zip's vertex names, synthetic 5-class images.

GUIDE_KERAS_NAMES = (["input_1"] + [f"block{b}_conv{k}" for b, n in ((1, 2), (2, 2), (3, 3), (4, 3), (5, 3))
                                    for k in range(1, n + 1)] + [f"block{b}_pool" for b in range(1, 6)]
                     + ["flatten", "fc1", "fc2", "predictions"])


@pytest.fixture
def guide(monkeypatch):
    """import_module for examples/ (the scripts import each other and _transfer_common by plain name)."""
    import importlib

    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module


def _guide_args(guide, out, *extra):
    common = guide("_transfer_common")
    args = common.parser("test").parse_args(["--out", str(out), *extra])
    common.setup(args)
    return args


def _frozen(conf_tree, name):
    """How many FrozenLayer wrappers a vertex of a configuration JSON tree has (0: trainable)."""
    v = conf_tree["vertices"][name]
    layer, depth = v.get("layerConf", {}).get("layer", {}), 0
    while layer.get("@class", "").endswith(".FrozenLayer"):
        layer, depth = layer["layer"], depth + 1
    return depth


def test_guide_1_zoo_import_stand_in(guide, tmp_path, capsys):
    assert guide("guide_1_zoo_import").main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for line in ("Total Parameters:  37,694,248", "vertex block5_pool: SubsamplingLayer", "vertex fc2: DenseLayer",
                 "vertex predictions: DenseLayer",  # as in DL4J's pretrained zip: not an OutputLayer
                 "output of 'predictions' for 16 test images: shape (16, 1000), rows sum to 1.0000"):
        assert line in out, f"{line!r} not in\n{out[-3000:]}"
    net = guide("_transfer_common").keras_named_vgg16()
    conf = net.getConfiguration()
    assert sorted([*conf.vertices, *conf.networkInputs]) == sorted(GUIDE_KERAS_NAMES)


def test_guide_1_pretrained_missing_is_the_projects_clear_error(tmp_path):
    env = dict(os.environ, DL4J_RESOURCES_DIRECTORY=str(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    r = subprocess.run([sys.executable, str(EXAMPLES / "guide_1_zoo_import.py"), "--pretrained", "--out",
                        str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout[-2000:] + r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    assert str(tmp_path / "models" / "vgg16" / "vgg16_dl4j_inference.zip") in r.stderr
    assert "never downloads" in r.stderr


@pytest.mark.dl4j
def test_guide_2_fine_tune_configuration_equals_dl4js(guide, tmp_path, capsys):
    from pydl4j_transfer.dl4j_backend import jclass, jlong

    g2 = guide("guide_2_fine_tune_configuration")
    assert g2.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # DL4J's `new Nesterovs(5e-5)` is Nesterovs(double momentum): learning rate 0.1, momentum 5e-5
    assert "updater: Sgd(0.001) -> Nesterovs(0.1, 5e-05) on 16 layers (block1_conv1 ... predictions)" in out
    assert "seed: 1234 -> 12345 on 21 layers" in out and "parameters unchanged: True" in out
    # the guide's Java, run in DL4J: the same JSON as the script's (and as the file it wrote)
    java = (jclass("org.deeplearning4j.nn.transferlearning.FineTuneConfiguration$Builder")()
            .optimizationAlgo(jclass("org.deeplearning4j.nn.api.OptimizationAlgorithm").STOCHASTIC_GRADIENT_DESCENT)
            .updater(jclass("org.nd4j.linalg.learning.config.Nesterovs")(5e-5))
            .seed(jlong(g2.seed))
            .build())
    assert json.loads(str(java.toJson())) == json.loads(g2.fine_tune_configuration(g2.seed).toJson())
    assert json.loads((tmp_path / "fineTuneConf.json").read_text()) == json.loads(str(java.toJson()))


def test_guide_3a_trains_only_the_new_output_layer(guide, tmp_path, capsys):
    assert guide("guide_3a_modify_last_layer").main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "predictions (OutputLayer)                4096,5      20,485" in out  # nOut = numClasses
    assert "frozen vertices: 21 (block1_conv1 ... fc2); their parameters unchanged by fit: True" in out
    assert "layers whose parameters changed: ['predictions']" in out
    assert "Epoch #0 complete" in out and "final test accuracy:" in out


@pytest.mark.dl4j
def test_guide_3a_matches_dl4js_transfer_learning_on_the_same_zip(guide, tmp_path):
    import numpy as np

    import pydl4j_transfer
    from pydl4j_transfer import ModelSerializer

    g2, g3a = guide("guide_2_fine_tune_configuration"), guide("guide_3a_modify_last_layer")
    path = tmp_path / "vgg16.zip"
    ModelSerializer.writeModel(guide("_transfer_common").keras_named_vgg16(), path, False)
    ftc = g2.fine_tune_configuration(g2.seed)
    ours = g3a.modify_last_layer(pydl4j_transfer.load(path), ftc)
    theirs = g3a.modify_last_layer(pydl4j_transfer.load(path, backend="dl4j"), ftc)  # DL4J's own GraphBuilder
    assert theirs.backend == "dl4j" and theirs.getRuntime().model is not None
    tree = json.loads(theirs.toJson())
    assert json.loads(ours.toJson()) == tree
    assert tree["vertices"]["predictions"]["layerConf"]["layer"]["nout"] == 5
    assert all(_frozen(tree, n) == 1 for n in GUIDE_KERAS_NAMES if n not in ("input_1", "flatten", "predictions"))
    a, b = ours.paramTable(), theirs.paramTable()
    assert all(np.array_equal(a[k], b[k]) for k in a if not k.startswith("predictions_"))


def test_guide_3b_saves_a_zip_that_restores(guide, tmp_path, capsys):
    import numpy as np

    from pydl4j_transfer import ModelSerializer

    assert guide("guide_3b_attach_at_bottleneck").main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for line in ("fc2 (DenseLayer)                         4096,1024",
                 "fc3 (DenseLayer)                         1024,256",
                 "newpredictions (OutputLayer)             256,5", "Epoch #0 complete",
                 "(18 frozen vertices, block1_conv1 ... block5_pool)"):
        assert line in out, f"{line!r} not in\n{out[-3000:]}"
    restored = ModelSerializer.restoreComputationGraph(tmp_path / "vgg16Transfer.zip")
    tree = json.loads(restored.toJson())
    assert "predictions" not in tree["vertices"] and tree["networkOutputs"] == ["newpredictions"]
    assert _frozen(tree, "block5_pool") == 1 and _frozen(tree, "fc1") == 0  # the frozen wrappers are saved
    assert restored.output(np.zeros((2, 3, 32, 32), np.float32))[0].shape == (2, 5)


@pytest.mark.dl4j
def test_guide_3c_restores_b_and_matches_dl4j_block5_stays_frozen(guide, tmp_path, capsys):
    import numpy as np

    import pydl4j_transfer
    from pydl4j_transfer import ModelSerializer

    g2, g3b, g3c = (guide("guide_2_fine_tune_configuration"), guide("guide_3b_attach_at_bottleneck"),
                    guide("guide_3c_fine_tune_from_saved"))
    ftc = g2.fine_tune_configuration(g2.seed)
    saved = tmp_path / g3b.SAVED_NAME
    ModelSerializer.writeModel(g3b.attach_at_bottleneck(guide("_transfer_common").keras_named_vgg16(), ftc), saved,
                               False)
    assert g3c.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"Restoring saved model {saved}" in out
    assert 'unfrozen by setFeatureExtractor("block4_pool"): none' in out
    assert "layers whose parameters changed: ['fc1', 'fc2', 'fc3', 'newpredictions']" in out
    # DL4J's own builder on the same zip: the same configuration, block 5 still frozen, block 4 wrapped twice
    ours = g3c.fine_tune_from_saved(ModelSerializer.restoreComputationGraph(saved), ftc)
    theirs = g3c.fine_tune_from_saved(pydl4j_transfer.load(saved, backend="dl4j"), ftc)
    tree = json.loads(theirs.toJson())
    assert json.loads(ours.toJson()) == tree
    assert _frozen(tree, "block5_conv1") == 1 and _frozen(tree, "block4_conv1") == 2 and _frozen(tree, "fc1") == 0
    np.testing.assert_array_equal(ours.params(), theirs.params())


def test_guide_4_featurizes_to_disk_and_fit_featurized_lowers_the_score(guide, tmp_path, capsys, request):
    import re

    import numpy as np

    # --lr 1e-4: the guide's `new Nesterovs(5e-5)` is learning rate 0.1 in DL4J, which overshoots on the stand-in
    assert guide("guide_4_featurize_and_fit").main(["--out", str(tmp_path), "--lr", "1e-4"]) == 0
    out = capsys.readouterr().out
    train = sorted((tmp_path / "trainFolder").glob("flowers-fc2-train-*.bin"))
    test = sorted((tmp_path / "testFolder").glob("flowers-fc2-test-*.bin"))
    assert len(train) == 5 and len(test) == 2, (train, test)
    assert "saved 5 featurized train and 2 test minibatches (16, 4096)" in out
    m = re.search(r"score on the 80 featurized training examples: ([\d.]+) before fitFeaturized, ([\d.]+) after 3", out)
    assert m, out[-3000:]
    assert float(m.group(2)) < float(m.group(1)) - 1e-3
    assert "fc2 (InputVertex)" in out and "predictions (OutputLayer)   4096,5" in out
    # the saved files are DL4J's: real DL4J's DataSet.load reads the same arrays
    request.getfixturevalue("jvm")
    from pydl4j_transfer import DataSet
    from pydl4j_transfer.dl4j_backend import jclass, to_numpy

    java = jclass("org.nd4j.linalg.dataset.DataSet")()
    java.load(jclass("java.io.File")(str(train[0])))
    ours = DataSet.load(train[0])
    np.testing.assert_array_equal(to_numpy(java.getFeatures()), ours.getFeatures())
    np.testing.assert_array_equal(to_numpy(java.getLabels()), ours.getLabels())


def test_keras_vgg16_weights_to_dl4j_zip_edit_a_and_fit_featurized(guide, tmp_path, capsys, request):
    """examples/keras_vgg16_to_dl4j.py: the Keras VGG16-layout weights file -> DL4J zip -> edit A -> fitFeaturized;
    real DL4J restores both zips it writes and computes the same outputs."""
    import re

    import numpy as np

    assert guide("keras_vgg16_to_dl4j").main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "pretrained VGG16: 70,894 parameters, fc2 width 64" in out
    m = re.search(r"score ([\d.]+) -> ([\d.]+) after 20 epoch\(s\), training accuracy ([\d.]+)", out)
    assert m, out
    assert float(m.group(2)) < float(m.group(1)) / 2 and float(m.group(3)) >= 0.9
    request.getfixturevalue("jvm")
    from pydl4j_transfer import ModelSerializer

    x = guide("keras_vgg16_to_dl4j").synthetic_data(64, n=4).getFeatures()
    for name in ("vgg16_dl4j.zip", "vgg16_transfer.zip"):
        ours = ModelSerializer.restoreComputationGraph(tmp_path / name)
        dl4j = ModelSerializer.restoreComputationGraph(tmp_path / name, backend="dl4j")
        np.testing.assert_allclose(dl4j.output(x)[0], ours.output(x)[0], rtol=0, atol=1e-5)


# ---- the Java Deep Learning Cookbook's churn programs (examples/cookbook_churn_*.py) ---------------------------------


def test_cookbook_churn_programs_in_order(tmp_path, request):
    """Chapter 3 trains and saves the churn model (fit(iterator, nEpochs)), chapter 11 loads it with
    MultiLayerNetwork.load(file, true), saves featurized minibatches and fits the unfrozen part on them; real DL4J
    restores the saved model and gives its outputs."""
    steps = [("cookbook_churn_train.py", ["Building Model", "Model saved:", "(epochs: 3,"], ["model.zip"]),
             ("cookbook_churn_save_featurized.py", ["Saved train dataset #0", "Saved test dataset #0",
                                                    "Finished saving featurized data: 80 train / 20 test minibatches"],
              ["trainFolder/churn-1-train-0.bin", "testFolder/churn-1-test-19.bin"]),
             ("cookbook_churn_transfer.py", ["Eval stats BEFORE fit.....", "Evaluate model at iter 70 ....",
                                             "Epoch #1 complete", "frozen layers kept their parameters: True"], [])]
    for script, lines, files in steps:
        r = _run(script, tmp_path)
        assert r.returncode == 0, f"{script} exited {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        for line in lines:
            assert line in r.stdout, f"{script}: {line!r} not in its output\n{r.stdout[-3000:]}"
        for f in files:
            assert (tmp_path / f).is_file(), f"{script} did not write {f}"
    import numpy as np

    from pydl4j_transfer import ModelSerializer

    ours, normalizer = ModelSerializer.restoreMultiLayerNetworkAndNormalizer(tmp_path / "model.zip")
    assert normalizer is not None and ours.getEpochCount() == 3
    request.getfixturevalue("jvm")
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    x = np.random.default_rng(0).standard_normal((5, 11)).astype(np.float32)
    np.testing.assert_allclose(Dl4jModel.restore(tmp_path / "model.zip").output(x), ours.output(x), rtol=1e-5, atol=1e-6)
