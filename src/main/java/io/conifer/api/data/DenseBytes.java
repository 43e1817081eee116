package io.conifer.api.data;

import com.fasterxml.jackson.core.io.NumberInput;
import java.util.Arrays;

/**
 * Reads a dense array's elements straight from a body's UTF-8 bytes, from just after its {@code [}
 * up to its {@code ]}, for the common case only: JSON numbers (strict grammar), whitespace and
 * commas. Anything else (a string, a null, a number out of float range or longer than
 * {@link #MAX_NUMBER_LENGTH}, bad grammar, the end of the body) makes it give up, having changed
 * nothing, and the array is read token by token by Jackson and the marshaller's steps instead, which
 * accept or refuse it with their own words. Each number becomes the double {@code Double.parseDouble}
 * gives (Clinger's exact path for up to 15 significant digits and a decimal exponent within ±22,
 * which covers what {@code Float.toString} writes; the 17 digits of a float32 printed as a double, as
 * JS and Python write it, take the slower path; Jackson's FastDoubleParser otherwise), then
 * the marshaller's range check and narrowing, so every float is the same bit for bit.
 */
final class DenseBytes {
    /** {@code ParseSupport.parseFloat}'s bound: a larger double is refused as out of range (one below it may still narrow to infinity). */
    static final double MAX_FLOAT = 3.402826869208755E38;
    /** Longer numbers are left to Jackson, whose length limit (1,000 characters) and words then apply. */
    static final int MAX_NUMBER_LENGTH = 64;
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private final byte[] b;
    private final int end;
    private int pos;
    /** Line breaks read and where the last line starts, for Jackson's locations once it resumes. */
    private int lines;
    private int lineStart = -1;
    private float[] values;
    private int size;
    private final char[] digits = new char[MAX_NUMBER_LENGTH];

    private DenseBytes(byte[] b, int pos, int end, int capacity) {
        this.b = b;
        this.pos = pos;
        this.end = end;
        this.values = new float[capacity];
    }

    /** What {@link #read} read: the values, and where the array's {@code ]} is. */
    record Array(float[] values, int size, int close, int lines, int lineStart) {}

    /** The array that starts right before {@code from}, or null where the common case does not hold. */
    static Array read(byte[] b, int from, int end, int capacity) {
        DenseBytes d = new DenseBytes(b, from, end, Math.max(1, capacity));
        return d.elements() ? new Array(d.values, d.size, d.pos, d.lines, d.lineStart) : null;
    }

    private boolean elements() {
        skipSpace();
        if (pos < end && b[pos] == ']') return true;
        while (true) {
            double d = number();
            if (Double.isNaN(d) || d > MAX_FLOAT || d < -MAX_FLOAT) return false;
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = (float) d;
            skipSpace();
            if (pos >= end) return false;
            if (b[pos] == ']') return true;
            if (b[pos] != ',') return false;
            pos++;
            skipSpace();
        }
    }

    /** JSON's whitespace; a line break is {@code \n}, {@code \r} or both, as Jackson counts them. */
    private void skipSpace() {
        while (pos < end) {
            byte c = b[pos];
            if (c == ' ' || c == '\t') {
                pos++;
            } else if (c == '\n' || c == '\r') {
                pos++;
                if (c == '\r' && pos < end && b[pos] == '\n') pos++;
                lines++;
                lineStart = pos;
            } else {
                return;
            }
        }
    }

    /** The number at {@code pos} as {@code Double.parseDouble} reads it, moving past it; NaN (not moving) where it gives up. */
    private double number() {
        int start = pos;
        int i = pos;
        boolean negative = i < end && b[i] == '-';
        if (negative) i++;
        if (i >= end) return Double.NaN;
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        if (b[i] == '0') {
            i++;
        } else if (isDigit(b[i])) {
            for (; i < end && isDigit(b[i]); i++) {
                mantissa = mantissa * 10 + (b[i] - '0');
                significant++;
            }
        } else {
            return Double.NaN;
        }
        if (i < end && b[i] == '.') {
            int first = ++i;
            for (; i < end && isDigit(b[i]); i++) {
                if (mantissa != 0 || b[i] != '0') significant++;
                mantissa = mantissa * 10 + (b[i] - '0');
                exponent--;
            }
            if (i == first) return Double.NaN;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean minus = i < end && b[i] == '-';
            if (i < end && (b[i] == '-' || b[i] == '+')) i++;
            int first = i;
            int e = 0;
            for (; i < end && isDigit(b[i]); i++) if (e < 100_000) e = e * 10 + (b[i] - '0');
            if (i == first) return Double.NaN;
            exponent += minus ? -e : e;
        }
        if (i - start > MAX_NUMBER_LENGTH) return Double.NaN;
        pos = i;
        double value;
        if (significant > 15) return slow(start, i);
        if (mantissa == 0) value = 0;
        else if (exponent >= 0 && exponent <= 22) value = mantissa * POWERS_OF_TEN[exponent];
        else if (exponent < 0 && exponent >= -22) value = mantissa / POWERS_OF_TEN[-exponent];
        else return slow(start, i);
        return negative ? -value : value;
    }

    /** Jackson's correctly rounded parser over the same characters (ASCII, so byte for char). */
    private double slow(int start, int stop) {
        for (int i = start; i < stop; i++) digits[i - start] = (char) b[i];
        return NumberInput.parseDouble(digits, 0, stop - start, true);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** One number's double, or NaN where the array reader would give up on it (for tests). */
    static double parse(byte[] number) {
        DenseBytes d = new DenseBytes(number, 0, number.length, 1);
        double v = d.number();
        return d.pos == number.length ? v : Double.NaN;
    }
}
