package io.conifer.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash that names a blob after its content: the {@link TreeHash} of plain blobs (plain SHA-256 for
 * those backed up before it), or HMAC-SHA256 under a key for encrypted repositories.
 */
public interface ContentHash {
    void update(ByteBuffer bytes);

    default void update(byte[] bytes, int offset, int length) {
        update(ByteBuffer.wrap(bytes, offset, length));
    }

    /** The hash of everything given so far, as 64 hex digits; ends this hash. */
    String hex();

    /** Done once the bytes last given are no longer read (a {@link TreeHash#parallel} one reads them later). */
    default CompletableFuture<Void> released() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The hash a manifest entry's {@code naming} says its plain blob is named by: plain SHA-256 when it
     * says none (entries written before {@link TreeHash} existed).
     */
    static ContentHash forNaming(String naming) throws IOException {
        if (naming == null) return sha256();
        if (naming.equals(TreeHash.NAMING)) return TreeHash.sequential();
        throw new IOException("Blob naming '" + naming + "' is unknown to this version of Conifer (a newer one wrote the backup)");
    }

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
