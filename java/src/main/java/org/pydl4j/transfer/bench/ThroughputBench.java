package org.pydl4j.transfer.bench;

import java.io.File;
import java.util.Arrays;
import java.util.Locale;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.pydl4j.transfer.Facade;

/**
 * DL4J's side of bench/throughput.py: output() and fit() times of a MultiLayerNetwork.
 *
 * <p>Usage: {@code ThroughputBench MODEL.zip INPUT.npy OUTPUT.npy REPS_OUTPUT REPS_FIT N_OUT}: restores the zip
 * Python wrote (same params), runs output() on the same input (written to OUTPUT.npy for the
 * engines' difference) and fit() on one-hot labels over the output layer's nOut. Prints one JSON
 * line with every timing in seconds (warm-up repetitions included; the runner drops them).
 */
public final class ThroughputBench {
    private ThroughputBench() {}

    public static void main(String[] args) throws Exception {
        Model net = Facade.restore(args[0], false);
        INDArray x = Nd4j.createFromNpyFile(new File(args[1]));
        int repsOut = Integer.parseInt(args[3]);
        int repsFit = Integer.parseInt(args[4]);
        int nOut = Integer.parseInt(args[5]);
        int batch = (int) x.size(0);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, nOut);
        for (int i = 0; i < batch; i++) y.putScalar(i, i % nOut, 1.0);
        DataSet ds = new DataSet(x, y);
        double[] out = new double[repsOut];
        for (int i = 0; i < repsOut; i++) {
            long a = System.nanoTime();
            INDArray o = Facade.output(net, new INDArray[] {x}, false)[0];
            o.sumNumber();  // make sure the result is materialised
            out[i] = (System.nanoTime() - a) / 1e9;
            if (i == 0) Nd4j.writeAsNumpy(o, new File(args[2]));
        }
        double[] fit = new double[repsFit];
        for (int i = 0; i < repsFit; i++) {
            long a = System.nanoTime();
            if (net instanceof ComputationGraph) ((ComputationGraph) net).fit(ds);
            else ((MultiLayerNetwork) net).fit(ds);
            fit[i] = (System.nanoTime() - a) / 1e9;
        }
        System.out.printf(Locale.ROOT, "{\"output_s\": %s, \"fit_s\": %s, \"num_params\": %d, \"score\": %s}%n",
                Arrays.toString(out), Arrays.toString(fit), net.numParams(), Double.toString(net.score()));
    }
}
