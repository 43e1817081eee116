package io.conifer.backup;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The hash that names a blob after its content: SHA-256, or HMAC-SHA256 under a key for encrypted repositories. */
public interface ContentHash {
    void update(ByteBuffer bytes);

    default void update(byte[] bytes, int offset, int length) {
        update(ByteBuffer.wrap(bytes, offset, length));
    }

    /** The hash of everything given so far, as 64 hex digits; ends this hash. */
    String hex();

    static ContentHash sha256() {
        MessageDigest sha = LocalBackupRepository.sha256();
        return new ContentHash() {
            @Override
            public void update(ByteBuffer bytes) {
                sha.update(bytes);
            }

            @Override
            public String hex() {
                return HexFormat.of().formatHex(sha.digest());
            }
        };
    }

    /** The CRC32C of the bytes, as 8 hex digits: the cheap check of bytes whose CRC32C a manifest recorded. */
    static ContentHash crc32c() {
        CRC32C crc = new CRC32C();
        return new ContentHash() {
            @Override
            public void update(ByteBuffer bytes) {
                crc.update(bytes);
            }

            @Override
            public String hex() {
                return crc32cHex((int) crc.getValue());
            }
        };
    }

    /** A CRC32C as {@link #crc32c()} spells it. */
    static String crc32cHex(int crc32c) {
        return HexFormat.of().toHexDigits(crc32c);
    }

    static ContentHash hmacSha256(byte[] key) {
        Mac mac;
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return new ContentHash() {
            @Override
            public void update(ByteBuffer bytes) {
                mac.update(bytes);
            }

            @Override
            public String hex() {
                return HexFormat.of().formatHex(mac.doFinal());
            }
        };
    }
}
