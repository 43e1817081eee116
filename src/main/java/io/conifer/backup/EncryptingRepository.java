package io.conifer.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encryption at rest over any repository: with an encryption key every blob and manifest is encrypted
 * ({@link EncryptedBlobs}) before the repository below sees it, and blobs are named by an HMAC of their
 * content under a key derived from the backup key, so identical files still deduplicate without the
 * names revealing the content. Reads decrypt with whichever given key the object's header names, and
 * pass unencrypted objects through (backups taken before encryption was turned on), so the server
 * always reads through this layer: an encrypted object without its key is a {@link BackupKeyException}
 * naming the object, never damage and never garbage.
 *
 * <p>A blob's header alone cannot say whether it should be encrypted: anyone who can write the
 * repository can write plaintext. So this layer remembers how each backup's manifest is stored ({@link
 * #manifestEncrypted}), and a reader holds each blob to it: an encrypted backup's blobs are all
 * encrypted, a plaintext backup's all plaintext, since a backup's blobs are all staged in one server
 * run, under one key or none, and plaintext and HMAC names never coincide, so no backup shares a blob
 * with one of the other kind. A manifest rewritten later (a repaired copy, a Failed or deletion mark)
 * keeps the form it was read in, whatever the key now, so that this stays true.
 */
public final class EncryptingRepository implements BackupRepository {
    private final BackupRepository inner;
    private final BackupKeys keys;
    /** The key id each manifest read or written here is sealed with, or "" if it is stored plaintext. */
    private final Map<String, String> sealedWith = new ConcurrentHashMap<>();

    public EncryptingRepository(BackupRepository inner, BackupKeys keys) {
        this.inner = inner;
        this.keys = keys;
    }

    /** The repository below, which stores what this layer gives it. */
    BackupRepository inner() {
        return inner;
    }

    @Override
    public StagedBlob stage(Path source, Throttle throttle) throws IOException {
        BackupKey key = keys.encryption();
        return key == null ? inner.stage(source, throttle) : inner.stage(source, throttle, file -> EncryptedBlobs.encrypting(file, key));
    }

    @Override
    public StagedBlob stage(Path source, Throttle throttle, BlobEncoding encoding) throws IOException {
        return inner.stage(source, throttle, encoding);
    }

    /** The inner store's bytes and stamp: the stamp is of the stored (encrypted) object. */
    @Override
    public StoredBlob openStored(String name) throws IOException {
        return inner.openStored(name);
    }

    @Override
    public BlobContent decode(String name, String naming, InputStream stored) throws IOException {
        byte[] head = stored.readNBytes(EncryptedBlobs.HEADER);
        if (EncryptedBlobs.isEncrypted(head, head.length)) {
            EncryptedBlobs.Opened o = EncryptedBlobs.openBlob(stored, head, keys, "Blob " + inner.describe(name));
            return new BlobContent(o.plaintext(), o.nameHash(), false);
        }
        return inner.decode(name, naming, new SequenceInputStream(new ByteArrayInputStream(head), stored));
    }

    @Override
    public InputStream openBlob(String name) throws IOException {
        InputStream stored = inner.openBlob(name);
        try {
            // Only the content is wanted here, not its name checked: any naming does.
            return decode(name, null, stored).content();
        } catch (IOException | RuntimeException e) {
            stored.close();
            throw e;
        }
    }

    @Override
    public void putManifest(String backupId, byte[] json) throws IOException {
        BackupKey key = sealingKey(backupId);
        inner.putManifest(backupId, key == null ? json : EncryptedBlobs.seal(json, key, context(backupId)));
        sealedWith.put(backupId, key == null ? "" : key.id());
    }

    @Override
    public void putManifestCopy(String backupId, byte[] json) throws IOException {
        BackupKey key = sealingKey(backupId);
        inner.putManifestCopy(backupId, key == null ? json : EncryptedBlobs.seal(json, key, context(backupId)));
        sealedWith.put(backupId, key == null ? "" : key.id());
    }

    /**
     * A new backup's manifest takes the encryption key its blobs are staged with; a known one keeps its
     * form, re-sealed under the encryption key if there is one (a rotation), else under the key it was read with.
     */
    private BackupKey sealingKey(String backupId) throws BackupKeyException {
        String was = sealedWith.get(backupId);
        if (was == null) return keys.encryption();
        if (was.isEmpty()) return null;
        return keys.encryption() != null ? keys.encryption() : keys.require(was, "The manifest of backup " + backupId);
    }

    @Override
    public Optional<Boolean> manifestEncrypted(String backupId) {
        return Optional.ofNullable(sealedWith.get(backupId)).map(k -> !k.isEmpty());
    }

    @Override
    public Optional<ManifestRead> readManifest(String backupId) throws IOException {
        Optional<ManifestRead> read;
        try {
            read = inner.readManifest(backupId);
        } catch (DamagedManifestException e) {
            byte[] salvage = e.salvage();
            // A damaged ciphertext salvages nothing readable.
            throw EncryptedBlobs.isEncrypted(salvage, salvage.length) ? new DamagedManifestException(e.getMessage(), new byte[0]) : e;
        }
        if (read.isEmpty()) return read;
        byte[] stored = read.get().json();
        if (!EncryptedBlobs.isEncrypted(stored, stored.length)) {
            sealedWith.put(backupId, "");
            return read;
        }
        try {
            byte[] json = EncryptedBlobs.open(stored, keys, context(backupId), "The manifest of backup " + backupId);
            sealedWith.put(backupId, EncryptedBlobs.keyId(stored));
            return Optional.of(new ManifestRead(json, read.get().damage(), read.get().fromPrimary()));
        } catch (EncryptedBlobs.DamagedException e) {
            throw new DamagedManifestException(e.getMessage(), new byte[0]);
        }
    }

    /** A manifest is sealed to its backup id: one moved under another id fails authentication. */
    private static byte[] context(String backupId) {
        return ("manifest " + backupId).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String publish(StagedBlob blob) throws IOException {
        return inner.publish(blob);
    }

    @Override
    public void discard(StagedBlob blob) throws IOException {
        inner.discard(blob);
    }

    @Override
    public boolean hasBlob(String name) throws IOException {
        return inner.hasBlob(name);
    }

    @Override
    public Optional<String> blobStamp(String name) throws IOException {
        return inner.blobStamp(name);
    }

    @Override
    public void quarantine(String name, String stamp, String reason) throws IOException {
        inner.quarantine(name, stamp, reason);
    }

    @Override
    public List<Quarantined> quarantined() throws IOException {
        return inner.quarantined();
    }

    @Override
    public long blobLength(String name) throws IOException {
        return inner.blobLength(name);
    }

    @Override
    public void deleteBlob(String name) throws IOException {
        inner.deleteBlob(name);
    }

    @Override
    public Set<String> blobs() throws IOException {
        return inner.blobs();
    }

    @Override
    public List<String> manifestIds() throws IOException {
        return inner.manifestIds();
    }

    @Override
    public void deleteManifest(String backupId) throws IOException {
        inner.deleteManifest(backupId);
        sealedWith.remove(backupId);
    }

    @Override
    public boolean shared() {
        return inner.shared();
    }

    @Override
    public String toString() {
        return inner.toString();
    }

    @Override
    public void cleanStaging() throws IOException {
        inner.cleanStaging();
    }

    @Override
    public String describe(String name) {
        return inner.describe(name);
    }

    @Override
    public void close() {
        inner.close();
    }
}
