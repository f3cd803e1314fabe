package org.pydl4j.transfer.bench;

import java.io.File;
import java.util.Arrays;
import java.util.Locale;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.VGG16;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's side of bench/zip_io.py: ModelSerializer write and restore times of a VGG16-size model.
 *
 * <p>Usage: {@code ZipBench make OUT.zip} builds zoo VGG16 (random init, 138M params) and writes
 * it once with DL4J; {@code ZipBench time IN.zip REPS} restores and rewrites it REPS times and
 * prints one JSON line with every timing in seconds. JVM start and ND4J init are not inside the
 * timed regions; the first repetition is reported but the runner treats it as warm-up.
 */
public final class ZipBench {
    private ZipBench() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Nd4j.create(1);  // ND4J native init, outside every timed region
        double initS = (System.nanoTime() - t0) / 1e9;
        if (args.length == 2 && args[0].equals("make")) {
            ComputationGraph net = VGG16.builder().seed(12345L).numClasses(1000).build().init();
            ModelSerializer.writeModel(net, new File(args[1]), false);
            System.out.printf(Locale.ROOT, "{\"num_params\": %d, \"nd4j_init_s\": %.4f}%n", net.numParams(), initS);
            return;
        }
        if (args.length != 3 || !args[0].equals("time")) {
            System.err.println("usage: ZipBench make OUT.zip | ZipBench time IN.zip REPS");
            System.exit(2);
        }
        File in = new File(args[1]);
        int reps = Integer.parseInt(args[2]);
        double[] read = new double[reps];
        double[] write = new double[reps];
        File out = File.createTempFile("zipbench", ".zip", in.getAbsoluteFile().getParentFile());
        out.deleteOnExit();
        long numParams = 0;
        for (int i = 0; i < reps; i++) {
            System.gc();
            long a = System.nanoTime();
            ComputationGraph net = ModelSerializer.restoreComputationGraph(in, false);
            long b = System.nanoTime();
            ModelSerializer.writeModel(net, out, false);
            long c = System.nanoTime();
            read[i] = (b - a) / 1e9;
            write[i] = (c - b) / 1e9;
            numParams = net.numParams();
        }
        System.out.printf(Locale.ROOT, "{\"num_params\": %d, \"nd4j_init_s\": %.4f, \"read_s\": %s, \"write_s\": %s}%n",
                numParams, initS, Arrays.toString(read), Arrays.toString(write));
    }
}
