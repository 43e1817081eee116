package io.conifer.backup;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file read from the device with {@code O_DIRECT}, {@link DirectCopy#CHUNK} bytes a call: a blob read
 * back (restore, verify) is read once and never again, so going through the page cache would only cost
 * the kernel a page per 4 KiB to find (on a VM whose free memory the host reclaims, that is the slow
 * part of a cold read) and evict the index's own pages. Where {@code O_DIRECT} is refused (tmpfs),
 * the file is read buffered.
 */
final class DirectInput extends ChunkedInput {
    private final FileChannel in;
    private final int align;
    private final ByteBuffer buffer;
    private long position;
    private boolean ended;

    private DirectInput(FileChannel in, int align) throws IOException {
        this.in = in;
        this.align = align;
        // A small blob gets a small buffer (whole blocks, one more than it needs so its end is seen in one read).
        long blocks = Math.min(DirectCopy.CHUNK, in.size() + align) / align;
        this.buffer = ByteBuffer.allocateDirect((int) blocks * align + align).alignedSlice(align);
    }

    /** Opens {@code file} for direct reads aligned to {@code align} (0: buffered). */
    static InputStream open(Path file, int align) throws IOException {
        if (align > 0) {
            FileChannel direct = null;
            try {
                direct = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
                return new DirectInput(direct, align);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (UnsupportedOperationException | IOException e) {
                // the JDK or the file system refuses direct I/O: read buffered below
                if (direct != null) direct.close();
            }
        }
        return Files.newInputStream(file);
    }

    /** Reads the next chunk (whole blocks at block-aligned offsets, as direct I/O needs); false at the end. */
    @Override
    protected boolean refill() throws IOException {
        if (ended) return false;
        buffer.clear();
        while (buffer.hasRemaining()) {
            int n = in.read(buffer, position + buffer.position());
            // Only the file's end yields less than whole blocks; nothing can be read after it.
            if (n <= 0 || buffer.position() % align != 0) {
                ended = true;
                break;
            }
        }
        position += buffer.position();
        pending = buffer.flip();
        return buffer.hasRemaining();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
