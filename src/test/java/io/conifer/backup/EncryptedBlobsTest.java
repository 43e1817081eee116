package io.conifer.backup;

import static io.conifer.backup.EncryptedBlobs.FRAME;
import static io.conifer.backup.EncryptedBlobs.HEADER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encrypted object format: frames, their order, their end, and names that deduplicate. */
class EncryptedBlobsTest {
    @TempDir
    Path dir;

    private static final BackupKey KEY = new BackupKey(new byte[32]);
    private static final BackupKeys KEYS = new BackupKeys(KEY, List.of());

    private record Sealed(byte[] stored, String name) {}

    private static Sealed seal(byte[] plain) throws Exception {
        try (EncryptedBlobs.Encrypting e = new EncryptedBlobs.Encrypting(Channels.newChannel(new ByteArrayInputStream(plain)),
                plain.length, KEY, new byte[0])) {
            ByteBuffer out = ByteBuffer.allocate((int) e.storedLength());
            // Odd-sized reads, as a repository's chunks cut across frames.
            while (out.hasRemaining()) {
                ByteBuffer piece = out.slice(out.position(), Math.min(out.remaining(), 100_003));
                int n = e.read(piece);
                out.position(out.position() + n);
                if (n == 0) break;
            }
            assertEquals(0, e.read(ByteBuffer.allocate(10)), "nothing after the stored length");
            assertEquals(plain.length, e.length());
            return new Sealed(out.array(), e.name());
        }
    }

    private static byte[] open(byte[] stored) throws Exception {
        InputStream in = new ByteArrayInputStream(stored, HEADER, stored.length - HEADER);
        try (InputStream plain = EncryptedBlobs.openBlob(in, Arrays.copyOf(stored, HEADER), KEYS, "blob").plaintext()) {
            return plain.readAllBytes();
        }
    }

    @Test
    void roundTripsAcrossFrameBoundariesAndNamesByContent() throws Exception {
        Random random = new Random(3);
        for (int size : new int[] {0, 1, FRAME - 1, FRAME, FRAME + 1, 3 * FRAME, 3 * FRAME + 777}) {
            byte[] plain = new byte[size];
            random.nextBytes(plain);
            Sealed a = seal(plain);
            Sealed b = seal(plain);
            assertArrayEquals(plain, open(a.stored()), size + " bytes");
            assertEquals(a.name(), b.name(), "the same content gets the same name");
            assertFalse(Arrays.equals(a.stored(), b.stored()), "each object has its own salt, so its own key and ciphertext");
            ContentHash hash = ContentHash.hmacSha256(KEY.nameKey());
            hash.update(plain, 0, plain.length);
            assertEquals(hash.hex(), a.name());
            assertNotEquals(ContentHash.sha256().hex(), a.name());
        }
    }

    @Test
    void refusesTruncatedReorderedExtendedOrAlteredObjects() throws Exception {
        byte[] plain = new byte[3 * FRAME];
        new Random(4).nextBytes(plain);
        byte[] stored = seal(plain).stored();
        int frame = FRAME + 16;
        // Cut at a frame boundary: the frame now last was not sealed as the last one.
        assertDamaged(Arrays.copyOf(stored, HEADER + 2 * frame));
        // Frames 1 and 2 swapped.
        byte[] swapped = stored.clone();
        System.arraycopy(stored, HEADER + 2 * frame, swapped, HEADER + frame, frame);
        System.arraycopy(stored, HEADER + frame, swapped, HEADER + 2 * frame, frame);
        assertDamaged(swapped);
        // A frame appended.
        byte[] longer = Arrays.copyOf(stored, stored.length + frame);
        System.arraycopy(stored, HEADER, longer, stored.length, frame);
        assertDamaged(longer);
        // One bit of ciphertext, or of the header.
        for (int at : new int[] {HEADER + frame + 5, 20, 50}) {
            byte[] flipped = stored.clone();
            flipped[at] ^= 1;
            assertDamaged(flipped);
        }
        assertArrayEquals(plain, open(stored));
    }

    private static void assertDamaged(byte[] stored) {
        assertThrows(EncryptedBlobs.DamagedException.class, () -> open(stored));
    }

    @Test
    void keyFilesHoldExactly256Bits() throws Exception {
        byte[] raw = new byte[32];
        new Random(5).nextBytes(raw);
        Path rawFile = Files.write(dir.resolve("raw"), raw);
        Path hexFile = Files.writeString(dir.resolve("hex"), "  " + java.util.HexFormat.of().formatHex(raw).toUpperCase() + "\n");
        assertEquals(BackupKey.load(rawFile).id(), BackupKey.load(hexFile).id(), "the same key in either form");
        assertNotEquals(KEY.id(), BackupKey.load(rawFile).id());
        for (String bad : new String[] {"", "abc", "ab".repeat(16), "00".repeat(31), "zz".repeat(32), "00".repeat(33)}) {
            Path f = Files.writeString(dir.resolve("bad"), bad);
            var e = assertThrows(java.io.IOException.class, () -> BackupKey.load(f));
            assertTrue(e.getMessage().contains("not a 256-bit key"), e.getMessage());
        }
        assertTrue(assertThrows(java.io.IOException.class, () -> BackupKey.load(dir.resolve("none"))).getMessage()
                .contains("does not exist"));
    }
}
