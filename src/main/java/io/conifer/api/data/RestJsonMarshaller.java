package io.conifer.api.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import io.conifer.proto.FetchByMetadataResponse;
import io.conifer.proto.FetchResponse;
import io.conifer.proto.QueryResponse;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The JSON form of data-plane messages (REST via transcoding), with metadata numbers that hold a
 * whole value written as integers: metadata travels as a protobuf {@code Struct}, whose numbers are
 * doubles, so proto3 JSON would answer {@code 2012.0} for a stored {@code 2012} and a Python client
 * would get a float back where it stored an int. Only values under a {@code metadata} key change;
 * stored values, scores and vector values do not. A whole value is written as an integer only while
 * it is exact (|v| ≤ 2^53): beyond that the double no longer names one integer, so it stays in
 * floating-point form, as does negative zero.
 */
final class RestJsonMarshaller implements GrpcJsonMarshaller {
    private static final double MAX_EXACT = 0x1p53;
    private static final JsonFactory JSON = new JsonFactory();
    private final GrpcJsonMarshaller delegate;

    RestJsonMarshaller(GrpcJsonMarshaller delegate) {
        this.delegate = delegate;
    }

    @Override
    public <T> void serializeMessage(MethodDescriptor.Marshaller<T> marshaller, T message, OutputStream os) throws IOException {
        if (!carriesMetadata(message)) {
            delegate.serializeMessage(marshaller, message, os);
            return;
        }
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        delegate.serializeMessage(marshaller, message, plain);
        rewrite(plain.toByteArray(), os);
    }

    /**
     * Whether the response holds any metadata to rewrite: only then is its JSON read a second time, so
     * a query or fetch without {@code includeMetadata} (the common hot path) is written once.
     */
    static boolean carriesMetadata(Object message) {
        if (message instanceof QueryResponse q) return q.getMatchesList().stream().anyMatch(m -> m.hasMetadata());
        if (message instanceof FetchResponse f) return f.getVectorsMap().values().stream().anyMatch(v -> v.hasMetadata());
        if (message instanceof FetchByMetadataResponse f) {
            return f.getVectorsMap().values().stream().anyMatch(v -> v.hasMetadata());
        }
        return false;
    }

    @Override
    public <T> T deserializeMessage(MethodDescriptor.Marshaller<T> marshaller, InputStream is) throws IOException {
        return delegate.deserializeMessage(marshaller, is);
    }

    static void rewrite(byte[] json, OutputStream os) throws IOException {
        try (JsonParser in = JSON.createParser(json);
                JsonGenerator out = JSON.createGenerator(os)) {
            int depth = 0;
            int metadataDepth = -1; // depth of the innermost open "metadata" value, -1 outside one
            boolean nextIsMetadata = false;
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        depth++;
                        if (nextIsMetadata && metadataDepth < 0) metadataDepth = depth;
                        nextIsMetadata = false;
                        out.copyCurrentEvent(in);
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (depth == metadataDepth) metadataDepth = -1;
                        depth--;
                        out.copyCurrentEvent(in);
                    }
                    case FIELD_NAME -> {
                        nextIsMetadata = "metadata".equals(in.currentName());
                        out.copyCurrentEvent(in);
                    }
                    case VALUE_NUMBER_FLOAT -> {
                        double v = in.getDoubleValue();
                        if (metadataDepth >= 0 && isExactWhole(v)) out.writeNumber((long) v);
                        else out.copyCurrentEvent(in);
                        nextIsMetadata = false;
                    }
                    default -> {
                        nextIsMetadata = false;
                        out.copyCurrentEvent(in);
                    }
                }
            }
        }
    }

    /** Whether {@code v} is written as an integer: whole, exact as a double, and not negative zero. */
    static boolean isExactWhole(double v) {
        return v == Math.rint(v) && Math.abs(v) <= MAX_EXACT && !(v == 0 && 1 / v < 0);
    }
}
