package io.conifer.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys a server or {@code conifer backup verify} was given: the one new backups are encrypted
 * with ({@code --backup-encryption-key-file}; none: new backups are stored unencrypted) and older
 * ones that still decrypt ({@code --backup-decryption-key-file}, repeatable), so a key is rotated by
 * making the new key the encryption key and keeping the old one as a decryption key until the backups
 * it encrypted are gone.
 */
public final class BackupKeys {
    private final BackupKey encryption;
    private final Map<String, BackupKey> byId = new LinkedHashMap<>();

    public BackupKeys(BackupKey encryption, List<BackupKey> decryption) {
        this.encryption = encryption;
        if (encryption != null) byId.put(encryption.id(), encryption);
        for (BackupKey k : decryption) byId.putIfAbsent(k.id(), k);
    }

    public static final BackupKeys NONE = new BackupKeys(null, List.of());

    /** Loads the key files; either may be absent. */
    public static BackupKeys load(Path encryptionFile, List<Path> decryptionFiles) throws IOException {
        List<BackupKey> old = new ArrayList<>();
        if (decryptionFiles != null) for (Path f : decryptionFiles) old.add(BackupKey.load(f));
        return new BackupKeys(encryptionFile == null ? null : BackupKey.load(encryptionFile), old);
    }

    /** The key new backups are encrypted with, or null to store them unencrypted. */
    public BackupKey encryption() {
        return encryption;
    }

    /** The key with this id, or a {@link BackupKeyException} saying it is missing or does not match. */
    BackupKey require(String keyId, String what) throws BackupKeyException {
        BackupKey k = byId.get(keyId);
        if (k != null) return k;
        if (byId.isEmpty()) {
            throw new BackupKeyException(what + " is encrypted (key id " + keyId + ") and no backup key was given: pass the key"
                    + " file it was encrypted with as --backup-encryption-key-file or --backup-decryption-key-file");
        }
        throw new BackupKeyException(what + " is encrypted with key id " + keyId + ", and the backup key given (key ids "
                + String.join(", ", byId.keySet()) + ") does not match: pass the key file it was encrypted with as"
                + " --backup-decryption-key-file");
    }
}
