package io.conifer.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.Message;
import io.conifer.proto.QueryRequest;
import io.conifer.proto.UpdateRequest;
import io.conifer.proto.UpsertRequest;
import io.conifer.proto.Vector;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.curioswitch.common.protobuf.json.MessageMarshaller;
import org.junit.jupiter.api.Test;

/**
 * {@link DenseFloats} reads every dense vector exactly as protobuf-jackson's own parsing did before
 * it: the same float bits for every number, the same error for every bad body. The reference is the
 * marshaller alone, reading the whole body ({@code Double.parseDouble} then narrowing).
 */
class DenseFloatsTest {
    private static final MessageMarshaller REFERENCE = MessageMarshaller.builder().ignoringUnknownFields(true)
            .register(QueryRequest.getDefaultInstance()).register(UpsertRequest.getDefaultInstance())
            .register(UpdateRequest.getDefaultInstance()).build();

    /** What a body reads as: the message, or the first line of the deepest error (as a REST 400 shows it). */
    private record Outcome(Message message, String error) {}

    private static Outcome reference(String body, Message.Builder builder) {
        try {
            REFERENCE.mergeValue(body, builder);
            return new Outcome(builder.build(), null);
        } catch (Exception e) {
            return new Outcome(null, rootMessage(e));
        }
    }

    /** The server's read of the body's bytes; the String read (the fallback) must agree with it. */
    private static Outcome fast(String body, Message.Builder builder) {
        Outcome bytes;
        try {
            bytes = new Outcome(ProtoJson.read(body.getBytes(StandardCharsets.UTF_8), builder.clone()).build(), null);
        } catch (Exception e) {
            bytes = new Outcome(null, rootMessage(e));
        }
        Outcome chars;
        try {
            chars = new Outcome(ProtoJson.read(body, builder.clone()).build(), null);
        } catch (Exception e) {
            chars = new Outcome(null, rootMessage(e));
        }
        assertEquals(chars, bytes, body);
        return bytes;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + String.valueOf(root.getMessage()).lines().findFirst().orElse("");
    }

    private static void assertSameFloats(List<Float> expected, List<Float> actual, String body) {
        assertEquals(expected.size(), actual.size(), body);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(Float.floatToRawIntBits(expected.get(i)), Float.floatToRawIntBits(actual.get(i)),
                    () -> "value " + body + ": " + expected + " vs " + actual);
        }
    }

    /** Number texts where string → double → float is easy to get wrong: boundaries, signs, exponents, long mantissas. */
    private static List<String> edgeNumbers() {
        List<String> n = new ArrayList<>(List.of("0", "-0", "0.0", "-0.0", "0e0", "-0E-5", "0.000", "1", "-1", "1.0", "1e0", "1E+2", "1e-2",
                "123456789", "2147483647", "-2147483648", "2147483648", "9007199254740993", "9223372036854775807", "-9223372036854775808",
                "9223372036854775808", "123456789012345678901234567890", "-98765432109876543210987654321098765432",
                "3.4028235e38", "3.40282347e38", "3.4028235677973366e38", "3.4028236e38", "3.402826869208755e38", "3.4028268692087552e38",
                "-3.4028236e38", "3.4028270e38", "1e39", "-1e39", "1e308", "1.7976931348623157e308", "1e309", "-1e400", "1e-400",
                "1.4e-45", "1.401298464324817e-45", "7.006492321624085e-46", "7.006492321624086e-46", "7e-46", "1e-46", "-1e-46",
                "1.17549435e-38", "1.1754942e-38", "4.9e-324", "2.5e-324", "2.4703282292062328e-324",
                "0.1", "0.2", "0.30000000000000004", "0.33333333333333333333333333333", "1.00000005960464477539", "1.000000059604644775",
                "1.0000000596046448", "1.00000017881393432617", "16777217", "16777217.0", "16777219", "33554435", "0.1e1", "10e-1",
                "1" + "0".repeat(38), "1" + "0".repeat(39), "0." + "0".repeat(300) + "1", "1." + "3".repeat(1200), "1" + "0".repeat(1200)));
        // Around the 15-digit, ±22-exponent limits of the exact path, and exponents written oddly.
        n.addAll(List.of("123456789012345", "1234567890123456", "9007199254740992", "0.123456789012345", "0.1234567890123456",
                "-999999999999999e22", "999999999999999e-22", "1e22", "1e23", "1e-22", "1e-23", "0.0000000000000000000001", "1e0005",
                "1E-0", "-1.0E-5", "3.4e+38", "12.5e-1", "0.00000000000000000000000000001e30", "100000000000000000000000e-2"));
        for (int e = -50; e <= 40; e++) n.add("1.5e" + e);
        return n;
    }

    /**
     * Random floats written in every form a client sends: Java's and Python's shortest forms, more
     * digits than needed, exact decimals of doubles halfway between two floats (where rounding
     * twice differs from rounding once) and a hair either side of them.
     */
    private static List<String> generatedNumbers(int count) {
        Random random = new Random(20261127);
        List<String> n = new ArrayList<>();
        while (n.size() < count) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(f)) continue;
            float g = Math.nextUp(f);
            double half = ((double) f + (double) g) / 2;
            n.add(Float.toString(f));
            n.add(Double.toString((double) f));
            n.add(Double.toString(random.nextGaussian()));
            n.add(Float.toString((float) random.nextGaussian()));
            n.add(String.format(java.util.Locale.ROOT, "%.12e", random.nextGaussian() * Math.pow(10, random.nextInt(80) - 40)));
            if (Float.isFinite(g)) {
                String exact = new BigDecimal(half).toString().replace("E+", "e").replace("E", "e");
                n.add(exact);
                n.add(new BigDecimal(half).add(new BigDecimal(half).ulp().multiply(BigDecimal.valueOf(3)).movePointLeft(2)).toString().replace("E+", "e"));
                n.add(new BigDecimal(half).round(new java.math.MathContext(17)).toString().replace("E+", "e"));
                n.add(new BigDecimal(half).round(new java.math.MathContext(9 + random.nextInt(12))).toString().replace("E+", "e"));
            }
            n.add(Integer.toString(random.nextInt()));
            n.add(Long.toString(random.nextLong()));
            // 1 to 17 digits with a point anywhere and exponents around the exact path's ±22.
            StringBuilder someDigits = new StringBuilder();
            for (int d = random.nextInt(17); d >= 0; d--) someDigits.append((char) ('0' + random.nextInt(10)));
            String digits = someDigits.toString();
            int point = random.nextInt(digits.length() + 1);
            n.add((random.nextBoolean() ? "-" : "") + (point == 0 ? "0." + digits : digits.substring(0, point)
                    + (point < digits.length() ? "." + digits.substring(point) : "")) + "e" + (random.nextInt(61) - 30));
        }
        return n;
    }

    /**
     * The byte reader reads every JSON number of up to 64 characters, each to {@code Double.parseDouble}'s
     * very double (floats would hide a one-ulp slip), and gives up on anything that is not one.
     */
    @Test
    void theByteReaderGivesTheJdksDouble() {
        List<String> numbers = new ArrayList<>(edgeNumbers());
        numbers.addAll(generatedNumbers(40_000));
        Pattern json = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
        int read = 0;
        for (String s : numbers) {
            double d = DenseBytes.parse(s.getBytes(StandardCharsets.US_ASCII));
            boolean readable = json.matcher(s).matches() && s.length() <= DenseBytes.MAX_NUMBER_LENGTH;
            assertEquals(readable, !Double.isNaN(d), s);
            if (!readable) continue;
            read++;
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(d), s);
        }
        assertTrue(read > 30_000, "numbers read: " + read + " of " + numbers.size());
        for (String s : List.of("", "-", "+1", "01", "-01", ".5", "1.", "1e", "1e+", "1.e5", "--1", "1x", "0x10", "NaN", "Infinity", "-Infinity",
                "1 ", " 1", "1,", "1" + "0".repeat(64), "\"1\"", "null", "1e5.5", "١")) {
            assertTrue(Double.isNaN(DenseBytes.parse(s.getBytes(StandardCharsets.UTF_8))), s);
        }
    }

    /** Plain arrays are read from the bytes whatever their whitespace; anything else is left to the tokens, untouched. */
    @Test
    void theByteReaderTakesPlainArraysAndGivesUpOnAnythingElse() {
        for (String array : List.of("]", " ]", "1]", "1,2]", " 1 , -2.5e3 ,\n\t0 ]", "\r\n  1,\r\n  2\r\n]", "0.1,0.30000000000000004,1e-46,-0]")) {
            byte[] b = ("[" + array + ",\"next\":1}").getBytes(StandardCharsets.UTF_8);
            DenseBytes.Array a = DenseBytes.read(b, 1, b.length, 2);
            assertNotNull(a, array);
            assertEquals(']', b[a.close()], array);
            assertEquals(array.chars().filter(c -> c == ',').count() + (array.strip().equals("]") ? 0 : 1), a.size(), array);
        }
        for (String array : List.of("", "1", "1,", "1,]", "[1]]", "null]", "1,null]", "\"1\"]", "1 2]", "NaN]", "1e39]", "-1e39]",
                "3.4028270e38]", "{}]", "1,,2]", "1/*c*/]", "\u00a01]", "1\f]", "1" + "1".repeat(70) + "]")) {
            byte[] b = ("[" + array).getBytes(StandardCharsets.UTF_8);
            assertEquals(null, DenseBytes.read(b, 1, b.length, 2), array);
        }
    }

    /** Over a body's bytes the array's numbers never become Jackson tokens (Jackson counts those it returns); over a String they do. */
    @Test
    void overBytesTheArrayIsReadFromTheBytes() throws Exception {
        String body = "{\"vector\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20],\"topK\":3}";
        for (boolean bytes : new boolean[] {true, false}) {
            // Jackson counts tokens only when they are limited.
            JsonFactory factory = (bytes ? new BodyParser.Factory() : new JsonFactory())
                    .setStreamReadConstraints(StreamReadConstraints.builder().maxTokenCount(1_000).build());
            JsonParser p = bytes ? factory.createParser(body.getBytes(StandardCharsets.UTF_8)) : factory.createParser(body);
            QueryRequest.Builder query = QueryRequest.newBuilder();
            JsonParser dense = DenseFloats.over(p, query);
            dense.nextToken();
            assertEquals(JsonToken.VALUE_NUMBER_INT, dense.nextValue(), "topK's value, after the array");
            assertEquals(3, dense.getIntValue());
            assertEquals(bytes, p.currentTokenCount() < 10, "tokens: " + p.currentTokenCount());
            DenseFloats.addTo(dense, query);
            assertEquals(20, query.getVectorCount());
        }
    }

    /**
     * After reading an array from the bytes Jackson goes on from its end with its line count right,
     * so its locations (in the lines after an error's first) are the String parser's.
     */
    @Test
    void jacksonResumesAfterAByteArrayWithItsLocation() throws Exception {
        String body = "{\"vector\":[\n  1,\r\n  2,\r  3\n],\n\"topK\":\n oops}";
        String[] located = new String[2];
        for (int i = 0; i < 2; i++) {
            JsonParser p = i == 0 ? new BodyParser.Factory().createParser(body.getBytes(StandardCharsets.UTF_8)) : new JsonFactory().createParser(body);
            QueryRequest.Builder query = QueryRequest.newBuilder();
            JsonParser dense = DenseFloats.over(p, query);
            dense.nextToken();
            Exception e = assertThrows(Exception.class, () -> REFERENCE.mergeValue(dense, query));
            assertEquals(1, DenseFloats.addTo(dense, query));
            assertEquals(List.of(1f, 2f, 3f), query.getVectorList());
            located[i] = e.getMessage().replaceAll("Source: .*?;", "Source;");
        }
        assertTrue(located[0].contains("line: 7"), located[0]);
        assertEquals(located[1], located[0]);
    }

    /** Every generated and edge number, in query, upsert and update bodies, reads to the same float bits as before. */
    @Test
    void everyNumberReadsToTheSameFloatBitsAsTheMarshaller() throws Exception {
        List<String> numbers = new ArrayList<>(edgeNumbers());
        numbers.addAll(generatedNumbers(40_000));
        int checked = 0;
        for (int start = 0; start < numbers.size(); start += 257) {
            List<String> chunk = numbers.subList(start, Math.min(numbers.size(), start + 257));
            List<String> valid = new ArrayList<>();
            for (String s : chunk) {
                // Numbers out of float range are refused whole; compare them one by one below.
                Outcome alone = reference("{\"vector\":[" + s + "]}", QueryRequest.newBuilder());
                if (alone.error() == null) valid.add(s);
                else assertEquals(alone, fast("{\"vector\":[" + s + "]}", QueryRequest.newBuilder()), s);
            }
            String array = "[" + String.join(",", valid) + "]";
            String query = "{\"topK\":3,\"vector\":" + array + ",\"namespace\":\"n\"}";
            Outcome q = reference(query, QueryRequest.newBuilder());
            assertNotNull(q.message(), q.error());
            assertSameFloats(((QueryRequest) q.message()).getVectorList(),
                    ((QueryRequest) fast(query, QueryRequest.newBuilder()).message()).getVectorList(), array);
            String upsert = "{\"vectors\":[{\"id\":\"a\",\"values\":" + array + "},{\"values\":[" + String.join(",", valid.reversed())
                    + "],\"id\":\"b\"}]}";
            UpsertRequest expected = (UpsertRequest) reference(upsert, UpsertRequest.newBuilder()).message();
            UpsertRequest actual = (UpsertRequest) fast(upsert, UpsertRequest.newBuilder()).message();
            for (int v = 0; v < 2; v++) assertSameFloats(expected.getVectors(v).getValuesList(), actual.getVectors(v).getValuesList(), upsert);
            assertEquals(expected, actual);
            String pretty = "{\n  \"id\": \"a\",\n  \"values\": [\n    " + String.join(",\n    ", valid) + "\r\n  ]\n}";
            assertSameFloats(((UpdateRequest) reference(pretty, UpdateRequest.newBuilder()).message()).getValuesList(),
                    ((UpdateRequest) fast(pretty, UpdateRequest.newBuilder()).message()).getValuesList(), pretty);
            String update = "{\"id\":\"a\",\"values\":" + array + "}";
            assertSameFloats(((UpdateRequest) reference(update, UpdateRequest.newBuilder()).message()).getValuesList(),
                    ((UpdateRequest) fast(update, UpdateRequest.newBuilder()).message()).getValuesList(), update);
            checked += valid.size();
        }
        assertTrue(checked > 39_000, "numbers compared: " + checked);
    }

    /** Bodies with every kind of oddity around the dense arrays read to the same message or the same error. */
    @Test
    void oddBodiesReadOrFailAsBefore() {
        List<String> queries = List.of(
                "{\"vector\":null,\"topK\":1}", "{\"vector\":[],\"topK\":1}", "{\"vector\":[1],\"vector\":[2]}", "{\"vector\":null,\"vector\":[2]}",
                "{\"vector\":[1,null]}", "{\"vector\":[null]}", "{\"vector\":{\"a\":1}}", "{\"vector\":1}", "{\"vector\":\"1\"}", "{\"vector\":true}",
                "{\"vector\":[\"1.5\",\" 2 \",\"NaN\",\"Infinity\",\"-Infinity\",\"0x1p3\",\"1.5f\",\"1e39\"]}", "{\"vector\":[\"abc\"]}",
                "{\"vector\":[\"3.4028236e38\"]}", "{\"vector\":[\"1e39\"]}", "{\"vector\":[true]}", "{\"vector\":[[1]]}", "{\"vector\":[{\"a\":1}]}",
                "{\"vector\":[1,2,]}", "{\"vector\":[1 2]}", "{\"vector\":[01]}", "{\"vector\":[+1]}", "{\"vector\":[.5]}", "{\"vector\":[1.]}",
                "{\"vector\":[1e]}", "{\"vector\":[NaN]}", "{\"vector\":[-Infinity]}", "{\"vector\":[1,1e39,2]}", "{\"vector\":[-1e39]}",
                "{\"vector\":[1]", "{\"vector\":[1,", "{\"vector\":[1],\"topK\":\"x\"}", "{\"topK\":\"x\",\"vector\":[1e39]}",
                "{\"queries\":[{\"values\":[1.5,2]}],\"vector\":[3]}", "{\"unknown\":{\"vector\":[1e39]},\"vector\":[1]}",
                "{\"filter\":{\"vector\":[1e39]},\"vector\":[0.1]}", "{\"sparseVector\":{\"indices\":[1],\"values\":[0.5]},\"vector\":[0.25]}");
        for (String body : queries) assertEquals(reference(body, QueryRequest.newBuilder()), fast(body, QueryRequest.newBuilder()), body);

        List<String> upserts = List.of(
                "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2]},{\"id\":\"b\"},{\"id\":\"c\",\"values\":null},{\"id\":\"d\",\"values\":[3]}]}",
                "{\"vectors\":[{\"id\":\"a\",\"values\":[1],\"values\":[2]}]}", "{\"vectors\":[{\"values\":null,\"values\":[2]}]}",
                "{\"vectors\":[{\"id\":\"a\",\"values\":[1]},null]}", "{\"vectors\":[[1]]}", "{\"vectors\":null}", "{\"vectors\":{\"values\":[1]}}",
                "{\"vectors\":[{\"values\":[1]}],\"vectors\":[{\"values\":[2]}]}", "{\"values\":[1e39],\"vectors\":[]}",
                "{\"vectors\":[{\"id\":\"a\",\"values\":[1e39]}]}", "{\"vectors\":[{\"id\":\"a\",\"values\":[\"x\"]}]}",
                "{\"vectors\":[{\"id\":\"a\",\"metadata\":{\"values\":[1e39,\"x\"]},\"sparseValues\":{\"indices\":[2],\"values\":[1.5]},\"values\":[0.5]}]}",
                "{\"vectors\":[{\"id\":\"a\",\"other\":{\"values\":[1e39]},\"values\":[0.5]}],\"namespace\":\"n\"}",
                "{\"vectors\":[{\"id\":\"a\",\"values\":[0.5]},{\"id\":7}]}", "{\"vectors\":[{\"id\":\"a\",\"values\":[0.5,]}]}");
        for (String body : upserts) assertEquals(reference(body, UpsertRequest.newBuilder()), fast(body, UpsertRequest.newBuilder()), body);

        List<String> updates = List.of("{\"id\":\"a\",\"values\":[1,-0.0]}", "{\"id\":\"a\",\"values\":null}", "{\"values\":[1],\"values\":[1]}",
                "{\"id\":\"a\",\"values\":[1e39]}", "{\"id\":\"a\",\"sparseValues\":{\"indices\":[1],\"values\":[2]},\"values\":[3]}");
        for (String body : updates) assertEquals(reference(body, UpdateRequest.newBuilder()), fast(body, UpdateRequest.newBuilder()), body);
    }

    /** The arrays are read by {@code DenseFloats}, not left to the marshaller (which would give the same answer, slowly). */
    @Test
    void theDenseArraysAreReadByDenseFloats() throws Exception {
        JsonFactory json = new JsonFactory();
        UpsertRequest.Builder upsert = UpsertRequest.newBuilder();
        JsonParser parser = DenseFloats.over(json.createParser(
                "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2]},{\"id\":\"b\",\"sparseValues\":{\"indices\":[1],\"values\":[3]}},"
                        + "{\"id\":\"c\",\"values\":[0.5]}]}"), upsert);
        parser.nextToken();
        REFERENCE.mergeValue(parser, upsert);
        assertEquals(0, upsert.getVectors(0).getValuesCount(), "the marshaller did not see the values");
        assertEquals(2, DenseFloats.addTo(parser, upsert));
        assertEquals(List.of(Vector.newBuilder().setId("a").addValues(1).addValues(2).build(), upsert.getVectors(1),
                Vector.newBuilder().setId("c").addValues(0.5f).build()), upsert.build().getVectorsList());
        assertEquals(3f, upsert.getVectors(1).getSparseValues().getValues(0));

        QueryRequest.Builder query = QueryRequest.newBuilder();
        parser = DenseFloats.over(json.createParser("{\"vector\":[0.25,-1],\"topK\":2}"), query);
        parser.nextToken();
        REFERENCE.mergeValue(parser, query);
        assertEquals(1, DenseFloats.addTo(parser, query));
        assertEquals(List.of(0.25f, -1f), query.getVectorList());
    }
}
