package io.conifer.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.apache.lucene.codecs.CodecUtil;

/**
 * Checks, while a file is read into a blob, that its bytes match the CRC32 Lucene wrote into its footer
 * (every file of an index commit ends with one: magic, algorithm, checksum of everything before the
 * checksum). A damaged index file is then refused when it is backed up, not found when it is restored:
 * the blob's own CRC32C and hash only prove that the repository holds what was read. CRC32 runs at
 * about 10 GB/s, so the check costs a backup a few percent of one core.
 *
 * <p>It applies to files that end with a Lucene footer; the backup refuses an index file that does not
 * ({@link #requireFooter}), so a footer damaged into something else cannot turn the check off. Restores
 * and verify check each file again as they read it ({@link #streaming}), which also finds a file that
 * a backup taken before this check stored damaged.
 */
final class FooterCheck {
    private static final int FOOTER = CodecUtil.footerLength();
    /** No check: a source that is not a Lucene file (a manifest sealed in memory). */
    static final FooterCheck NONE = new FooterCheck("", -1, null);

    private final String name;
    private final long size;
    /** The checksum of the footer read before the copy, or null to take the footer from the last bytes read. */
    private final Long recorded;
    /** The last {@link #FOOTER} bytes read, when the footer is taken from them. */
    private final byte[] tail = new byte[FOOTER];
    private final CRC32 crc = new CRC32();
    private long position;

    private FooterCheck(String name, long size, Long recorded) {
        this.name = name;
        this.size = size;
        this.recorded = recorded;
    }

    /**
     * The check of {@code file} (open as {@code in}, {@code size} bytes long as the reader saw it), or
     * {@link #NONE} if it does not end with a Lucene footer.
     */
    static FooterCheck of(Path file, FileChannel in, long size) throws IOException {
        Footer footer = Footer.read(in, size);
        return footer.valid() ? new FooterCheck(file.getFileName().toString(), size, footer.checksum()) : NONE;
    }

    /**
     * The check of a file's {@code size} bytes read as a stream (a blob restored or verified): the footer
     * is the last bytes read, and bytes that turn out to have none are not checked.
     */
    static FooterCheck streaming(String name, long size) {
        return size >= FOOTER ? new FooterCheck(name, size, null) : NONE;
    }

    /** The CRC32 a Lucene file's footer records, after checking that it has one. */
    static long requireFooter(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file)) {
            Footer footer = Footer.read(in, in.size());
            if (!footer.valid()) {
                throw new IOException("Index file " + file.getFileName() + " is damaged: it does not end with a Lucene footer");
            }
            return footer.checksum();
        }
    }

    /** Takes the file's next bytes, from {@code bytes}' position to its limit (which it leaves as they were). */
    void update(ByteBuffer bytes) {
        if (this == NONE) return;
        int remaining = bytes.remaining();
        int n = (int) Math.max(0, Math.min(remaining, size - Long.BYTES - position));
        if (n > 0) crc.update(bytes.slice(bytes.position(), n));
        if (recorded == null) {
            long tailStart = size - FOOTER;
            for (long p = Math.max(position, tailStart); p < Math.min(position + remaining, size); p++) {
                tail[(int) (p - tailStart)] = bytes.get(bytes.position() + (int) (p - position));
            }
        }
        position += remaining;
    }

    void update(byte[] bytes, int offset, int length) {
        update(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Once every byte was read: whether they match their footer's checksum (true if they have no footer to check). */
    boolean matches() {
        long expected = expected();
        return expected < 0 || crc.getValue() == expected;
    }

    /** Called once every byte was read: throws if they are not what Lucene wrote. */
    void finish() throws IOException {
        if (matches()) return;
        throw new IOException("Index file " + name + " is damaged: its bytes do not match the checksum in its Lucene footer ("
                + Long.toHexString(expected()) + " recorded, " + Long.toHexString(crc.getValue()) + " read), so it was not backed up");
    }

    /** The CRC32 the footer records, or -1 if there is nothing to check. */
    private long expected() {
        if (this == NONE) return -1;
        if (recorded != null) return recorded;
        Footer footer = Footer.parse(ByteBuffer.wrap(tail));
        return footer.valid() ? footer.checksum() : -1;
    }

    /** A Lucene footer as {@code CodecUtil.writeFooter} writes it: magic, algorithm 0, CRC32 as a long. */
    private record Footer(int magic, int algorithm, long checksum) {
        static Footer read(FileChannel in, long size) throws IOException {
            if (size < FOOTER) return new Footer(0, -1, 0);
            ByteBuffer buf = ByteBuffer.allocate(FOOTER);
            while (buf.hasRemaining()) {
                if (in.read(buf, size - FOOTER + buf.position()) < 0) throw new IOException("file shrank while read");
            }
            return parse(buf.flip());
        }

        static Footer parse(ByteBuffer footer) {
            return new Footer(footer.getInt(), footer.getInt(), footer.getLong());
        }

        boolean valid() {
            // A CRC32 fits in 32 bits; Lucene refuses a footer whose checksum has higher bits set.
            return magic == CodecUtil.FOOTER_MAGIC && algorithm == 0 && (checksum & 0xFFFFFFFF00000000L) == 0;
        }
    }
}
