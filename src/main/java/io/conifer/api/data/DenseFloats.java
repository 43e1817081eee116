package io.conifer.api.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.conifer.proto.QueryRequest;
import io.conifer.proto.UpdateRequest;
import io.conifer.proto.UpsertRequest;
import io.conifer.proto.Vector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.curioswitch.common.protobuf.json.ParseSupport;

/**
 * Reads the dense vectors of a request body (a query's {@code vector}, each upserted record's
 * {@code values}, an update's {@code values}) for the protobuf-jackson marshaller, which reads
 * every other field. The marshaller parses each float as {@code Double.parseDouble(getText())};
 * here an array of plain numbers in a body read from its bytes ({@link BodyParser}) is read straight
 * from those bytes by {@link DenseBytes}, and any other array token by token, each number through
 * Jackson's fast double parser (correctly rounded like the JDK's, without a String per value); both
 * narrow to float the same way, so every value is the same bit for bit. The marshaller reads a message's fields with {@link #nextValue()}: this parser
 * answers that call by reading such an array itself and moving on to the next field, so the
 * marshaller never sees it; {@link #addTo} then adds the arrays to the built message. Everything
 * else about the field (null is absent, a second occurrence, a non-array, null elements, numbers
 * in strings, the error words) follows the marshaller's own {@link ParseSupport} steps.
 */
final class DenseFloats extends JsonParserDelegate {
    /** Where a request type carries its dense vector: a top-level field, or a field of each element of a top-level array. */
    private enum Place {
        QUERY(QueryRequest.getDescriptor().findFieldByNumber(QueryRequest.VECTOR_FIELD_NUMBER), null),
        UPSERT(Vector.getDescriptor().findFieldByNumber(Vector.VALUES_FIELD_NUMBER),
                UpsertRequest.getDescriptor().findFieldByNumber(UpsertRequest.VECTORS_FIELD_NUMBER).getName()),
        UPDATE(UpdateRequest.getDescriptor().findFieldByNumber(UpdateRequest.VALUES_FIELD_NUMBER), null);

        /** The field; its JSON and proto names are the same word. */
        final FieldDescriptor field;
        final String array;

        Place(FieldDescriptor field, String array) {
            this.field = field;
            this.array = array;
        }
    }

    /** One array read: its values and which element of the top-level array it belongs to. */
    private record Floats(int element, float[] values, int size) {}

    private final Place place;
    private final List<Floats> arrays = new ArrayList<>();
    /** The next array's starting capacity: the last one's, as records of one request usually have one length. */
    private int capacity = 16;

    private DenseFloats(JsonParser parser, Place place) {
        super(parser);
        this.place = place;
    }

    /** A parser for {@code builder}'s message that reads its dense vectors itself, or {@code parser} if it has none. */
    static JsonParser over(JsonParser parser, Message.Builder builder) {
        Place place = builder instanceof QueryRequest.Builder ? Place.QUERY
                : builder instanceof UpsertRequest.Builder ? Place.UPSERT
                : builder instanceof UpdateRequest.Builder ? Place.UPDATE : null;
        return place == null ? parser : new DenseFloats(parser, place);
    }

    /**
     * Adds the arrays {@code parser} read to {@code builder} (into which the marshaller read the rest
     * of the body); returns how many it read, 0 if {@code parser} is not a {@code DenseFloats}.
     */
    static int addTo(JsonParser parser, Message.Builder builder) {
        if (!(parser instanceof DenseFloats dense)) return 0;
        for (Floats f : dense.arrays) {
            switch (dense.place) {
                case QUERY -> {
                    QueryRequest.Builder b = (QueryRequest.Builder) builder;
                    for (int i = 0; i < f.size(); i++) b.addVector(f.values()[i]);
                }
                case UPSERT -> {
                    Vector.Builder b = ((UpsertRequest.Builder) builder).getVectorsBuilder(f.element());
                    for (int i = 0; i < f.size(); i++) b.addValues(f.values()[i]);
                }
                case UPDATE -> {
                    UpdateRequest.Builder b = (UpdateRequest.Builder) builder;
                    for (int i = 0; i < f.size(); i++) b.addValues(f.values()[i]);
                }
            }
        }
        return dense.arrays.size();
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = delegate.nextValue();
        while (t != null && isDenseField(t)) {
            read(objectIndex(t));
            t = delegate.nextValue();
        }
        return t;
    }

    /** The object whose field's value {@code t} (just read) is. */
    private JsonStreamContext fieldObject(JsonToken t) {
        return t.isStructStart() ? delegate.getParsingContext().getParent() : delegate.getParsingContext();
    }

    /** Whether the value just read is the dense vector's field of a message of the right place. */
    private boolean isDenseField(JsonToken t) {
        JsonStreamContext object = fieldObject(t);
        if (!object.inObject() || !place.field.getName().equals(object.getCurrentName())) return false;
        JsonStreamContext parent = object.getParent();
        if (place.array == null) return parent.inRoot();
        JsonStreamContext top = parent.getParent();
        return parent.inArray() && top.inObject() && place.array.equals(top.getCurrentName()) && top.getParent().inRoot();
    }

    /** The element of the top-level array whose object holds the current field (0 for a top-level field). */
    private int objectIndex(JsonToken t) {
        return place.array == null ? 0 : fieldObject(t).getParent().getCurrentIndex();
    }

    /** The marshaller's steps for a repeated float field, with {@link #floatValue} for each element. */
    private void read(int element) throws IOException {
        // Elements come in order and an object's fields together, so a repeat can only be of the last array read.
        if (!arrays.isEmpty() && arrays.getLast().element() == element) {
            throw new InvalidProtocolBufferException("Field " + place.field.getFullName() + " has already been set.");
        }
        if (ParseSupport.checkNull(delegate)) {
            arrays.add(new Floats(element, new float[0], 0));
            return;
        }
        if (delegate instanceof BodyParser body && delegate.currentToken() == JsonToken.START_ARRAY) {
            DenseBytes.Array a = DenseBytes.read(body.input(), body.position(), body.end(), capacity);
            if (a != null) {
                body.resumeAt(a.close(), a.lines(), a.lineStart()).nextToken();
                arrays.add(new Floats(element, a.values(), a.size()));
                capacity = a.values().length;
                return;
            }
        }
        ParseSupport.parseArrayStart(delegate);
        float[] values = new float[capacity];
        int size = 0;
        while (true) {
            ParseSupport.throwIfRepeatedValueNull(delegate);
            if (ParseSupport.checkArrayEnd(delegate)) break;
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = floatValue(delegate);
            delegate.nextValue();
        }
        arrays.add(new Floats(element, values, size));
        capacity = values.length;
    }

    /**
     * The float {@code ParseSupport.parseFloat} reads from the current token: a JSON number as the
     * same double {@code Double.parseDouble} gives (Jackson's FastDoubleParser on the token's
     * characters, without a String), then the same range check and narrowing; anything else (a
     * number or NaN/Infinity in a string, a wrong token) by the marshaller itself.
     */
    static float floatValue(JsonParser p) throws IOException {
        if (!p.currentToken().isNumeric()) return ParseSupport.parseFloat(p);
        double d = NumberInput.parseDouble(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), true);
        if (d > DenseBytes.MAX_FLOAT || d < -DenseBytes.MAX_FLOAT) throw new InvalidProtocolBufferException("Out of range float value: " + p.getText());
        return (float) d;
    }
}
