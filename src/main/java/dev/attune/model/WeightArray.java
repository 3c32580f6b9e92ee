package dev.attune.model;

import java.util.Arrays;

/**
 * One named weight as plain Java data: a Hugging Face parameter name, a shape and float32 values in row-major
 * order. Weight readers produce these, so they are checked in Java before anything reaches native code.
 */
public record WeightArray(String name, long[] shape, float[] data) {
    public WeightArray {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != data.length) {
            throw new WeightFormatException(name + ": shape " + Arrays.toString(shape) + " needs " + n
                    + " values, found " + data.length);
        }
    }

    /** Throws, naming {@code source}, this tensor and the first offending index, when a value is NaN or infinite. */
    public void requireFinite(String source) {
        requireFinite(java.nio.FloatBuffer.wrap(data), source, name);
    }

    /** As {@link #requireFinite(String)}, for tensor {@code name}'s values from the buffer's position to its limit. */
    static void requireFinite(java.nio.FloatBuffer values, String source, String name) {
        for (int i = values.position(); i < values.limit(); i++) {
            float v = values.get(i);
            if (!Float.isFinite(v)) {
                throw new WeightFormatException(source + ": tensor " + name + " holds a non-finite value (" + v
                        + " at index " + (i - values.position()) + "); the weights are corrupt or came from a diverged run");
            }
        }
    }

    public int rows() {
        return (int) shape[0];
    }

    public int cols() {
        return shape.length < 2 ? 1 : (int) shape[1];
    }

    /** The transpose of a 2-D weight (readers use it for [in, out] kernels stored by ONNX and TensorFlow). */
    public WeightArray transposed() {
        if (shape.length != 2) throw new WeightFormatException(name + ": cannot transpose a " + shape.length + "-D tensor");
        int r = rows(), c = cols();
        float[] out = new float[data.length];
        for (int i = 0; i < r; i++) {
            int base = i * c;
            for (int j = 0; j < c; j++) out[j * r + i] = data[base + j];
        }
        return new WeightArray(name, new long[] {c, r}, out);
    }

    public WeightArray renamed(String newName) {
        return new WeightArray(newName, shape, data);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
