package org.pydl4j.transfer.compat;

import java.util.Map;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A user-defined SameDiff vertex: a learned per-feature gate {@code g}, {@code out = sigmoid(g) * a + (1 - sigmoid(g)) * b}. */
public class ExampleSameDiffVertex extends SameDiffVertex {
    private long size;

    public ExampleSameDiffVertex() {
        // for Jackson
    }

    public ExampleSameDiffVertex(long size) {
        this.size = size;
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        params.defineInputs("a", "b");
        params.addWeightParam("g", 1, size);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("g").assign(0.5);
    }

    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> layerInput, Map<String, SDVariable> paramTable,
                                   Map<String, SDVariable> maskVars) {
        SDVariable gate = sd.nn().sigmoid(paramTable.get("g"));
        return layerInput.get("a").mul(gate).add(layerInput.get("b").mul(gate.rsub(1.0)));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
        return new Pair<>(maskArrays == null ? null : maskArrays[0], currentMaskState);
    }

    @Override
    public GraphVertex clone() {
        ExampleSameDiffVertex v = new ExampleSameDiffVertex(size);
        return v;
    }

    public long getSize() { return size; }
    public void setSize(long size) { this.size = size; }
}
