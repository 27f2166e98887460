package lossservice.compute;

import static org.assertj.core.api.Assertions.assertThat;

import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A worker's scratch memory: values go into ND4J and come back unchanged, kept arrays and prepared operations are
 * reused for the same slot and shape and replaced for another, and closing it releases what it kept.
 */
class ScratchTests {

    private static final Scratch.Slot FLOATS = Scratch.slot("test.floats");
    private static final Scratch.Slot DOUBLES = Scratch.slot("test.doubles");
    private static final Scratch.Slot INTS = Scratch.slot("test.ints");
    private static final Scratch.Slot ROUNDED = Scratch.slot("test.rounded");
    private static final Scratch.Slot LARGE = Scratch.slot("test.large");
    private static final Scratch.Slot VIEW = Scratch.slot("test.view");
    private static final Scratch.Slot MULTIPLY = Scratch.slot("test.multiply");
    private static final Scratch.Slot ROW_SUMS = Scratch.slot("test.rowSums");

    private final Scratch scratch = new Scratch();

    @AfterEach
    void release() {
        scratch.close();
    }

    @Test
    void keptArraysHoldWhatWasCopiedIn() {
        Tensor floats = Tensor.of(DType.FLOAT32, new int[] {2, 3}, 1.5, -2.25, 3e30, Float.MIN_VALUE, 0, -0.0);
        INDArray array = scratch.copyOf(FLOATS, floats, DataType.FLOAT, 2, 3);

        assertThat(array.toFloatMatrix()).isEqualTo(new float[][] {{1.5f, -2.25f, 3e30f}, {Float.MIN_VALUE, 0f, -0f}});
        assertThat(Scratch.tensorOf(array, 2, 3).bytes()).isEqualTo(floats.bytes());

        Tensor doubles = Tensor.of(DType.FLOAT64, new int[] {3, 1}, Math.PI, -1e300, 4.9e-324);
        assertThat(Scratch.tensorOf(scratch.copyOf(DOUBLES, doubles, DataType.DOUBLE, 3, 1), 3).bytes())
                .isEqualTo(doubles.bytes());
        assertThat(scratch.copyOf(INTS, new int[] {7, -1, 3}, 3).toIntVector()).containsExactly(7, -1, 3);
        Tensor rounded = Scratch.tensorOf(scratch.copyOf(ROUNDED, new double[] {0.1, 2}, DataType.FLOAT, 2), 2);
        assertThat(rounded.getFloat(0)).isEqualTo(0.1f);
        assertThat(rounded.getFloat(1)).isEqualTo(2f);
    }

    @Test
    void float64ValuesGoIntoAFloat32ArrayRounded() {
        Tensor doubles = Tensor.of(DType.FLOAT64, new int[] {2}, 0.1, 1e-300);
        INDArray array = scratch.copyOf(ROUNDED, doubles, DataType.FLOAT, 2);

        assertThat(array.toFloatVector()).containsExactly(0.1f, 0f);
    }

    @Test
    void theSameSlotAndShapeGiveTheSameArrayAndAnotherShapeANewOne() {
        INDArray first = scratch.array(FLOATS, DataType.FLOAT, 2, 3);

        assertThat(scratch.array(FLOATS, DataType.FLOAT, 2, 3)).isSameAs(first);
        INDArray other = scratch.array(FLOATS, DataType.FLOAT, 3, 2);
        assertThat(other).isNotSameAs(first);
        assertThat(first.wasClosed()).as("the array it replaced is released").isTrue();
    }

    @Test
    void largeArraysComeFromTheWorkspaceAndHoldWhatWasCopiedIn() {
        int length = (int) Scratch.MAX_KEPT_ELEMENTS + 3;
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = i * 0.5f - 7;
        }
        Tensor tensor = Tensor.of(DType.FLOAT32, new int[] {length}, values);
        try (MemoryWorkspace ignored = scratch.openWorkspace()) {
            Nd4j.createUninitialized(DataType.FLOAT, 5); // so that the copy does not start at the workspace's start
            INDArray array = scratch.copyOf(LARGE, tensor, DataType.FLOAT, length);
            assertThat(array.isAttached()).isTrue();
            assertThat(array.getFloat(length - 1)).isEqualTo((float) values[length - 1]);
            assertThat(Scratch.tensorOf(array, length).bytes()).isEqualTo(tensor.bytes());
        }
    }

    @Test
    void viewsAreReadRowMajorAndKeptForTheSameMatrix() {
        INDArray matrix = scratch.copyOf(VIEW, Tensor.of(DType.FLOAT32, new int[] {2, 3}, 1, 2, 3, 4, 5, 6),
                DataType.FLOAT, 2, 3);

        Tensor transposed = Scratch.tensorOf(scratch.transposed(VIEW, matrix), 3, 2);
        assertThat(new float[] {transposed.getFloat(0), transposed.getFloat(1), transposed.getFloat(2),
            transposed.getFloat(3), transposed.getFloat(4), transposed.getFloat(5)}).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(scratch.transposed(VIEW, matrix)).isSameAs(scratch.transposed(VIEW, matrix));
    }

    @Test
    void aPreparedOperationComputesWithTheArraysItIsGivenEachTime() {
        INDArray left = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        INDArray right = Nd4j.createFromArray(new float[][] {{-10, 0}, {10, 10}});
        INDArray product = Nd4j.createUninitialized(DataType.FLOAT, 2, 2);

        scratch.multiply(MULTIPLY, left, right, product);
        assertThat(product.toFloatMatrix()).isEqualTo(new float[][] {{-10, 0}, {30, 40}});
        left.putScalar(1, 0, 5f);
        left.putScalar(1, 1, 6f);
        scratch.multiply(MULTIPLY, left, right, product);
        assertThat(product.toFloatMatrix()).isEqualTo(new float[][] {{-10, 0}, {50, 60}});
    }

    @Test
    void otherArraysOrParametersForTheSameSlotGetAnOperationOfTheirOwn() {
        INDArray product = Nd4j.createUninitialized(DataType.FLOAT, 2, 2);
        scratch.multiply(MULTIPLY, Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}}),
                Nd4j.createFromArray(new float[][] {{2, 2}, {2, 2}}), product);
        INDArray wider = Nd4j.createUninitialized(DataType.FLOAT, 1, 3);
        scratch.multiply(MULTIPLY, Nd4j.createFromArray(new float[][] {{1, 2, 3}}),
                Nd4j.createFromArray(new float[][] {{3, 3, 3}}), wider);
        assertThat(wider.toFloatMatrix()).isEqualTo(new float[][] {{3, 6, 9}});
        assertThat(product.toFloatMatrix()).isEqualTo(new float[][] {{2, 4}, {6, 8}});

        INDArray matrix = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 1);
        INDArray rowSums = Nd4j.zeros(DataType.FLOAT, 2, 1);
        scaledRowSums(matrix, ones, rowSums, 1.0);
        assertThat(rowSums.toFloatVector()).containsExactly(3, 7);
        scaledRowSums(matrix, ones, rowSums, -2.0);
        assertThat(rowSums.toFloatVector()).containsExactly(-6, -14);
        scaledRowSums(matrix, ones, rowSums, 1.0);
        assertThat(rowSums.toFloatVector()).containsExactly(3, 7);
    }

    @Test
    void closingReleasesEveryKeptArray() {
        INDArray kept = scratch.array(FLOATS, DataType.FLOAT, 4, 4);
        INDArray ones = scratch.ones(DOUBLES, DataType.DOUBLE, 8);

        scratch.close();

        assertThat(kept.wasClosed()).isTrue();
        assertThat(ones.wasClosed()).isTrue();
    }

    private void scaledRowSums(INDArray matrix, INDArray ones, INDArray rowSums, double alpha) {
        scratch.exec(ROW_SUMS, new INDArray[] {matrix, ones}, new INDArray[] {rowSums}, new double[] {alpha},
                () -> new Mmul(matrix, ones, rowSums, alpha, 0.0, MMulTranspose.allFalse()));
    }
}
