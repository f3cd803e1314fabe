// Live check of pydl4j_transfer.zipio against real DL4J 1.0.0-M2.1 (run by test_zipio_live_dl4j.py).
// Java source-file mode: java -cp "java/target/lib/*" tests/zipio/Nd4jCheck.java <mode> <dir>
//   make <dir>   write M2.1's own records (Nd4j.write) and model zips (ModelSerializer.writeModel)
//   check <dir>  Nd4j.read every *.bin and ModelSerializer.restoreMultiLayerNetwork every *.zip
import java.io.*;
import java.util.*;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class Nd4jCheck {
    static final INDArray INPUT = Nd4j.createFromArray(new float[][]{{0f, .1f, .2f, .3f}, {.4f, .5f, .6f, .7f}});

    static String vals(INDArray a) {
        return a == null ? "null" : a.isEmpty() ? "[]" : Arrays.toString(a.dup('c').data().asDouble());
    }

    static void write(File dir, String name, INDArray a) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new FileOutputStream(new File(dir, name + ".bin")))) {
            Nd4j.write(a, out);
        }
    }

    static void make(File dir) throws IOException {
        dir.mkdirs();
        write(dir, "row_float", Nd4j.createFromArray(new float[][]{{1f, 2f, 3f}}));
        write(dir, "mat_double_f", Nd4j.create(new double[]{1, 2, 3, 4, 5, 6}, new long[]{2, 3}, 'f'));
        write(dir, "t3_int", Nd4j.arange(24).castTo(DataType.INT).reshape(2, 3, 4));
        write(dir, "scalar_float", Nd4j.scalar(2.5f));
        write(dir, "empty_float", Nd4j.zeros(DataType.FLOAT, 0));
        write(dir, "permuted_float", Nd4j.arange(24).castTo(DataType.FLOAT).reshape(2, 3, 4).permute(2, 0, 1));
        for (DataType dt : new DataType[]{DataType.DOUBLE, DataType.FLOAT, DataType.HALF, DataType.BFLOAT16,
                DataType.LONG, DataType.INT, DataType.SHORT, DataType.BYTE, DataType.UBYTE, DataType.BOOL,
                DataType.UINT16, DataType.UINT32, DataType.UINT64})
            write(dir, "dtype_" + dt.name(), Nd4j.createFromArray(new double[]{0, 1, 0, 3, 4, 1}).reshape(2, 3).castTo(dt));

        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
            .updater(new Adam(1e-3)).list()
            .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                .activation(Activation.SOFTMAX).build())
            .build());
        net.init();
        net.fit(INPUT, Nd4j.createFromArray(new float[][]{{1, 0}, {0, 1}}));
        ModelSerializer.writeModel(net, new File(dir, "net.zip"), true);
        System.out.println("OUTPUT net.zip " + vals(net.output(INPUT)));
        MultiLayerNetwork net0 = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
            .layer(new ActivationLayer.Builder().activation(Activation.TANH).build())
            .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
            .build());
        net0.init();
        ModelSerializer.writeModel(net0, new File(dir, "net0.zip"), true);
    }

    static void check(File dir) {
        File[] files = dir.listFiles();
        Arrays.sort(files);
        for (File f : files) {
            String n = f.getName();
            try {
                if (n.endsWith(".bin")) {
                    try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(f)))) {
                        INDArray a = Nd4j.read(in);
                        System.out.println("ARRAY " + n + " " + a.dataType() + " " + Arrays.toString(a.shape()) + " " + vals(a));
                    }
                } else if (n.endsWith(".zip")) {
                    MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(f, true);
                    INDArray state = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
                    System.out.println("MODEL " + n + " " + net.numParams() + " " + vals(net.params()) + " " + vals(state));
                    if (net.numParams() > 0) System.out.println("OUTPUT " + n + " " + vals(net.output(INPUT)));
                }
            } catch (Throwable t) {
                System.out.println("FAILED " + n + " " + t);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        File dir = new File(args[1]);
        if (args[0].equals("make")) make(dir); else check(dir);
    }
}
