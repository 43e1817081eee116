package io.conifer.api.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.conifer.proto.VectorServiceGrpc;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.curioswitch.common.protobuf.json.MessageMarshaller;

/**
 * The REST (proto3 JSON, camelCase) form of the data plane's messages, read and written in one
 * streaming pass each: a request body goes token by token from Jackson's parser into the message
 * builder (no JSON tree, no second serialisation), and a response from the message straight to bytes.
 * Dense vectors, most of a query's or an upsert's bytes, are read by {@link DenseFloats}.
 * The marshaller is the one Armeria's gRPC-JSON uses (protobuf-jackson, generated per message type),
 * so field names, number forms and parse errors are proto3 JSON's; unknown fields are ignored, as
 * Pinecone does. Whole metadata numbers and 2026-07's string counts are written by
 * {@link RestNumbers} as the generator goes.
 */
final class ProtoJson {
    /** Jackson's defaults: no comments, no unquoted names, no NaN literals (as {@code ObjectMapper} reads). */
    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonFactory BYTES = new BodyParser.Factory();
    private static final ObjectMapper TREES = new ObjectMapper();
    private static final MessageMarshaller MARSHALLER = marshaller();

    private ProtoJson() {}

    private static MessageMarshaller marshaller() {
        MessageMarshaller.Builder b = MessageMarshaller.builder()
                .includingDefaultValueFields(true)
                .ignoringUnknownFields(true)
                .omittingInsignificantWhitespace(true);
        for (MethodDescriptor<?, ?> m : VectorServiceGrpc.getServiceDescriptor().getMethods()) {
            b.register(prototype(m.getRequestMarshaller()));
            b.register(prototype(m.getResponseMarshaller()));
        }
        return b.build();
    }

    private static Message prototype(MethodDescriptor.Marshaller<?> marshaller) {
        return (Message) ((MethodDescriptor.PrototypeMarshaller<?>) marshaller).getMessagePrototype();
    }

    /**
     * Merges a request body into {@code builder}, read from its UTF-8 bytes (no String, no copy) when
     * it is well-formed UTF-8 and reads without error. Otherwise it is read again as the String
     * {@code new String(body, UTF_8)} gives, as it always was, so a body Jackson's byte parser words
     * differently (or reads at all where the String had U+FFFD in place of malformed bytes) gets
     * today's answer: the byte parser is an optimisation of the common case, never a second dialect.
     */
    static <B extends Message.Builder> B read(byte[] body, B builder) throws IOException {
        if (UnsafeByteOperations.unsafeWrap(body).isValidUtf8()) {
            Message before = builder.buildPartial();
            try (JsonParser parser = BYTES.createParser(body)) {
                return read(parser, builder);
            } catch (IOException | RuntimeException e) {
                builder.clear().mergeFrom(before);
            }
        }
        return read(new String(body, StandardCharsets.UTF_8), builder);
    }

    /**
     * Merges a request body into {@code builder}. An empty body is an empty message; a body that is
     * JSON but not an object is refused as HTTP/JSON transcoding refused it.
     */
    static <B extends Message.Builder> B read(String body, B builder) throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            return read(parser, builder);
        } catch (NotAnObject e) {
            // Only on this error path is the body read as a tree, to name what it was.
            throw new InvalidProtocolBufferException("Unexpected JSON: " + TREES.readTree(body) + ", (expected: ObjectNode or null).");
        }
    }

    private static <B extends Message.Builder> B read(JsonParser parser, B builder) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) return builder;
        if (first != JsonToken.START_OBJECT) throw new NotAnObject();
        JsonParser fields = DenseFloats.over(parser, builder);
        MARSHALLER.mergeValue(fields, builder);
        DenseFloats.addTo(fields, builder);
        return builder;
    }

    /** A body that is JSON but not an object (the String read names it). */
    private static final class NotAnObject extends IOException {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** The response's JSON; {@code countsAsStrings}: API 2026-07's {@code record_count} as a decimal string. */
    static byte[] write(Message message, boolean countsAsStrings) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = new RestNumbers(JSON.createGenerator(out), countsAsStrings)) {
            MARSHALLER.writeValue(message, gen);
        }
        return out.toByteArray();
    }
}
