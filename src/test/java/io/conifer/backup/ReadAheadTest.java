package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stream read one buffer ahead: the same bytes, the next read under way while the caller works, failures passed on. */
class ReadAheadTest {
    @Test
    void yieldsTheStreamExactly() throws Exception {
        for (int size : new int[] {0, 1, 999, 1000, 1001, 5555}) {
            byte[] data = new byte[size];
            new Random(size).nextBytes(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ReadAhead ahead = new ReadAhead(new ByteArrayInputStream(data), 1000)) {
                for (ReadAhead.Chunk c; (c = ahead.next()) != null; ) out.write(c.bytes(), 0, c.length());
                assertNull(ahead.next(), "still the end");
            }
            assertArrayEquals(data, out.toByteArray(), size + " bytes");
        }
    }

    /** Without reading ahead, the second buffer would only be asked for once the caller is done with the first. */
    @Test
    void readsTheNextBufferWhileTheCallerHoldsTheLast() throws Exception {
        CountDownLatch secondRead = new CountDownLatch(1);
        InputStream in = new ByteArrayInputStream(new byte[3000]) {
            private int reads;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                if (off == 0 && ++reads == 2) secondRead.countDown();
                return super.read(b, off, len);
            }
        };
        try (ReadAhead ahead = new ReadAhead(in, 1000)) {
            ReadAhead.Chunk first = ahead.next();
            assertTrue(first != null && first.length() == 1000);
            assertTrue(secondRead.await(30, TimeUnit.SECONDS), "the second buffer is read while the first is held");
        }
    }

    @Test
    void aFailedReadReachesTheCallerAsItsOwnException() throws Exception {
        IOException damage = new EncryptedBlobs.DamagedException("frame 2 fails its tag");
        InputStream in = new InputStream() {
            private int reads;

            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (reads++ > 0) throw damage;
                return len;
            }
        };
        try (ReadAhead ahead = new ReadAhead(in, 100)) {
            ahead.next();
            assertSame(damage, assertThrows(IOException.class, ahead::next));
        }
    }
}
