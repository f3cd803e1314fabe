"""ModelGuesser: DL4J-written zips and configurations loaded without saying what they are (DL4J's order of attempts),
from paths and streams; anything else a ModelGuesserError that says what was tried."""

import io

import pytest

from pydl4j_transfer import ComputationGraph, ModelGuesser, MultiLayerNetwork, NormalizerStandardize
from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
from pydl4j_transfer.errors import ModelGuesserError, NotMirroredError

from ..conftest import FIXTURES

M21 = FIXTURES / "1.0.0-M2.1"


def test_load_model_guess_from_paths_and_streams(tmp_path):
    mln = ModelGuesser.loadModelGuess(str(M21 / "mlp_dense_output" / "model.zip"))
    assert isinstance(mln, MultiLayerNetwork)
    graph = ModelGuesser.loadModelGuess(M21 / "cg_merge_elementwise" / "model.zip")
    assert isinstance(graph, ComputationGraph)
    with open(M21 / "cg_merge_elementwise" / "model.zip", "rb") as stream:
        again = ModelGuesser.loadModelGuess(stream, tmp_path)
    assert (again.params() == graph.params()).all()
    assert list(tmp_path.iterdir()) == []  # the temporary copy is gone
    assert isinstance(ModelGuesser.loadNormalizer(str(M21 / "normalizer_standardize" / "model.zip")),
                      NormalizerStandardize)


def test_load_config_guess_json_and_yaml(tmp_path):
    mln = ModelGuesser.loadModelGuess(str(M21 / "mlp_dense_output" / "model.zip"))
    (tmp_path / "a.json").write_text(mln.getLayerWiseConfigurations().toJson())
    (tmp_path / "b.yaml").write_text(mln.getLayerWiseConfigurations().toYaml())
    graph_conf = ModelGuesser.loadModelGuess(str(M21 / "cg_merge_elementwise" / "model.zip")).getConfiguration()
    (tmp_path / "c.yml").write_text(graph_conf.toYaml())
    assert isinstance(ModelGuesser.loadConfigGuess(str(tmp_path / "a.json")), MultiLayerConfiguration)
    assert ModelGuesser.loadConfigGuess(str(tmp_path / "b.yaml")) == mln.getLayerWiseConfigurations()
    assert ModelGuesser.loadConfigGuess(io.BytesIO(graph_conf.toYaml().encode())) == graph_conf
    assert isinstance(ModelGuesser.loadConfigGuess(tmp_path / "c.yml"), ComputationGraphConfiguration)


def test_unknown_files_say_what_was_tried(tmp_path):
    junk = tmp_path / "model.h5"
    junk.write_bytes(b"\x89HDF\r\n\x1a\n not a dl4j zip")
    with pytest.raises(ModelGuesserError, match="Tried: MultiLayerNetwork: .*ComputationGraph.*Keras"):
        ModelGuesser.loadModelGuess(str(junk))
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(ModelGuesserError, match="MultiLayerConfiguration JSON: .*YAML"):
        ModelGuesser.loadConfigGuess(str(tmp_path / "x.json"))


def test_unmirrored_static_methods_say_what_to_write():
    from pydl4j_transfer import ModelSerializer

    with pytest.raises(NotMirroredError, match="restoreNormalizerFromFile"):
        ModelSerializer.restoreNormalizerFromInputStream
