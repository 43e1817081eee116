package io.conifer.api.data;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.IOException;

/**
 * Writes the REST data plane's numbers as Pinecone's clients expect them, while the JSON is generated.
 * Metadata travels as a protobuf {@code Struct}, whose numbers are doubles, so proto3 JSON would answer
 * {@code 2012.0} for a stored {@code 2012} and a Python client would get a float back where it stored
 * an int: a number under a {@code metadata} key that holds a whole value is written as an integer while
 * it is exact (|v| ≤ 2^53; beyond that the double no longer names one integer, and negative zero keeps
 * its sign). Stored values, scores and vector values are floats and do not change. API 2026-07 also
 * carries a namespace's {@code record_count} as a decimal string (a 64-bit integer in JSON).
 */
final class RestNumbers extends JsonGeneratorDelegate {
    private static final double MAX_EXACT = 0x1p53;
    private final boolean countsAsStrings;

    RestNumbers(JsonGenerator out, boolean countsAsStrings) {
        super(out, false);
        this.countsAsStrings = countsAsStrings;
    }

    @Override
    public void writeNumber(double v) throws IOException {
        if (isExactWhole(v) && inMetadata()) delegate.writeNumber((long) v);
        else delegate.writeNumber(v);
    }

    @Override
    public void writeNumber(long v) throws IOException {
        if (countsAsStrings && isCount()) delegate.writeString(Long.toString(v));
        else delegate.writeNumber(v);
    }

    @Override
    public void writeNumber(int v) throws IOException {
        writeNumber((long) v);
    }

    static boolean isExactWhole(double v) {
        return v == Math.rint(v) && Math.abs(v) <= MAX_EXACT && !(v == 0 && 1 / v < 0);
    }

    /** Whether the value being written is inside the value of a {@code metadata} field. */
    private boolean inMetadata() {
        for (JsonStreamContext c = getOutputContext().getParent(); c != null; c = c.getParent()) {
            if ("metadata".equals(c.getCurrentName())) return true;
        }
        return false;
    }

    private boolean isCount() {
        return "record_count".equals(getOutputContext().getCurrentName());
    }
}
