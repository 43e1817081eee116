package io.conifer.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** A stream that hands out a buffer it refills a chunk at a time (a decrypted frame). */
abstract class ChunkedInput extends InputStream {
    /** What is left of the current chunk, from its position to its limit. */
    protected ByteBuffer pending = ByteBuffer.allocate(0);

    /** Makes {@link #pending} the next chunk (which may be empty); false once nothing follows. */
    protected abstract boolean refill() throws IOException;

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (!pending.hasRemaining()) {
            if (!refill()) return -1;
        }
        int n = Math.min(len, pending.remaining());
        pending.get(b, off, n);
        return n;
    }
}
