package io.conifer.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.conifer.proto.FetchResponse;
import io.conifer.proto.QueryResponse;
import io.conifer.proto.ScoredVector;
import io.conifer.proto.Vector;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The metadata number rewrite, including the values a REST round trip cannot produce (negative zero). */
class RestJsonMarshallerTest {
    private static String rewrite(String json) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RestJsonMarshaller.rewrite(json.getBytes(StandardCharsets.UTF_8), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onlyExactWholeMetadataNumbersBecomeIntegers() throws Exception {
        assertEquals("{\"matches\":[{\"score\":1.0,\"values\":[2.0],\"metadata\":{\"y\":2012,\"n\":-3,\"f\":0.5,\"z\":-0.0,"
                        + "\"max\":9007199254740992,\"over\":9.007199254740994E15,\"l\":[\"1.0\"],\"b\":true}}],\"usage\":{\"readUnits\":1}}",
                rewrite("{\"matches\":[{\"score\":1.0,\"values\":[2.0],\"metadata\":{\"y\":2012.0,\"n\":-3.0,\"f\":0.5,\"z\":-0.0,"
                        + "\"max\":9.007199254740992E15,\"over\":9.007199254740994E15,\"l\":[\"1.0\"],\"b\":true}}],\"usage\":{\"readUnits\":1}}"));
    }

    @Test
    void numbersOutsideMetadataKeepTheirForm() throws Exception {
        assertEquals("{\"vectors\":{\"a\":{\"values\":[1.0,3.0]}},\"x\":{\"metadata\":null},\"y\":4.0}",
                rewrite("{\"vectors\":{\"a\":{\"values\":[1.0,3.0]}},\"x\":{\"metadata\":null},\"y\":4.0}"));
    }

    @Test
    void onlyResponsesHoldingMetadataAreRewritten() {
        Struct metadata = Struct.newBuilder().putFields("year", Value.newBuilder().setNumberValue(2012).build()).build();
        assertFalse(RestJsonMarshaller.carriesMetadata(QueryResponse.newBuilder()
                .addMatches(ScoredVector.newBuilder().setId("a").setScore(1)).build()));
        assertTrue(RestJsonMarshaller.carriesMetadata(QueryResponse.newBuilder()
                .addMatches(ScoredVector.newBuilder().setId("a")).addMatches(ScoredVector.newBuilder().setId("b")
                        .setMetadata(metadata)).build()));
        assertFalse(RestJsonMarshaller.carriesMetadata(FetchResponse.newBuilder()
                .putVectors("a", Vector.newBuilder().setId("a").build()).build()));
        assertTrue(RestJsonMarshaller.carriesMetadata(FetchResponse.newBuilder()
                .putVectors("a", Vector.newBuilder().setId("a").setMetadata(metadata).build()).build()));
        assertFalse(RestJsonMarshaller.carriesMetadata(Struct.getDefaultInstance()));
    }
}
