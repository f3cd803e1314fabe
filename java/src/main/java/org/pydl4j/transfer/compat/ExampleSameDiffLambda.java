package org.pydl4j.transfer.compat;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A user-defined SameDiff lambda layer (no parameters): {@code x * sigmoid(x)} scaled by {@code scale}. */
public class ExampleSameDiffLambda extends SameDiffLambdaLayer {
    private double scale = 1.0;

    public ExampleSameDiffLambda() {
        // for Jackson
    }

    public ExampleSameDiffLambda(double scale) {
        this.scale = scale;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x) {
        return x.mul(sd.nn().sigmoid(x)).mul(scale);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    public double getScale() { return scale; }
    public void setScale(double scale) { this.scale = scale; }
}
