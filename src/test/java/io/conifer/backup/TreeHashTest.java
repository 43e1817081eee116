package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sha256-tree-2m blob name: as the format defines it, whatever pieces the content is read in. */
class TreeHashTest {
    private static final int LEAF = 2 << 20;

    @TempDir
    Path dir;

    /** The format, computed independently: SHA-256(prefix | length | SHA-256 of each 2 MiB leaf, in order). */
    static String reference(byte[] content) {
        try {
            MessageDigest root = MessageDigest.getInstance("SHA-256");
            root.update("conifer blob name sha256-tree-2m leaf 2097152\n".getBytes(StandardCharsets.US_ASCII));
            root.update(ByteBuffer.allocate(8).putLong(content.length).array());
            for (int at = 0; at < content.length; at += LEAF) {
                byte[] leaf = Arrays.copyOfRange(content, at, Math.min(content.length, at + LEAF));
                root.update(MessageDigest.getInstance("SHA-256").digest(leaf));
            }
            return HexFormat.of().formatHex(root.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nameIsTheReferenceWhateverTheReadSizes() throws Exception {
        int[] sizes = {0, 1, LEAF - 1, LEAF, LEAF + 1, 5 * LEAF + 12_345};
        int[] reads = {1 << 20, LEAF, 3 * LEAF, LEAF + 1, 7_777, 8 * LEAF};
        Random random = new Random(11);
        for (int size : sizes) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            String expected = reference(content);
            assertNotEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), expected,
                    "not the plain SHA-256 of a " + size + "-byte file");
            for (int read : reads) {
                for (ContentHash hash : new ContentHash[] {TreeHash.sequential(), TreeHash.parallel()}) {
                    for (int at = 0; at < size; at += read) {
                        hash.update(ByteBuffer.wrap(content, at, Math.min(read, size - at)).slice());
                    }
                    assertEquals(expected, hash.hex(), size + " bytes given " + read + " at a time");
                }
                Path file = Files.write(dir.resolve("f"), content);
                try (BlobSource source = BlobSource.plain(file)) {
                    ByteBuffer buf = ByteBuffer.allocate(read);
                    while (source.read(buf.clear()) > 0) source.released().join();
                    assertEquals(expected, source.name(), size + " bytes read " + read + " at a time");
                    assertEquals("sha256-tree-2m", source.naming());
                }
            }
        }
    }

    @Test
    void aByteChangedInAnyLeafChangesTheName() {
        byte[] content = new byte[4 * LEAF + 100];
        new Random(12).nextBytes(content);
        String name = reference(content);
        for (int at : new int[] {0, LEAF + 5, 3 * LEAF - 1, 4 * LEAF + 99}) {
            content[at] ^= 1;
            ContentHash hash = TreeHash.parallel();
            hash.update(ByteBuffer.wrap(content));
            assertNotEquals(name, hash.hex(), "byte " + at + " changed");
            content[at] ^= 1;
        }
        ContentHash hash = TreeHash.parallel();
        hash.update(ByteBuffer.wrap(content));
        assertEquals(name, hash.hex());
    }
}
