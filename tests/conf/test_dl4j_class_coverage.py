"""The guard of issue 16: every concrete configuration class DL4J 1.0.0-M2.1 ships is mirrored.

The list is derived, each run, from the jars on the JVM's classpath (deeplearning4j-nn for layers, vertices,
preprocessors and the nn value classes; nd4j-api for activations, losses, updaters, schedules, regularization):
every public, concrete, top-level class assignable to one of the configuration base types below. Each must be
mirrored (its registry, and the torch implementation where the kind has one), be a user-defined SameDiff base (all
abstract), or be listed below with the reason. docs/supported.md must show the layer, vertex and preprocessor
classes with "torch: yes" (it is generated from the registries; tests/test_docs.py keeps it current).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pydl4j_transfer.conf import REGISTRIES
from pydl4j_transfer.conf.values import stepfunctions
from pydl4j_transfer.torch_backend import BY_CONF_KIND
from pydl4j_transfer.torch_backend.training import losses, regularization, schedules, updaters

pytestmark = pytest.mark.dl4j

DOCS = Path(__file__).resolve().parents[2] / "docs" / "supported.md"

#: configuration base type -> (registry kind, the torch table or None when the kind has no torch side)
BASES = {
    "org.deeplearning4j.nn.conf.layers.Layer": ("layer", BY_CONF_KIND["layer"]),
    "org.deeplearning4j.nn.conf.graph.GraphVertex": ("graph vertex", BY_CONF_KIND["graph vertex"]),
    "org.deeplearning4j.nn.conf.InputPreProcessor": ("input preprocessor", BY_CONF_KIND["input preprocessor"]),
    "org.nd4j.linalg.activations.IActivation": ("activation", BY_CONF_KIND["activation"]),
    "org.deeplearning4j.nn.conf.dropout.IDropout": ("dropout", BY_CONF_KIND["dropout"]),
    "org.deeplearning4j.nn.conf.weightnoise.IWeightNoise": ("weight noise", BY_CONF_KIND["weight noise"]),
    "org.nd4j.linalg.lossfunctions.ILossFunction": ("loss function", losses.LOSS_FNS),
    "org.nd4j.linalg.learning.config.IUpdater": ("updater", updaters.UPDATER_FNS),
    "org.nd4j.linalg.schedule.ISchedule": ("schedule", schedules.SCHEDULE_FNS),
    "org.nd4j.linalg.learning.regularization.Regularization": ("regularization", regularization.REGULARIZATION_FNS),
    "org.deeplearning4j.nn.weights.IWeightInit": ("weight init", None),
    "org.deeplearning4j.nn.conf.distribution.Distribution": ("distribution", None),
    "org.deeplearning4j.nn.api.layers.LayerConstraint": ("constraint", None),
    # value classes outside the registries (not "@class" JSON objects), mirrored by a table each
    "org.deeplearning4j.nn.conf.stepfunctions.StepFunction": ("step function", None),
    "org.deeplearning4j.nn.weights.embeddings.EmbeddingInitializer": ("embedding initializer", None),
    "org.deeplearning4j.nn.conf.layers.variational.ReconstructionDistribution": ("reconstruction distribution", None),
}
#: a class of each jar -> the packages in that jar whose classes are checked
JARS = {"org.deeplearning4j.nn.conf.layers.Layer": ("org.deeplearning4j.nn.conf.", "org.deeplearning4j.nn.weights."),
        "org.nd4j.linalg.activations.IActivation": ("org.nd4j.linalg.activations.", "org.nd4j.linalg.lossfunctions.",
                                                    "org.nd4j.linalg.learning.", "org.nd4j.linalg.schedule.")}

_B = "issue 16 part B"
#: classes not mirrored yet, with the reason (the lead removes the part B rows when part B is merged)
EXPECTED_MISSING = {
}
#: concrete classes of those packages that are not configuration values a model can hold
NOT_CONFIGURATION = {
    "org.deeplearning4j.nn.conf.distribution.serde.LegacyDistributionHelper":
        "Jackson's holder while it reads 0.x distribution JSON (LegacyDistributionDeserializer); never in a model",
    "org.deeplearning4j.nn.conf.stepfunctions.StepFunction":
        "the Jackson type root of the step functions (concrete, but has no type name of its own to be written)",
}
#: the user-defined SameDiff bases: abstract in DL4J, mirrored by register_samediff (docs/samediff.md)
SAMEDIFF_BASES = ("org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer",
                  "org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer",
                  "org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer",
                  "org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex",
                  "org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaVertex",
                  "org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer")
#: kind -> the mirrored "@class" names of the tables outside the registries
OTHER_TABLES = {"step function": set(stepfunctions.CLASSES),
                "embedding initializer": {"org.deeplearning4j.nn.weights.embeddings.ArrayEmbeddingInitializer"}}


def _jar_of(class_name):
    """The jar the running JVM loaded ``class_name`` from (the classpath's deeplearning4j-nn / nd4j-api)."""
    import jpype

    location = jpype.JClass(class_name).class_.getProtectionDomain().getCodeSource().getLocation()
    path = Path(str(jpype.JClass("java.io.File")(location.toURI()).getPath()))
    assert path.name.endswith("-1.0.0-M2.1.jar"), path
    return path


@pytest.fixture(scope="module")
def dl4j_classes(jvm):
    """{class name: (base type, abstract?)} for every top-level class of the checked packages with a base type."""
    import jpype

    loader = jpype.JClass("java.lang.Thread").currentThread().getContextClassLoader()
    cls_cls, modifier = jpype.JClass("java.lang.Class"), jpype.JClass("java.lang.reflect.Modifier")
    bases = {b: cls_cls.forName(b, False, loader) for b in BASES}
    out = {}
    for jar, packages in JARS.items():
        for entry in zipfile.ZipFile(_jar_of(jar)).namelist():
            if not entry.endswith(".class") or "$" in entry:
                continue
            name = entry[:-6].replace("/", ".")
            if not name.startswith(packages):
                continue
            c = cls_cls.forName(name, False, loader)
            if not modifier.isPublic(c.getModifiers()) or c.isInterface() or c.isEnum():
                continue
            base = next((b for b, jb in bases.items() if jb.isAssignableFrom(c)), None)
            if base is not None:
                out[name] = (base, bool(modifier.isAbstract(c.getModifiers())))
    return out


def test_the_derivation_finds_dl4js_classes(dl4j_classes):
    concrete = [n for n, (_, abstract) in dl4j_classes.items() if not abstract]
    assert len(concrete) > 190  # 1.0.0-M2.1: ~75 layers, 18 vertices, 9 preprocessors, 22 activations, 19 losses, ...
    assert "org.deeplearning4j.nn.conf.layers.SelfAttentionLayer" in concrete
    assert "org.deeplearning4j.nn.conf.ocnn.OCNNOutputLayer" in concrete  # outside the layers package, found anyway
    for base in SAMEDIFF_BASES:
        assert dl4j_classes[base][1], f"{base} should be abstract (a base for the user's own SameDiff classes)"


def test_every_concrete_dl4j_class_is_mirrored(dl4j_classes):
    missing, not_in_torch = [], []
    for name, (base, abstract) in sorted(dl4j_classes.items()):
        if abstract or name in NOT_CONFIGURATION or name in EXPECTED_MISSING:
            continue
        kind, torch_table = BASES[base]
        mirrored = name in OTHER_TABLES[kind] if kind in OTHER_TABLES else name in REGISTRIES.get(kind, ())
        if not mirrored:
            missing.append(name)
        elif torch_table is not None and name not in torch_table and name not in losses.UNSUPPORTED_LOSSES:
            not_in_torch.append(name)
    assert not missing, f"DL4J classes with no Python class: {missing}"
    assert not not_in_torch, f"mirrored without a torch implementation or a listed reason: {not_in_torch}"


def test_expected_missing_is_really_missing_and_real(dl4j_classes):
    """The list cannot go stale: each row is a concrete DL4J class that is still not mirrored (remove it when built)."""
    for name, reason in EXPECTED_MISSING.items():
        assert name in dl4j_classes and not dl4j_classes[name][1], f"{name} is not a concrete DL4J class"
        kind = BASES[dl4j_classes[name][0]][0]
        assert name not in REGISTRIES.get(kind, ()), f"{name} is mirrored now: remove it from EXPECTED_MISSING ({reason})"
    for name in NOT_CONFIGURATION:
        assert name in dl4j_classes


def test_supported_md_says_torch_yes_for_every_layer_vertex_and_preprocessor(dl4j_classes):
    text = DOCS.read_text(encoding="utf-8")
    for name, (base, abstract) in sorted(dl4j_classes.items()):
        kind = BASES[base][0]
        if abstract or name in EXPECTED_MISSING or kind not in ("layer", "graph vertex", "input preprocessor"):
            continue
        row = next((line for line in text.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"docs/supported.md has no row for {name}"
        assert row.endswith("| yes | yes |"), row
