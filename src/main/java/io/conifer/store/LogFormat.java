package io.conifer.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The pieces every record shape's log records are written with, so they read back alike. */
public final class LogFormat {
    private LogFormat() {}

    /** What writes one log record's fields. */
    @FunctionalInterface
    public interface Fields {
        void write(DataOutputStream out) throws IOException;
    }

    public static byte[] record(Fields fields) {
        return record(256, fields);
    }

    /** {@code expectedBytes}: about what the record takes, so a large one is not built by repeated copying. */
    public static byte[] record(int expectedBytes, Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(expectedBytes);
            DataOutputStream out = new DataOutputStream(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record starts with its kind and its namespace. */
    public static void writeHeader(DataOutputStream out, byte kind, String namespace) throws IOException {
        out.writeByte(kind);
        out.writeUTF(namespace);
    }

    public static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) out.writeUTF(s);
    }

    public static List<String> readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(in.readUTF());
        return out;
    }

    /** Big-endian floats, as {@link DataOutputStream#writeFloat} writes them, in one write. */
    public static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length);
        bytes.asFloatBuffer().put(values);
        out.write(bytes.array());
    }

    public static float[] readFloats(DataInputStream in, int count) throws IOException {
        byte[] bytes = new byte[4 * count];
        in.readFully(bytes);
        float[] values = new float[count];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
        return values;
    }

    /** Length-prefixed bytes; null is written as length -1. */
    public static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) out.write(b);
    }

    public static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
