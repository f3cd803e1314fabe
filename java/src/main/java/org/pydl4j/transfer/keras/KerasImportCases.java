package org.pydl4j.transfer.keras;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelUtils;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The judge of pydl4j_transfer.keras: runs DL4J 1.0.0-M2.1's own Keras importer over a list of cases and
 * writes what it made, for tests/keras/ to compare with the Python importer.
 *
 * <p>Usage: {@code KerasImportCases cases.tsv outDir}. Each line of cases.tsv is tab-separated:
 * {@code id kind enforce path [weightsPath] [input.npy,...]} with kind one of
 * {@code seq-h5, model-h5, seq-json, model-json, seq-config, model-config}. Per case it writes
 * {@code id.json} (the configuration DL4J's importer built, toJson() before any init), and for cases with
 * weights {@code id.zip} (ModelSerializer, no updater) and {@code id.out<k>.npy} (output(input, false) per
 * input), or {@code id.err} (the exception's class and message). Each finished case prints
 * {@code DONE id} so the caller can tell which case a crashed JVM died on.
 *
 * <p>What differs from {@code KerasModelImport.import...AndWeights}: those call
 * {@code getMultiLayerNetwork()/getComputationGraph()}, i.e. {@code init()} then
 * {@code KerasModelUtils.copyWeightsToModel}. {@code init()} draws every parameter from its weight init
 * first, and Keras's {@code orthogonal} initializer (DL4J's OrthogonalDistribution) goes through ND4J's native
 * SVD, which crashes or hangs the JVM on this machine for some sizes (shared/keras/README.md). Here the
 * network is initialised with a zero parameter vector ({@code init(params, false)} draws nothing) and then
 * DL4J's own {@code copyWeightsToModel} overwrites every parameter, so the result is the same network.
 */
public final class KerasImportCases {
    private KerasImportCases() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: KerasImportCases cases.tsv outDir");
            System.exit(2);
        }
        Path out = Paths.get(args[1]);
        Files.createDirectories(out);
        List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        for (String line : lines) {
            if (line.trim().isEmpty()) continue;
            String[] f = line.split("\t", -1);
            String id = f[0];
            try {
                runCase(f, out);
            } catch (Throwable t) {
                StringWriter sw = new StringWriter();
                t.printStackTrace(new PrintWriter(sw));
                String err = t.getClass().getName() + "\n" + t.getMessage() + "\n" + sw;
                Files.write(out.resolve(id + ".err"), err.getBytes(StandardCharsets.UTF_8));
            }
            System.out.println("DONE " + id);
            System.out.flush();
        }
    }

    private static void runCase(String[] f, Path out) throws Exception {
        String id = f[0];
        String kind = f[1];
        boolean enforce = Boolean.parseBoolean(f[2]);
        String path = f[3];
        String weights = f.length > 4 ? f[4] : "";
        String inputs = f.length > 5 ? f[5] : "";
        boolean sequential = kind.startsWith("seq");

        KerasModelBuilder builder = sequential ? new KerasSequentialModel().modelBuilder() : new KerasModel().modelBuilder();
        if (kind.endsWith("-h5")) {
            builder.modelHdf5Filename(path).enforceTrainingConfig(enforce);
        } else if (kind.endsWith("-json")) {
            // KerasModelImport's (json, weights) forms: weightsHdf5FilenameNoRoot
            builder.modelJsonFilename(path).weightsHdf5FilenameNoRoot(weights).enforceTrainingConfig(enforce);
        } else {
            builder.modelJsonFilename(path).enforceTrainingConfig(enforce);
        }
        KerasModel keras = sequential ? builder.buildSequential() : builder.buildModel();

        Model model;
        String json;
        if (sequential) {
            MultiLayerConfiguration conf = ((KerasSequentialModel) keras).getMultiLayerConfiguration();
            json = conf.toJson();
            Files.write(out.resolve(id + ".json"), json.getBytes(StandardCharsets.UTF_8));
            if (kind.endsWith("-config")) return;
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            long n = numParams(conf);
            if (n > 0) net.init(Nd4j.zeros(conf.getDataType(), 1, n), false); else net.init();
            model = KerasModelUtils.copyWeightsToModel(net, keras.getLayers());
        } else {
            ComputationGraphConfiguration conf = keras.getComputationGraphConfiguration();
            json = conf.toJson();
            Files.write(out.resolve(id + ".json"), json.getBytes(StandardCharsets.UTF_8));
            if (kind.endsWith("-config")) return;
            ComputationGraph net = new ComputationGraph(conf);
            long n = numParams(conf);
            if (n > 0) net.init(Nd4j.zeros(conf.getDataType(), 1, n), false); else net.init();
            model = KerasModelUtils.copyWeightsToModel(net, keras.getLayers());
        }
        ModelSerializer.writeModel(model, new File(out.resolve(id + ".zip").toString()), false);
        if (inputs.isEmpty()) return;
        String[] files = inputs.split(",");
        INDArray[] in = new INDArray[files.length];
        for (int i = 0; i < files.length; i++) {
            in[i] = Nd4j.createFromNpyFile(new File(files[i])).castTo(DataType.FLOAT);
        }
        INDArray[] outs;
        try {
            if (model instanceof MultiLayerNetwork) {
                outs = new INDArray[] {((MultiLayerNetwork) model).output(in[0], false)};
            } else {
                outs = ((ComputationGraph) model).output(false, in);
            }
        } catch (Exception e) {  // the import worked; running the network did not
            String err = e.getClass().getName() + "\n" + e.getMessage() + "\n";
            Files.write(out.resolve(id + ".outerr"), err.getBytes(StandardCharsets.UTF_8));
            // once more without inference workspaces (M2.1's workspace handling NPEs on some imported networks)
            try {
                if (model instanceof MultiLayerNetwork) {
                    MultiLayerNetwork m = (MultiLayerNetwork) model;
                    m.getLayerWiseConfigurations().setInferenceWorkspaceMode(WorkspaceMode.NONE);
                    outs = new INDArray[] {m.output(in[0], false)};
                } else {
                    ComputationGraph g = (ComputationGraph) model;
                    g.getConfiguration().setInferenceWorkspaceMode(WorkspaceMode.NONE);
                    outs = g.output(false, in);
                }
                Files.write(out.resolve(id + ".noworkspace"), new byte[0]);
            } catch (Exception e2) {
                return;
            }
        }
        for (int k = 0; k < outs.length; k++) {
            Nd4j.writeAsNumpy(outs[k].dup('c'), new File(out.resolve(id + ".out" + k + ".npy").toString()));
        }
    }

    private static long numParams(MultiLayerConfiguration conf) {
        long n = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            n += conf.getConf(i).getLayer().initializer().numParams(conf.getConf(i));
        }
        return n;
    }

    private static long numParams(ComputationGraphConfiguration conf) {
        long n = 0;
        for (org.deeplearning4j.nn.conf.graph.GraphVertex v : conf.getVertices().values()) {
            n += v.numParams(true);
        }
        return n;
    }
}
