package io.conifer.api.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;

/**
 * Jackson's parser over a request body's UTF-8 bytes (no String, no copy: the body's array is its
 * input buffer) that lets {@link DenseFloats} read a dense array straight from those bytes and then
 * resume Jackson after it, so the array's numbers are not tokenised one by one.
 */
final class BodyParser extends UTF8StreamJsonParser {
    /** Jackson's defaults, as {@code JsonFactory} has them, but always UTF-8 and always this parser. */
    static final class Factory extends JsonFactory {
        @Override
        protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
            // No encoding detection: a body is UTF-8 (the String it replaces was always decoded as UTF-8).
            _streamReadConstraints.validateDocumentLength(len);
            return new BodyParser(ctxt, _parserFeatures, _objectCodec, _byteSymbolCanonicalizer.makeChild(_factoryFeatures), data, offset,
                    offset + len);
        }
    }

    private BodyParser(IOContext ctxt, int features, ObjectCodec codec, ByteQuadsCanonicalizer names, byte[] data, int start, int end) {
        super(ctxt, features, null, codec, names, data, start, end, 0, false);
    }

    /** The body. */
    byte[] input() {
        return _inputBuffer;
    }

    /** Where Jackson reads next: right after the last token it returned. */
    int position() {
        return _inputPtr;
    }

    /** The end of the body in {@link #input()}. */
    int end() {
        return _inputEnd;
    }

    /**
     * Moves Jackson on to {@code position}, from where it was right after an array's {@code [} to that
     * array's {@code ]} (the caller read everything between, {@code lines} line breaks, the last ending
     * at {@code lineStart}); its next token is then the array's end.
     */
    JsonParser resumeAt(int position, int lines, int lineStart) {
        if (position < _inputPtr || position >= _inputEnd || _inputBuffer[position] != ']') {
            throw new IllegalStateException("not an array's end: " + position);
        }
        _inputPtr = position;
        // Jackson's own line count, for the locations it reports later.
        _currInputRow += lines;
        if (lines > 0) _currInputRowStart = lineStart;
        return this;
    }
}
