package io.conifer.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The encrypted form of a blob or manifest: a header, then the content in frames of at most {@link
 * #FRAME} bytes, each sealed with AES-256-GCM.
 *
 * <pre>
 * header (56 bytes): "CNFRENC1" | key id (8) | salt (32) | frame size (int) | CRC32C of the 52 bytes before
 * frame i:           AES-256-GCM(object key, nonce = i (8 bytes) | 0 0 0 | last ? 1 : 0, aad = header | context)
 *                    of the next frame-size bytes (fewer in the last frame), then its 16-byte tag
 * </pre>
 *
 * The object key is derived from the backup key and the random salt, so no two objects share a key and
 * a frame's counter never repeats under one: nonces are never reused. The counter in the nonce makes
 * reordered frames fail, the last-frame flag a truncation at a frame boundary, the header in every
 * frame's associated data a changed header; the context (a manifest's backup id) binds an object to
 * where it belongs. Memory stays at two frames whatever the object's size.
 */
public final class EncryptedBlobs {
    static final byte[] MAGIC = "CNFRENC1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 56;
    static final int FRAME = 256 << 10;
    private static final int TAG = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private EncryptedBlobs() {}

    /** Content that failed authentication: damaged, truncated, reordered or forged. */
    public static final class DamagedException extends IOException {
        DamagedException(String message) {
            super(message);
        }
    }

    /** The id of the key an object with this header is sealed with (hex of the 8 bytes after the magic). */
    static String keyId(byte[] header) {
        return HexFormat.of().formatHex(header, MAGIC.length, MAGIC.length + 8);
    }

    /** Whether stored bytes start like an encrypted object. */
    static boolean isEncrypted(byte[] start, int length) {
        return length >= MAGIC.length && Arrays.equals(start, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    static long storedLength(long plain) {
        long frames = Math.max(1, (plain + FRAME - 1) / FRAME);
        return HEADER + plain + frames * TAG;
    }

    /** A file's content encrypted with {@code key}, as a blob. */
    static BlobSource encrypting(Path file, BackupKey key) throws IOException {
        FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = in.size();
            return new Encrypting(in, size, key, new byte[0], FooterCheck.of(file, in, size));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Encrypts a small object in memory (a manifest). */
    static byte[] seal(byte[] plain, BackupKey key, byte[] context) throws IOException {
        try (Encrypting source = new Encrypting(Channels.newChannel(new ByteArrayInputStream(plain)),
                plain.length, key, context)) {
            ByteBuffer out = ByteBuffer.allocate((int) source.storedLength());
            source.read(out);
            return out.array();
        }
    }

    /** Decrypts a small object in memory (a manifest); {@code what} names it in errors. */
    static byte[] open(byte[] stored, BackupKeys keys, byte[] context, String what) throws IOException {
        byte[] header = readHeader(stored, what);
        try (InputStream in = new Decrypting(new ByteArrayInputStream(stored, HEADER, stored.length - HEADER), header,
                keys, context, what)) {
            return in.readAllBytes();
        }
    }

    private static byte[] readHeader(byte[] stored, String what) throws DamagedException {
        if (stored.length < HEADER) throw new DamagedException(what + " is cut short: " + stored.length + " bytes");
        return Arrays.copyOf(stored, HEADER);
    }

    /** A file's content encrypted as it is read, named by an HMAC of the plaintext under the key's name key. */
    static final class Encrypting implements BlobSource {
        private final ReadableByteChannel in;
        private final long size;
        private final byte[] header;
        private final byte[] aad;
        private final SecretKeySpec objectKey;
        private final ContentHash hash;
        private final FooterCheck footer;
        private final Cipher cipher;
        private final byte[] plain;
        private final byte[] sealed;
        private ByteBuffer pending;
        private long consumed;
        private long frame;
        private boolean done;

        /** Bytes that are no Lucene file (a manifest), so not checked against a footer. */
        Encrypting(ReadableByteChannel in, long size, BackupKey key, byte[] context) {
            this(in, size, key, context, FooterCheck.NONE);
        }

        Encrypting(ReadableByteChannel in, long size, BackupKey key, byte[] context, FooterCheck footer) {
            this.in = in;
            this.size = size;
            this.footer = footer;
            byte[] salt = new byte[32];
            RANDOM.nextBytes(salt);
            this.header = header(key.id(), salt);
            this.aad = concat(header, context);
            this.objectKey = new SecretKeySpec(key.objectKey(salt), "AES");
            this.hash = ContentHash.hmacSha256(key.nameKey());
            this.cipher = gcm();
            this.plain = new byte[FRAME];
            this.sealed = new byte[FRAME + TAG];
            this.pending = ByteBuffer.wrap(header);
        }

        @Override
        public long storedLength() {
            return EncryptedBlobs.storedLength(size);
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
            int start = buf.position();
            while (buf.hasRemaining()) {
                if (!pending.hasRemaining()) {
                    if (done) break;
                    sealNextFrame();
                }
                int n = Math.min(pending.remaining(), buf.remaining());
                buf.put(pending.slice(pending.position(), n));
                pending.position(pending.position() + n);
            }
            return buf.position() - start;
        }

        private void sealNextFrame() throws IOException {
            int n = (int) Math.min(FRAME, size - consumed);
            ByteBuffer b = ByteBuffer.wrap(plain, 0, n);
            while (b.hasRemaining()) {
                if (in.read(b) < 0) throw new IOException("the file ended at byte " + (consumed + b.position()) + " of " + size
                        + ": it changed while it was copied");
            }
            hash.update(plain, 0, n);
            footer.update(plain, 0, n);
            consumed += n;
            boolean last = consumed == size;
            if (last) footer.finish();
            try {
                cipher.init(Cipher.ENCRYPT_MODE, objectKey, nonce(frame++, last));
                cipher.updateAAD(aad);
                int sealedLength = cipher.doFinal(plain, 0, n, sealed, 0);
                pending = ByteBuffer.wrap(sealed, 0, sealedLength);
            } catch (GeneralSecurityException e) {
                throw new IOException("AES-GCM encryption failed", e);
            }
            done = last;
        }

        @Override
        public long length() {
            return consumed;
        }

        @Override
        public String name() {
            return hash.hex();
        }

        /** None recorded: the HMAC's key is the one the stored header names. */
        @Override
        public String naming() {
            return null;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Parses an encrypted object's header, finds its key, and the hash its plaintext is named by. */
    record Opened(InputStream plaintext, ContentHash nameHash) {}

    /** {@code header} is the object's first {@link #HEADER} bytes, already read from {@code rest}. */
    static Opened openBlob(InputStream rest, byte[] header, BackupKeys keys, String what) throws IOException {
        Decrypting d = new Decrypting(rest, header, keys, new byte[0], what);
        return new Opened(d, ContentHash.hmacSha256(d.key.nameKey()));
    }

    /** Decrypts frame by frame, refusing (with {@link DamagedException}) any frame that fails authentication. */
    private static final class Decrypting extends ChunkedInput {
        private final InputStream in;
        private final BackupKey key;
        private final SecretKeySpec objectKey;
        private final byte[] aad;
        private final int frameSize;
        private final String what;
        private final Cipher cipher = gcm();
        private final byte[] sealed;
        private final byte[] plain;
        private int lookahead = -1;
        private long frame;
        private boolean done;

        Decrypting(InputStream in, byte[] header, BackupKeys keys, byte[] context, String what) throws IOException {
            this.in = in;
            this.what = what;
            ByteBuffer h = ByteBuffer.wrap(header);
            CRC32C crc = new CRC32C();
            crc.update(header, 0, HEADER - 4);
            if (!isEncrypted(header, header.length) || (int) crc.getValue() != h.getInt(HEADER - 4)) {
                throw new DamagedException(what + " has a damaged encryption header");
            }
            String keyId = keyId(header);
            this.key = keys.require(keyId, what);
            this.objectKey = new SecretKeySpec(key.objectKey(Arrays.copyOfRange(header, 16, 48)), "AES");
            this.frameSize = h.getInt(48);
            if (frameSize <= 0 || frameSize > 16 << 20) throw new DamagedException(what + " has a damaged encryption header");
            this.aad = concat(header, context);
            this.sealed = new byte[frameSize + TAG];
            this.plain = new byte[frameSize];
        }

        @Override
        protected boolean refill() throws IOException {
            if (done) return false;
            openNextFrame();
            return true;
        }

        /** Reads the next frame; it is the last if it is short or nothing follows it. */
        private void openNextFrame() throws IOException {
            int n = 0;
            if (lookahead >= 0) sealed[n++] = (byte) lookahead;
            n += in.readNBytes(sealed, n, sealed.length - n);
            boolean last = n < sealed.length;
            if (!last) {
                lookahead = in.read();
                last = lookahead < 0;
            }
            if (n < TAG) throw new DamagedException(what + " is cut short after frame " + frame + " (" + n + " bytes left)");
            try {
                cipher.init(Cipher.DECRYPT_MODE, objectKey, nonce(frame, last));
                cipher.updateAAD(aad);
                int length = cipher.doFinal(sealed, 0, n, plain, 0);
                pending = ByteBuffer.wrap(plain, 0, length);
            } catch (AEADBadTagException e) {
                throw new DamagedException(what + " fails authentication at frame " + frame + " (bytes from "
                        + (HEADER + frame * (frameSize + (long) TAG)) + "): its stored bytes were damaged, cut short or altered");
            } catch (GeneralSecurityException e) {
                throw new IOException("AES-GCM decryption failed", e);
            }
            frame++;
            done = last;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static byte[] header(String keyId, byte[] salt) {
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        h.put(MAGIC).put(HexFormat.of().parseHex(keyId)).put(salt).putInt(FRAME);
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, HEADER - 4);
        h.putInt((int) crc.getValue());
        return h.array();
    }

    private static GCMParameterSpec nonce(long frame, boolean last) {
        byte[] iv = ByteBuffer.allocate(12).putLong(frame).put(new byte[3]).put((byte) (last ? 1 : 0)).array();
        return new GCMParameterSpec(TAG * 8, iv);
    }

    private static Cipher gcm() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
