"""DL4J's transfer-learning guide, section I: import a zoo model (VGG16 with its ImageNet weights).

The guide's Java, line for line (see docs/porting.md, "Guide I")::

    ZooModel zooModel = new VGG16();
    ComputationGraph pretrainedNet = (ComputationGraph) zooModel.initPretrained(PretrainedType.IMAGENET);

With ``--pretrained`` this script runs exactly that on DL4J's cached zip
(``~/.deeplearning4j/models/vgg16/vgg16_dl4j_inference.zip``, 224x224). pydl4j_transfer never downloads: a missing
file stops the script with an error naming the file, the folder and the URL to fetch it from. By default it builds
a random-init stand-in with the pretrained graph's own vertex names (``input_1``, ``block1_conv1`` ... ``fc2``,
``predictions``) on a 32x32 input (``_transfer_common.keras_named_vgg16``), so sections II-IV run offline in
seconds with the guide's names as written.

Usage: ``python examples/guide_1_zoo_import.py [--pretrained] [--size N] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common

# the vertices the later sections of the guide name
GUIDE_VERTICES = ("block4_pool", "block5_pool", "fc2", "predictions")


def import_zoo_model(args):
    """I. Import a zoo model: ``pretrainedNet`` (with ``--pretrained``: DL4J's ImageNet VGG16, else the stand-in)."""
    from pydl4j_transfer import VGG16, PretrainedType

    if not args.pretrained:  # not in the guide: the offline stand-in, same names, random weights
        return common.keras_named_vgg16(common.image_size(args))
    zooModel = VGG16()
    pretrainedNet = zooModel.initPretrained(PretrainedType.IMAGENET)  # a ComputationGraph; no cast
    return pretrainedNet


def main(argv=None) -> int:
    args = common.parser(__doc__.split("\n")[0]).parse_args(argv)
    common.setup(args)
    pretrainedNet = import_zoo_model(args)
    print(pretrainedNet.summary())

    # Not in the guide: the vertices sections III and IV name, and one forward pass over the test images.
    conf = pretrainedNet.getConfiguration()
    for name in GUIDE_VERTICES:
        v = conf.vertices[name]
        print(f"vertex {name}: {type(getattr(v, 'layer', v)).__name__}")
    _, testIter = common.iterators(args)
    ds = testIter.next()
    predictions = pretrainedNet.output(ds.getFeatures())[0]
    print(f"output of 'predictions' for {ds.numExamples()} test images: shape {tuple(predictions.shape)}, "
          f"rows sum to {float(predictions.sum(axis=1).mean()):.4f}")
    common.done(args)
    return 0


if __name__ == "__main__":
    sys.exit(common.run_main(main))
