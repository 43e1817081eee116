package io.conifer.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.conifer.proto.CreateNamespaceRequest;
import io.conifer.proto.DeleteRequest;
import io.conifer.proto.DescribeIndexStatsResponse;
import io.conifer.proto.FetchByMetadataResponse;
import io.conifer.proto.FetchResponse;
import io.conifer.proto.ListItem;
import io.conifer.proto.ListNamespacesResponse;
import io.conifer.proto.ListResponse;
import io.conifer.proto.MetadataFieldProperties;
import io.conifer.proto.MetadataSchema;
import io.conifer.proto.NamespaceDescription;
import io.conifer.proto.NamespaceSummary;
import io.conifer.proto.Pagination;
import io.conifer.proto.QueryRequest;
import io.conifer.proto.QueryResponse;
import io.conifer.proto.ScoredVector;
import io.conifer.proto.SparseValues;
import io.conifer.proto.UpdateRequest;
import io.conifer.proto.UpdateResponse;
import io.conifer.proto.UpsertRequest;
import io.conifer.proto.UpsertResponse;
import io.conifer.proto.Usage;
import io.conifer.proto.Vector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The REST JSON of every data-plane message, read and written in one pass each. */
class ProtoJsonTest {
    private static final String UNICODE_ID = "é漢\uD83D\uDE00";

    private static String write(Message m, boolean countsAsStrings) throws Exception {
        return new String(ProtoJson.write(m, countsAsStrings), StandardCharsets.UTF_8);
    }

    private static Value number(double v) {
        return Value.newBuilder().setNumberValue(v).build();
    }

    private static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static final Struct METADATA = Struct.newBuilder()
            .putFields("year", number(2012))
            .putFields("rating", number(4.5))
            .putFields("tags", Value.newBuilder().setListValue(ListValue.newBuilder().addValues(string("a")).addValues(string("b"))).build())
            .putFields("new", Value.newBuilder().setBoolValue(true).build())
            .putFields("none", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
            .build();

    /** Every response survives write then read unchanged (the reader accepts what the writer makes). */
    @Test
    void everyResponseRoundTrips() throws Exception {
        Vector full = Vector.newBuilder().setId(UNICODE_ID).addAllValues(List.of(0.1f, -2.5f, 3.4028235e38f, 1.4e-45f))
                .setSparseValues(SparseValues.newBuilder().addIndices(0).addIndices(-1).addValues(0.5f).addValues(7f))
                .setMetadata(METADATA).build();
        List<Message> responses = List.of(
                UpsertResponse.newBuilder().setUpsertedCount(100).build(),
                QueryResponse.newBuilder().setNamespace("ns").setUsage(Usage.newBuilder().setReadUnits(1))
                        .addMatches(ScoredVector.newBuilder().setId(UNICODE_ID).setScore(0.99f).addValues(1f)
                                .setSparseValues(full.getSparseValues()).setMetadata(METADATA))
                        .addMatches(ScoredVector.newBuilder().setId("b").setScore(-1e-30f)).build(),
                FetchResponse.newBuilder().setNamespace("").putVectors(UNICODE_ID, full).setUsage(Usage.newBuilder().setReadUnits(1)).build(),
                FetchByMetadataResponse.newBuilder().putVectors("a", full).setPagination(Pagination.newBuilder().setNext("tok")).build(),
                UpdateResponse.newBuilder().setMatchedRecords(0).build(),
                ListResponse.newBuilder().addVectors(ListItem.newBuilder().setId("x/../y")).setPagination(Pagination.newBuilder().setNext("t")).build(),
                DescribeIndexStatsResponse.newBuilder().putNamespaces("", NamespaceSummary.newBuilder().setVectorCount(3).build())
                        .setDimension(768).setIndexFullness(0f).setTotalVectorCount(3).setMetric("cosine").setVectorType("dense")
                        .setMemoryFullness(0f).build(),
                ListNamespacesResponse.newBuilder().setTotalCount(1).addNamespaces(NamespaceDescription.newBuilder()
                        .setName("__default__").setRecordCount(-1).setSizeBytes(Long.MAX_VALUE)
                        .setSchema(MetadataSchema.newBuilder().putFields("genre", MetadataFieldProperties.newBuilder().setFilterable(true).build())))
                        .build());
        for (Message m : responses) {
            for (boolean counts : new boolean[] {false, true}) {
                String json = write(m, counts);
                assertEquals(m, ProtoJson.read(json, m.newBuilderForType()).build(), json);
                assertEquals(m, ProtoJson.read(ProtoJson.write(m, counts), m.newBuilderForType()).build(), json);
            }
        }
    }

    @Test
    void requestsAreReadByProtoOrCamelCaseNamesIgnoringUnknownFields() throws Exception {
        QueryRequest q = ProtoJson.read("{\"vector\":[1,\"2.5\",3e1],\"top_k\":\"10\",\"includeMetadata\":true,\"include_values\":\"true\","
                + "\"namespace\":\"" + UNICODE_ID + "\",\"unknown\":{\"a\":[1,{\"b\":null}]},"
                + "\"filter\":{\"$and\":[{\"genre\":{\"$eq\":\"drama\"}},{\"year\":{\"$gte\":2000}}]}}", QueryRequest.newBuilder()).build();
        assertEquals(List.of(1f, 2.5f, 30f), q.getVectorList());
        assertEquals(10, q.getTopK());
        assertTrue(q.getIncludeMetadata() && q.getIncludeValues());
        assertEquals(UNICODE_ID, q.getNamespace());
        assertEquals(2000.0, q.getFilter().getFieldsOrThrow("$and").getListValue().getValues(1).getStructValue()
                .getFieldsOrThrow("year").getStructValue().getFieldsOrThrow("$gte").getNumberValue());

        UpsertRequest u = ProtoJson.read("{\"vectors\":[{\"id\":\"a\",\"values\":[3.4028235e38,-0.0],\"sparseValues\":{\"indices\":[4294967295],"
                + "\"values\":[1]},\"metadata\":{\"big\":9007199254740993,\"nested\":{\"x\":[\"y\"]}}}],\"namespace\":null}",
                UpsertRequest.newBuilder()).build();
        Vector v = u.getVectors(0);
        assertEquals(List.of(Float.MAX_VALUE, -0.0f), v.getValuesList());
        assertEquals(-1, v.getSparseValues().getIndices(0), "uint32 4294967295");
        assertEquals(9007199254740992.0, v.getMetadata().getFieldsOrThrow("big").getNumberValue());
        assertEquals("y", v.getMetadata().getFieldsOrThrow("nested").getStructValue().getFieldsOrThrow("x").getListValue()
                .getValues(0).getStringValue());
        assertEquals("", u.getNamespace());

        assertEquals(UpdateRequest.newBuilder().setId("a").setDryRun(true).setFilter(Struct.newBuilder().putFields("k", number(1))).build(),
                ProtoJson.read("{\"id\":\"a\",\"dryRun\":true,\"filter\":{\"k\":1}}", UpdateRequest.newBuilder()).build());
        assertEquals(DeleteRequest.newBuilder().setDeleteAll(true).build(),
                ProtoJson.read("{\"delete_all\":true}", DeleteRequest.newBuilder()).build());
        assertEquals("ns", ProtoJson.read("{\"name\":\"ns\",\"schema\":{\"fields\":{\"g\":{\"filterable\":true}}}}",
                CreateNamespaceRequest.newBuilder()).build().getName());
        assertEquals(QueryRequest.getDefaultInstance(), ProtoJson.read("", QueryRequest.newBuilder()).build(), "an empty body");
        assertEquals(QueryRequest.getDefaultInstance(), ProtoJson.read(" \n", QueryRequest.newBuilder()).build());
    }

    /** The messages a malformed body gets: the words of the parsers transcoding used, so clients see no change. */
    @Test
    void malformedBodiesAreRefusedWithTheParsersWords() {
        assertRefused("{broken", "Unexpected character ('b' (code 98)): was expecting double-quote to start field name");
        assertRefused("{vectors:[]}", "Unexpected character ('v' (code 118)): was expecting double-quote to start field name");
        assertRefused("{\"vector\":[NaN],\"topK\":1}", "Non-standard token 'NaN'");
        assertRefused("{\"vector\":[1e39],\"topK\":1}", "Out of range float value: 1e39");
        assertRefused("{\"vector\":[1],\"topK\":-1}", "Out of range uint32 value: -1");
        assertRefused("{\"vector\":[1],\"topK\":2.5}", "Rounding necessary");
        assertRefused("{\"vector\":[1],\"topK\":\"ten\"}", "Character t is neither a decimal digit number");
        assertRefused("{\"vector\":[1],\"includeValues\":1}", "Invalid bool value: 1");
        assertRefused("{\"vector\":[1],\"filter\":\"x\"}", "Expected start of object, got: x");
        assertRefused("{\"vector\":{\"a\":1}}", "Expected an array but found: START_OBJECT");
        assertRefused("{\"vector\":[1,null]}", "Repeated field elements cannot be null");
        assertRefused("null", "Unexpected JSON: null, (expected: ObjectNode or null).");
        assertRefused("[1,2]", "Unexpected JSON: [1,2], (expected: ObjectNode or null).");
        assertRefused("{\"vector\":[1]", "Unexpected end-of-input");
        assertRefused("{\"filter\":" + "{\"$and\":[".repeat(60) + "{}" + "]}".repeat(60) + "}", "recursion limit");
    }

    private static void assertRefused(String body, String message) {
        for (boolean bytes : new boolean[] {false, true}) {
            Exception e = assertThrows(Exception.class, () -> {
                if (bytes) ProtoJson.read(body.getBytes(StandardCharsets.UTF_8), QueryRequest.newBuilder());
                else ProtoJson.read(body, QueryRequest.newBuilder());
            });
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            assertTrue(e instanceof InvalidProtocolBufferException || e instanceof com.fasterxml.jackson.core.JsonProcessingException, e.toString());
            assertTrue(String.valueOf(root.getMessage()).contains(message), body + " -> " + root.getMessage());
        }
    }

    /** What a body reads as: the message's bytes (bit-exact floats), or the error's class and whole message. */
    private record Outcome(com.google.protobuf.ByteString message, String error) {}

    private static Outcome outcome(ThrowingRead read) {
        try {
            return new Outcome(read.read().build().toByteString(), null);
        } catch (Exception e) {
            return new Outcome(null, e.getClass().getName() + ": " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface ThrowingRead {
        Message.Builder read() throws Exception;
    }

    /** Reading a body's bytes gives what reading {@code new String(bytes, UTF_8)} gave: message, error class and words. */
    private static void assertReadAsTheString(byte[] body, Message.Builder prototype) {
        Outcome bytes = outcome(() -> ProtoJson.read(body, prototype.clone()));
        Outcome string = outcome(() -> ProtoJson.read(new String(body, StandardCharsets.UTF_8), prototype.clone()));
        assertEquals(string, bytes, () -> java.util.HexFormat.of().formatHex(body));
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(a, a.length + middle.length + c.length);
        System.arraycopy(middle, 0, out, a.length, middle.length);
        System.arraycopy(c, 0, out, a.length + middle.length, c.length);
        return out;
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    /**
     * Bodies that are not well-formed UTF-8 (the String had U+FFFD for the bad bytes), that are
     * another encoding, start with a byte-order mark, or put odd things where numbers go, read from
     * their bytes exactly as they read from their String.
     */
    @Test
    void oddBytesReadAsTheirStringDid() {
        String upsert = "{\"vectors\":[{\"id\":\"a\",\"values\":[0.5,-1e-3],\"metadata\":{\"k\":\"";
        List<byte[]> inString = List.of(bytes(0xFF), bytes(0xC0, 0x80), bytes(0xC1, 0xBF), bytes(0xE0, 0x80, 0x80), bytes(0xED, 0xA0, 0x80),
                bytes(0xED, 0xBF, 0xBF), bytes(0xF4, 0x90, 0x80, 0x80), bytes(0xF5, 0x80, 0x80, 0x80), bytes(0xF8, 0x88, 0x80, 0x80, 0x80),
                bytes(0xE2, 0x82), bytes(0x80), bytes(0xC3), bytes(0xC3, 0xA9), bytes(0xF0, 0x9F, 0x98, 0x80), bytes(0xEF, 0xBF, 0xBD),
                bytes(0xEF, 0xBB, 0xBF), bytes(0x00), bytes(0x1F), bytes(0x7F));
        for (byte[] odd : inString) {
            assertReadAsTheString(concat(upsert, odd, "\"}}]}"), UpsertRequest.newBuilder());
            assertReadAsTheString(concat("{\"vectors\":[{\"id\":\"", odd, "\",\"values\":[1]}]}"), UpsertRequest.newBuilder());
            assertReadAsTheString(concat("{\"vector\":[1,", odd, "2],\"topK\":1}"), QueryRequest.newBuilder());
            assertReadAsTheString(concat("{\"vector\":[1,2]", odd, ",\"topK\":1}"), QueryRequest.newBuilder());
            assertReadAsTheString(concat("", odd, "{\"topK\":1}"), QueryRequest.newBuilder());
        }
        String query = "{\"vector\":[1.5,-0,2],\"topK\":3,\"namespace\":\"n\u00e9\"}";
        for (java.nio.charset.Charset c : List.of(StandardCharsets.UTF_16, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                java.nio.charset.Charset.forName("UTF-32LE"), java.nio.charset.Charset.forName("UTF-32BE"), StandardCharsets.ISO_8859_1)) {
            assertReadAsTheString(query.getBytes(c), QueryRequest.newBuilder());
        }
        for (String body : List.of("", " ", "\uFEFF", "\uFEFF" + query, "\uFEFF\uFEFF" + query, " \uFEFF" + query, query + "\uFEFF", query + " x",
                "{\"vector\":[\"1.5\",\"NaN\",\"-Infinity\"],\"topK\":1}", "{\"vector\":[1,null],\"topK\":1}", "{\"vector\":[null]}",
                "{\"vector\":[1e39]}", "{\"vector\":[1,2,]}", "{\"vector\":[01]}", "{\"vector\":[1" + "0".repeat(1200) + "]}",
                "{\"vector\":[é]}", "{\"vector\":[1é]}", "{\"vector\":[1]é}", "{\"é\":[1],\"vector\":[\u00a02]}", "[1,2]", "null", "1",
                "{\"vector\":[1]}{\"vector\":[2]}", "{\"vector\":[1]} x", "{\"vector\":[1],\"vector\":[2]}", "{\"topK\":1,\"vector\":[1]")) {
            assertReadAsTheString(body.getBytes(StandardCharsets.UTF_8), QueryRequest.newBuilder());
        }
    }

    /** A valid upsert body with one to three random bytes changed reads from its bytes as from its String, every time. */
    @Test
    void mutatedBodiesReadAsTheirStringDid() {
        byte[] valid = ("{\"vectors\":[{\"id\":\"v\u00e9-1\",\"values\":[0.1, -2.5e-3,\n 3,1E2],\"metadata\":{\"genre\":\"drama\",\"year\":2012}},"
                + "{\"id\":\"b\",\"values\":[-0.0,1.401298464324817e-45,0.30000000000000004],\"sparseValues\":{\"indices\":[1],\"values\":[2]}}],"
                + "\"namespace\":\"ns\"}").getBytes(StandardCharsets.UTF_8);
        java.util.Random random = new java.util.Random(20261128);
        byte[] alphabet = "0123456789-+.eE,[]{}\" :n\r\t\u0000\u007f".getBytes(StandardCharsets.UTF_8);
        int read = 0;
        for (int round = 0; round < 5_000; round++) {
            byte[] body = valid.clone();
            for (int k = random.nextInt(3); k >= 0; k--) {
                body[random.nextInt(body.length)] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            assertReadAsTheString(body, UpsertRequest.newBuilder());
            if (outcome(() -> ProtoJson.read(body, UpsertRequest.newBuilder())).error() == null) read++;
        }
        assertTrue(read > 500, "bodies that still read: " + read);
    }

    @Test
    void wholeMetadataNumbersAreWrittenAsIntegersWhileExact() throws Exception {
        Struct metadata = Struct.newBuilder().putFields("y", number(2012)).putFields("n", number(-3)).putFields("f", number(0.5))
                .putFields("z", number(-0.0)).putFields("max", number(0x1p53)).putFields("over", number(0x1p53 + 2))
                .putFields("l", Value.newBuilder().setListValue(ListValue.newBuilder().addValues(string("1.0"))).build())
                .putFields("b", Value.newBuilder().setBoolValue(true).build()).build();
        QueryResponse q = QueryResponse.newBuilder().addMatches(ScoredVector.newBuilder().setId("a").setScore(1).addValues(2)
                .setMetadata(metadata)).setUsage(Usage.newBuilder().setReadUnits(1)).build();
        assertEquals("{\"results\":[],\"matches\":[{\"id\":\"a\",\"score\":1.0,\"values\":[2.0],\"metadata\":{\"y\":2012,\"n\":-3,"
                        + "\"f\":0.5,\"z\":-0.0,\"max\":9007199254740992,\"over\":9.007199254740994E15,\"l\":[\"1.0\"],\"b\":true}}],"
                        + "\"namespace\":\"\",\"usage\":{\"readUnits\":1}}", write(q, false));
        // Numbers outside metadata keep their form, including a whole index fullness.
        assertEquals("{\"namespaces\":{\"\":{\"vectorCount\":3}},\"dimension\":3,\"indexFullness\":0.0,\"totalVectorCount\":3}",
                write(DescribeIndexStatsResponse.newBuilder().putNamespaces("", NamespaceSummary.newBuilder().setVectorCount(3).build())
                        .setDimension(3).setTotalVectorCount(3).build(), true));
    }

    @Test
    void recordCountsAreStringsOnlyWhenAsked() throws Exception {
        NamespaceDescription d = NamespaceDescription.newBuilder().setName("ns").setRecordCount(12).setSizeBytes(48).build();
        assertEquals("{\"name\":\"ns\",\"record_count\":12,\"size_bytes\":\"48\"}", write(d, false));
        assertEquals("{\"name\":\"ns\",\"record_count\":\"12\",\"size_bytes\":\"48\"}", write(d, true));
        assertEquals("{\"namespaces\":[{\"name\":\"ns\",\"record_count\":\"12\",\"size_bytes\":\"48\"}],\"total_count\":1}",
                write(ListNamespacesResponse.newBuilder().addNamespaces(d).setTotalCount(1).build(), true));
    }

    @Test
    void unicodeIdsAreWrittenAsValidJson() throws Exception {
        String json = write(ListResponse.newBuilder().addVectors(ListItem.newBuilder().setId(UNICODE_ID + "\"\\\u0001")).build(), false);
        assertEquals("{\"vectors\":[{\"id\":\"é漢\\uD83D\\uDE00\\\"\\\\\\u0001\"}],\"namespace\":\"\"}", json);
    }
}
