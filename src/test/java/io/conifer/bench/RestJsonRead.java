package io.conifer.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.google.protobuf.Internal;
import com.google.protobuf.Message;
import io.conifer.proto.UpsertRequest;
import io.conifer.proto.Vector;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Thread CPU of reading one REST upsert body (100 × 768 by default) into the request message and
 * from there into the float arrays the service hands on, with the server's own reader
 * ({@code api.data.ProtoJson}), in process. Bodies in the two forms clients write: {@code Float.toString}
 * (Java, JS; what {@code ./conifer bench} sends) and 17-digit doubles (Python). Each variant runs in
 * turn, round by round, so a shared machine's load falls on all alike; the median round is the figure.
 * Variants: the body decoded to a String and read from its chars (what {@code RestRoutes} did before
 * branch restjson; since then only the fallback for bodies that are not well-formed UTF-8 or do not read,
 * and without the char-level fast path it had), read from its bytes (when {@code ProtoJson} has that), and
 * Jackson's tokenising alone over bytes and over chars (what a token-by-token read stands on). {@code ./conifer bench json [VECTORS DIM ROUNDS]}, default 100 768 15.
 */
public final class RestJsonRead {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final JsonFactory JSON = new JsonFactory();
    private static final int READS_PER_ROUND = 40;

    @FunctionalInterface
    private interface Read {
        Object run(byte[] body) throws Exception;
    }

    private record Variant(String name, Read read, double[] micros) {}

    public static void main(String[] args) throws Exception {
        int vectors = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 768;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Class<?> protoJson = Class.forName("io.conifer.api.data.ProtoJson");
        Method fromString = protoJson.getDeclaredMethod("read", String.class, Message.Builder.class);
        fromString.setAccessible(true);
        Method fromBytes = null;
        try {
            fromBytes = protoJson.getDeclaredMethod("read", byte[].class, Message.Builder.class);
            fromBytes.setAccessible(true);
        } catch (NoSuchMethodException e) {
            System.out.println("(no ProtoJson.read(byte[], Builder) in this build)");
        }
        Random random = new Random(42);
        for (boolean python : new boolean[] {false, true}) {
            byte[] body = body(random, vectors, dim, python);
            List<Variant> variants = new ArrayList<>();
            variants.add(new Variant("String + read(chars) + floats", b -> floats(fromString.invoke(null,
                    new String(b, StandardCharsets.UTF_8), UpsertRequest.newBuilder())), new double[rounds]));
            Method bytes = fromBytes;
            if (bytes != null) {
                variants.add(new Variant("read(bytes) + floats", b -> floats(bytes.invoke(null, b, UpsertRequest.newBuilder())),
                        new double[rounds]));
                variants.add(new Variant("read(bytes) only", b -> bytes.invoke(null, b, UpsertRequest.newBuilder()), new double[rounds]));
            }
            variants.add(new Variant("tokens only, bytes", b -> tokens(JSON.createParser(b)), new double[rounds]));
            variants.add(new Variant("tokens only, String", b -> tokens(JSON.createParser(new String(b, StandardCharsets.UTF_8))),
                    new double[rounds]));
            float[][] expected = floats(fromString.invoke(null, new String(body, StandardCharsets.UTF_8), UpsertRequest.newBuilder()));
            if (bytes != null && !Arrays.deepEquals(expected, floats(bytes.invoke(null, body, UpsertRequest.newBuilder())))) {
                throw new AssertionError("bytes and String reads differ");
            }
            System.out.printf(Locale.ROOT, "%s body: %d x %d, %,d bytes%n", python ? "Python (17 digits)" : "Float.toString", vectors, dim,
                    body.length);
            for (int w = 0; w < 5; w++) for (Variant v : variants) time(v.read(), body);
            for (int r = 0; r < rounds; r++) {
                // Rotate the order so no variant always runs right after another.
                for (int i = 0; i < variants.size(); i++) {
                    Variant v = variants.get((i + r) % variants.size());
                    v.micros()[r] = time(v.read(), body);
                }
            }
            double base = median(variants.get(0).micros());
            for (Variant v : variants) {
                double m = median(v.micros());
                System.out.printf(Locale.ROOT, "  %-32s %8.0f µs CPU per body  %6.2f µs per vector  %.2fx the first%n", v.name(), m,
                        m / vectors, m / base);
            }
        }
    }

    /** The request as the service turns it into float arrays (one per record). */
    private static float[][] floats(Object builder) {
        UpsertRequest request = ((UpsertRequest.Builder) builder).build();
        float[][] out = new float[request.getVectorsCount()][];
        for (int i = 0; i < out.length; i++) {
            Vector v = request.getVectors(i);
            Internal.FloatList list = (Internal.FloatList) v.getValuesList();
            float[] f = new float[list.size()];
            for (int j = 0; j < f.length; j++) f[j] = list.getFloat(j);
            out[i] = f;
        }
        return out;
    }

    private static int tokens(JsonParser p) throws Exception {
        int n = 0;
        while (p.nextToken() != null) n += p.getTextLength();
        return n;
    }

    /** Median thread CPU per read over one round. */
    private static double time(Read read, byte[] body) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        Object sink = null;
        for (int i = 0; i < READS_PER_ROUND; i++) sink = read.run(body);
        if (sink == null) throw new AssertionError();
        return (THREADS.getCurrentThreadCpuTime() - start) / 1e3 / READS_PER_ROUND;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static byte[] body(Random random, int vectors, int dim, boolean python) {
        StringBuilder json = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < vectors; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\",\"values\":[");
            for (int d = 0; d < dim; d++) {
                float f = (float) random.nextGaussian();
                json.append(d == 0 ? "" : ",");
                if (python) json.append((double) f + random.nextGaussian() * 1e-9);
                else json.append(f);
            }
            json.append("],\"metadata\":{\"genre\":\"drama\",\"year\":").append(1990 + i % 30).append("}}");
        }
        return json.append("],\"namespace\":\"ns\"}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
