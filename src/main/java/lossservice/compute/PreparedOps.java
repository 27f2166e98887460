package lossservice.compute;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J custom operations kept per thread together with their native context.
 *
 * <p>{@code Nd4j.exec(customOp)} creates a native context, copies every array's pointers and every argument
 * into freshly allocated native memory, runs the operation and frees it all again: 10 to 30 us whatever the
 * size, which is most of a small batch's time. Run on a context prepared once, the same operation costs about
 * 3 us. A thread that runs an operation again for the same role, on the same arrays (which
 * {@link ReusableArrays} hands out again for the same shape) and with the same parameters, reuses both;
 * anything else prepares them anew and frees the old context.
 */
public final class PreparedOps {

    /** For operations whose only parameters are their arrays. */
    public static final double[] NO_PARAMETERS = new double[0];

    private record Prepared(CustomOp op, OpContext context, INDArray[] inputs, INDArray[] outputs,
                            double[] parameters) {
    }

    private static final ThreadLocal<Map<String, Prepared>> KEPT = ThreadLocal.withInitial(HashMap::new);

    private PreparedOps() {
    }

    /**
     * Runs the operation that {@code build} makes from these arrays. {@code parameters} are every other value
     * {@code build} puts into the operation (a scale, an on/off value): the prepared operation is reused only
     * when they and the arrays (by identity) are the ones it was made with.
     */
    public static void exec(String role, INDArray[] inputs, INDArray[] outputs, double[] parameters,
                            Supplier<? extends CustomOp> build) {
        Map<String, Prepared> kept = KEPT.get();
        Prepared prepared = kept.get(role);
        if (prepared == null || !sameArrays(prepared.inputs(), inputs) || !sameArrays(prepared.outputs(), outputs)
                || !Arrays.equals(prepared.parameters(), parameters)) {
            if (prepared != null) {
                close(prepared.context());
            }
            prepared = prepare(build.get(), inputs, outputs, parameters);
            kept.put(role, prepared);
        }
        Nd4j.getExecutioner().exec(prepared.op(), prepared.context());
    }

    /** product = left * right element-wise, with ND4J's broadcasting of a row or a column. */
    public static void multiply(String role, INDArray left, INDArray right, INDArray product) {
        exec(role, new INDArray[] {left, right}, new INDArray[] {product}, NO_PARAMETERS,
                () -> new MulOp(new INDArray[] {left, right}, new INDArray[] {product}));
    }

    /** quotient = dividend / divisor element-wise, with ND4J's broadcasting of a row or a column. */
    public static void divide(String role, INDArray dividend, INDArray divisor, INDArray quotient) {
        exec(role, new INDArray[] {dividend, divisor}, new INDArray[] {quotient}, NO_PARAMETERS,
                () -> new DivOp(new INDArray[] {dividend, divisor}, new INDArray[] {quotient}));
    }

    private static Prepared prepare(CustomOp op, INDArray[] inputs, INDArray[] outputs, double[] parameters) {
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(inputs);
        context.setOutputArrays(outputs);
        context.setIArguments(op.iArgs());
        context.setTArguments(op.tArgs());
        context.setBArguments(op.bArgs());
        context.setDArguments(op.dArgs());
        return new Prepared(op, context, inputs.clone(), outputs.clone(), parameters.clone());
    }

    private static boolean sameArrays(INDArray[] kept, INDArray[] given) {
        if (kept.length != given.length) {
            return false;
        }
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] != given[i]) {
                return false;
            }
        }
        return true;
    }

    private static void close(OpContext context) {
        try {
            context.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing an ND4J operation context failed", e);
        }
    }
}
