package lossservice.losses.kldivergence;

import lossservice.compute.Scratch;
import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.transforms.dtype.Cast;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The distillation loss {@code T^2 KL(softmax(t / T) || softmax(s / T))}, exactly as
 * {@code F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), log_target=True) * T**2}, computed with ND4J on
 * rows of C (K-dimensional logits arrive as N * d1 * .. * dk rows, see {@code ClassRows}).
 *
 * <p>Each input is max-shifted before it is divided by T, {@code z = (x - max x) / T}: subtracting a row's own
 * maximum is exact for the logits of a row (rows offset by -3e4 keep every digit of their differences, where
 * {@code x / T} would round the offset logits first), and {@code exp(z)} neither overflows nor loses the row's
 * largest term (logits of +-1e4 give exactly 0 and 1 where they should).
 * With {@code e = exp(z)} and {@code S = sum_c e} per row, {@code log_softmax = z - log S} and, since the teacher's
 * probabilities sum to 1,
 * <pre>
 *   KL_i      = sum_c pt_ic (lt_ic - ls_ic) = sum_c pt_ic (zt_ic - zs_ic) + log(Ss_i / St_i)
 *   L_i       = T^2 KL_i
 *   dL/ds_ij  = T (ps_ij - pt_ij)            (batchmean: / N, mean: / N C d1..dk)
 * </pre>
 * with {@code pt = et / St} and {@code ps = es / Ss} (divisions, never {@code exp} of a log-softmax). No
 * logarithm of a probability is ever taken: a teacher probability that underflows to 0 multiplies the finite
 * {@code zt - zs} and contributes exactly 0, as the log-target form of torch does. The two log-sum-exps enter only
 * through the logarithm of their ratio, a number between 1/C and C, which is also what makes identical inputs
 * give exactly 0 (and a zero gradient): the two rows are then computed by the same operations on the same numbers.
 *
 * <p>Every request is computed in float64; a float32 request's inputs are widened on the way in and its results
 * rounded once on the way out. In float32 the logarithm of the ratio carries the rounding of the exponentials
 * (a few 1e-8) and T^2 multiplies it, while the divergence of close distributions shrinks: measured against
 * float64, a float32 computation missed the float32 tolerance by 2.7x at T = 4 and by up to 117x at T = 20
 * (student and teacher logits 0.01 to 0.3 apart). A cancellation-free float32 form would need {@code expm1} and
 * {@code log1p}, which ND4J computes as {@code exp(x) - 1} and {@code log(1 + x)} (measured: expm1(1e-8) = 0 in
 * float32).
 *
 * <p>The loss is always the sum of the per-position losses, in one order, whatever the request asks for. As in
 * the cross-entropy kernel, the custom operations (row maxima, row sums as matrix-vector products, divisions,
 * products) run prepared on arrays kept by the worker's {@link Scratch}, and the max shift is a BLAS rank-1 update.
 */
final class KlDivergenceKernel {

    /**
     * Below this many numbers a change of precision is a Java loop (a few nanoseconds a number); above it, ND4J's
     * cast (a prepared operation costs about 3 us, then a fraction of a nanosecond a number).
     */
    private static final int CONVERT_IN_JAVA_BELOW = 4096;

    private static final Scratch.Slot CLASS_ONES = Scratch.slot("kl.classOnes");
    private static final Scratch.Slot ROW_ONES = Scratch.slot("kl.rowOnes");
    private static final Scratch.Slot STUDENT_INPUT = Scratch.slot("kl.studentInput");
    private static final Scratch.Slot STUDENT = Scratch.slot("kl.student");
    private static final Scratch.Slot STUDENT_MAX = Scratch.slot("kl.studentMax");
    private static final Scratch.Slot STUDENT_EXP = Scratch.slot("kl.studentExp");
    private static final Scratch.Slot STUDENT_SUM = Scratch.slot("kl.studentSum");
    private static final Scratch.Slot TEACHER_INPUT = Scratch.slot("kl.teacherInput");
    private static final Scratch.Slot TEACHER = Scratch.slot("kl.teacher");
    private static final Scratch.Slot TEACHER_MAX = Scratch.slot("kl.teacherMax");
    private static final Scratch.Slot TEACHER_EXP = Scratch.slot("kl.teacherExp");
    private static final Scratch.Slot TEACHER_SUM = Scratch.slot("kl.teacherSum");
    private static final Scratch.Slot TEACHER_PROBABILITIES = Scratch.slot("kl.teacherProbabilities");
    private static final Scratch.Slot PRODUCTS = Scratch.slot("kl.products");
    private static final Scratch.Slot SUM_RATIO = Scratch.slot("kl.sumRatio");
    private static final Scratch.Slot PER_SAMPLE = Scratch.slot("kl.perSample");
    private static final Scratch.Slot STUDENT_PROBABILITIES = Scratch.slot("kl.studentProbabilities");
    private static final Scratch.Slot GRADIENT = Scratch.slot("kl.gradient");
    private static final Scratch.Slot TEACHER_PROBABILITIES_OUT = Scratch.slot("kl.teacherProbabilitiesOut");
    private static final Scratch.Slot STUDENT_PROBABILITIES_OUT = Scratch.slot("kl.studentProbabilitiesOut");
    private static final Scratch.Slot GRADIENT_OUT = Scratch.slot("kl.gradientOut");

    /**
     * One computation, on rows of C.
     *
     * @param student      rows x C, the student's logits
     * @param teacher      rows x C, the teacher's logits
     * @param denominator  what the sum is divided by: N (batchmean), the element count (mean) or 1
     */
    record Rows(Tensor student, Tensor teacher, double temperature, double denominator,
                boolean wantTeacherProbabilities, boolean wantStudentProbabilities, boolean wantPerSample,
                boolean wantGradient) {
    }

    /**
     * What was computed, in the precision of the inputs, rows of C (per-sample losses: one per row), null where not
     * asked for; {@code loss} is the sum divided.
     */
    record Computed(double loss, Tensor perSample, Tensor teacherProbabilities, Tensor studentProbabilities,
                    Tensor gradient) {
    }

    private KlDivergenceKernel() {
    }

    static Computed compute(Rows in, Scratch scratch) {
        int n = in.student().dimension(0);
        int c = in.student().dimension(1);
        double temperature = in.temperature();
        DType precision = in.student().dtype();
        DataType type = DataType.DOUBLE;
        OpExecutioner nd4j = Nd4j.getExecutioner();
        INDArray classOnes = scratch.ones(CLASS_ONES, type, c);

        // z = (x - max x) / T, e = exp(z), S = e 1 for each input
        INDArray zs = tempered(scratch, STUDENT_INPUT, STUDENT, STUDENT_MAX, in.student(), n, c, temperature,
                classOnes);
        INDArray es = scratch.array(STUDENT_EXP, type, n, c);
        nd4j.exec(new Exp(zs, es));
        INDArray ss = scratch.array(STUDENT_SUM, type, n, 1);
        scratch.rowSums(STUDENT_SUM, es, classOnes, ss, 1.0, 0.0);
        INDArray zt = tempered(scratch, TEACHER_INPUT, TEACHER, TEACHER_MAX, in.teacher(), n, c, temperature,
                classOnes);
        INDArray et = scratch.array(TEACHER_EXP, type, n, c);
        nd4j.exec(new Exp(zt, et));
        INDArray st = scratch.array(TEACHER_SUM, type, n, 1);
        scratch.rowSums(TEACHER_SUM, et, classOnes, st, 1.0, 0.0);
        INDArray pt = scratch.array(TEACHER_PROBABILITIES, type, n, c);
        scratch.divide(TEACHER_PROBABILITIES, et, st, pt);

        // L_i = T^2 [sum_c pt (zt - zs) + log(Ss / St)]: zt becomes zt - zs, et the products.
        scratch.axpy((long) n * c, -1.0, zs, zt);
        scratch.multiply(PRODUCTS, pt, zt, et);
        INDArray perSample = scratch.array(PER_SAMPLE, type, n, 1);
        scratch.divide(SUM_RATIO, ss, st, perSample);
        nd4j.exec(new Log(perSample, perSample));
        double squared = temperature * temperature;
        scratch.rowSums(PER_SAMPLE, et, classOnes, perSample, squared, squared);
        double loss = scratch.dot(n, 1.0, perSample, scratch.ones(ROW_ONES, type, n)) / in.denominator();

        // ps = es / Ss into zs's array, the gradient into es's: neither is read again.
        INDArray ps = null;
        if (in.wantStudentProbabilities() || in.wantGradient()) {
            ps = zs;
            scratch.divide(STUDENT_PROBABILITIES, es, ss, ps);
        }
        Tensor gradient = null;
        if (in.wantGradient()) {
            // dL/ds = T (ps - pt) / denominator
            INDArray rowsGradient = es;
            INDArray studentProbabilities = ps;
            scratch.exec(GRADIENT, new INDArray[] {ps, pt}, new INDArray[] {rowsGradient}, Scratch.NO_PARAMETERS,
                    () -> new SubOp(new INDArray[] {studentProbabilities, pt}, new INDArray[] {rowsGradient}));
            double scale = temperature / in.denominator();
            if (scale != 1.0) {
                scratch.scal(rowsGradient.length(), scale, rowsGradient);
            }
            gradient = rounded(scratch, GRADIENT_OUT, rowsGradient, precision, n, c);
        }
        return new Computed(loss, in.wantPerSample() ? rounded(Scratch.tensorOf(perSample, n), precision) : null,
                in.wantTeacherProbabilities() ? rounded(scratch, TEACHER_PROBABILITIES_OUT, pt, precision, n, c)
                        : null,
                in.wantStudentProbabilities() ? rounded(scratch, STUDENT_PROBABILITIES_OUT, ps, precision, n, c)
                        : null,
                gradient);
    }

    /**
     * The logits as float64 rows in {@code slot}, max-shifted row by row and divided by T in place. A float32 tensor
     * is widened in Java when it is small, else copied as it is into {@code inputSlot} and widened by ND4J's cast.
     */
    private static INDArray tempered(Scratch scratch, Scratch.Slot inputSlot, Scratch.Slot slot, Scratch.Slot maxSlot,
            Tensor logits, int n, int c, double temperature, INDArray classOnes) {
        INDArray z;
        if (logits.dtype() == DType.FLOAT64) {
            z = scratch.copyOf(slot, logits, DataType.DOUBLE, n, c);
        } else if (logits.size() < CONVERT_IN_JAVA_BELOW) {
            z = scratch.copyOf(slot, converted(logits, DType.FLOAT64), DataType.DOUBLE, n, c);
        } else {
            INDArray narrow = scratch.copyOf(inputSlot, logits, DataType.FLOAT, n, c);
            z = scratch.array(slot, DataType.DOUBLE, n, c);
            cast(scratch, slot, narrow, z);
        }
        INDArray shifted = z;
        INDArray rowMax = scratch.array(maxSlot, DataType.DOUBLE, n, 1);
        scratch.exec(maxSlot, new INDArray[] {shifted}, new INDArray[] {rowMax}, Scratch.NO_PARAMETERS,
                () -> DynamicCustomOp.builder("reduce_max").addInputs(shifted).addOutputs(rowMax)
                        .addIntegerArguments(1).addBooleanArguments(true).build());
        // z_ij -= max_i, as the rank-1 update z^T += -1 ones max^T (BLAS ger on the transpose; ND4J's ger takes
        // the leading dimension from size(0), which is right for column-major arrays only).
        Nd4j.getBlasWrapper().level2().ger('f', -1.0, classOnes, rowMax, scratch.transposed(slot, z));
        if (temperature != 1.0) {
            Nd4j.getBlasWrapper().level1().scal(z.length(), 1.0 / temperature, z);
        }
        return z;
    }

    /** {@code to} = {@code from} converted to the type of {@code to}, by a cast prepared in the slot. */
    private static void cast(Scratch scratch, Scratch.Slot slot, INDArray from, INDArray to) {
        scratch.exec(slot, new INDArray[] {from}, new INDArray[] {to}, Scratch.NO_PARAMETERS, () -> {
            Cast cast = new Cast(from, to.dataType());
            cast.addOutputArgument(to);
            return cast;
        });
    }

    /**
     * A float64 rows x C result in the precision of the request: rounded to float32 when it is float32, in Java when
     * it is small, else by ND4J's cast.
     */
    private static Tensor rounded(Scratch scratch, Scratch.Slot slot, INDArray result, DType precision, int n, int c) {
        if (precision == DType.FLOAT64) {
            return Scratch.tensorOf(result, n, c);
        }
        if ((long) n * c < CONVERT_IN_JAVA_BELOW) {
            return converted(Scratch.tensorOf(result, n, c), precision);
        }
        INDArray narrow = scratch.array(slot, DataType.FLOAT, n, c);
        cast(scratch, slot, result, narrow);
        return Scratch.tensorOf(narrow, n, c);
    }

    /** A float64 vector of one number per row in the precision of the request. */
    private static Tensor rounded(Tensor perRow, DType precision) {
        return precision == DType.FLOAT64 ? perRow : converted(perRow, precision);
    }

    /** The same numbers in another precision (rounded to nearest, as ND4J's cast does). */
    private static Tensor converted(Tensor tensor, DType precision) {
        Tensor converted = Tensor.allocate(precision, tensor.shape());
        for (int i = 0; i < tensor.size(); i++) {
            converted.set(i, tensor.get(i));
        }
        return converted;
    }

}
