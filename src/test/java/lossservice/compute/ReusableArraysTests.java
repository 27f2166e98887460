package lossservice.compute;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Values go into ND4J and come back out unchanged, for kept arrays and for arrays from a workspace. */
class ReusableArraysTests {

    @Test
    void keptArraysHoldWhatWasCopiedIn() {
        float[] floats = {1.5f, -2.25f, 3e30f, Float.MIN_VALUE, 0f, -0f};
        INDArray array = ReusableArrays.copyOf("test-floats", floats, 2, 3);

        assertThat(array.toFloatMatrix()).isEqualTo(new float[][] {{1.5f, -2.25f, 3e30f}, {Float.MIN_VALUE, 0f, -0f}});
        assertThat(ReusableArrays.floatsOf(array)).containsExactly(floats);

        double[] doubles = {Math.PI, -1e300, 4.9e-324};
        assertThat(ReusableArrays.doublesOf(ReusableArrays.copyOf("test-doubles", doubles, 3, 1))).containsExactly(doubles);
        assertThat(ReusableArrays.copyOf("test-ints", new int[] {7, -1, 3}, 3).toIntVector()).containsExactly(7, -1, 3);
        assertThat(ReusableArrays.floatsOf(ReusableArrays.copyOf("test-rounded", new double[] {0.1, 2}, DataType.FLOAT, 2)))
                .containsExactly(0.1f, 2f);
    }

    @Test
    void largeArraysFromAWorkspaceHoldWhatWasCopiedIn() {
        int length = (int) ReusableArrays.MAX_KEPT_ELEMENTS + 3;
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = i * 0.5f - 7;
        }
        WorkspaceConfiguration configuration = WorkspaceConfiguration.builder().build();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(configuration, "test")) {
            Nd4j.createUninitialized(DataType.FLOAT, 5); // so that the copy does not start at the workspace's start
            INDArray array = ReusableArrays.copyOf("test-large", values, length);
            assertThat(array.isAttached()).isTrue();
            assertThat(array.getFloat(length - 1)).isEqualTo(values[length - 1]);
            assertThat(ReusableArrays.floatsOf(array)).containsExactly(values);
        }
    }

    @Test
    void viewsAreReadRowMajor() {
        INDArray matrix = ReusableArrays.copyOf("test-view", new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

        assertThat(ReusableArrays.floatsOf(ReusableArrays.transposed("test-view", matrix)))
                .containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(ReusableArrays.transposed("test-view", matrix)).isSameAs(ReusableArrays.transposed("test-view", matrix));
    }
}
