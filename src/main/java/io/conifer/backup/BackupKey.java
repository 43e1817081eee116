package io.conifer.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 256-bit backup key, read from a key file: 32 raw bytes, or 64 hexadecimal characters (surrounding
 * whitespace, such as a final newline, is ignored). The key itself never encrypts anything: every
 * object gets its own AES-256 key derived from it and the object's random salt (HKDF-SHA256), blob
 * names are HMACs under another derived key, and its {@link #id} (derived too, so it reveals nothing
 * of the key) is written in each object's header so a reader knows which key it needs.
 */
public final class BackupKey {
    public static final int BYTES = 32;
    private static final byte[] DOMAIN = "conifer-backup-v1".getBytes(StandardCharsets.US_ASCII);
    private final byte[] secret;
    private final String id;
    private final byte[] nameKey;

    BackupKey(byte[] secret) {
        if (secret.length != BYTES) throw new IllegalArgumentException("a backup key has " + BYTES + " bytes");
        this.secret = secret.clone();
        this.id = HexFormat.of().formatHex(Arrays.copyOf(derive(DOMAIN, "key id"), 8));
        this.nameKey = derive(DOMAIN, "blob names");
    }

    /** Reads a key file; a file that holds anything but a 256-bit key is refused with what it holds. */
    public static BackupKey load(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("backup key file " + file + " does not exist");
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        boolean hex = !text.isEmpty() && text.chars().allMatch(c -> Character.digit(c, 16) >= 0);
        // 32 hex characters are a 128-bit key written as text, not 32 random bytes.
        if (bytes.length == BYTES && !hex) return new BackupKey(bytes);
        if (text.length() == 2 * BYTES && hex) {
            return new BackupKey(HexFormat.of().parseHex(text.toLowerCase(java.util.Locale.ROOT)));
        }
        throw new IOException("backup key file " + file + " holds " + bytes.length + " bytes, not a 256-bit key: it must hold"
                + " exactly 32 bytes (head -c 32 /dev/urandom > FILE) or 64 hexadecimal characters (openssl rand -hex 32 > FILE)");
    }

    /** 16 hex digits naming this key in the objects it encrypted. */
    public String id() {
        return id;
    }

    /** The HMAC key that names blobs after their content. */
    byte[] nameKey() {
        return nameKey.clone();
    }

    /** The AES-256 key of one object, from its random salt. */
    byte[] objectKey(byte[] salt) {
        return derive(salt, "object encryption");
    }

    /** HKDF-SHA256 (RFC 5869) of this key with {@code salt} and {@code info}, one 32-byte block. */
    private byte[] derive(byte[] salt, String info) {
        try {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] prk = extract.doFinal(secret);
            Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(prk, "HmacSHA256"));
            expand.update(info.getBytes(StandardCharsets.US_ASCII));
            expand.update((byte) 1);
            return expand.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
