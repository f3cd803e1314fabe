package org.pydl4j.transfer.compat;

import java.util.Map;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitUtil;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A user-defined SameDiff layer, as a DL4J user would write one (the pattern of DL4J's own
 * SameDiff-layer examples): {@code activation(x W + b) * mask} over [mb, nIn] input. Used by the tests of
 * pydl4j_transfer.register_samediff: its zips hold Java code Python cannot read, the user supplies the forward.
 */
public class ExampleSameDiffDense extends SameDiffLayer {
    private long nIn;
    private long nOut;
    private Activation activation;

    public ExampleSameDiffDense() {
        // for Jackson
    }

    public ExampleSameDiffDense(long nIn, long nOut, Activation activation) {
        this.nIn = nIn;
        this.nOut = nOut;
        this.activation = activation;
        this.weightInit = WeightInit.XAVIER;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(nOut);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("W", nIn, nOut);
        params.addBiasParam("b", 1, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        WeightInitUtil.initWeights(nIn, nOut, params.get("W").shape(), weightInit, null, 'c', params.get("W"));
        params.get("b").assign(0.1);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> paramTable, SDVariable mask) {
        SDVariable z = layerInput.mmul(paramTable.get("W")).add(paramTable.get("b"));
        return activation.asSameDiff(sd, z).mul(mask);
    }

    public long getNIn() { return nIn; }
    public void setNIn(long nIn) { this.nIn = nIn; }
    public long getNOut() { return nOut; }
    public void setNOut(long nOut) { this.nOut = nOut; }
    public Activation getActivation() { return activation; }
    public void setActivation(Activation activation) { this.activation = activation; }
}
